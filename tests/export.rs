//! `tracetui export`: the Chrome trace parses, has one complete event per finished span
//! (and an instant event per open one) with the right nesting on every lane, and children
//! inside their parents; OTLP/JSON has one resource per session, well-formed and stable ids,
//! parent links, decimal-string times and integer enums.

mod common;

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn inputs() -> Vec<PathBuf> {
    let mut paths = vec![common::corpus().join("pomlruns")];
    for f in [
        "documented.jsonl",
        "sandbox.jsonl",
        "traces.json",
        "stream.sse",
    ] {
        paths.push(common::fixture("pml").join(f));
    }
    paths
}

fn export(format: &str, paths: &[PathBuf]) -> Value {
    let mut args = vec!["export".to_string(), "--format".into(), format.into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::tracetui(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("export is one JSON document")
}

#[test]
fn chrome_trace_has_one_event_per_span_nested_per_lane() {
    let paths = inputs();
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let dump = common::dump_json(&refs);
    let trace = export("chrome", &paths);
    assert_eq!(trace["displayTimeUnit"], "ms");
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let sessions = dump["sessions"].as_array().expect("sessions");

    // One named process per session, in the dump's order.
    let names: Vec<(u64, &str)> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
        .map(|e| {
            (
                e["pid"].as_u64().expect("pid"),
                e["args"]["name"].as_str().expect("name"),
            )
        })
        .collect();
    assert_eq!(names.len(), sessions.len());
    for (i, (pid, name)) in names.iter().enumerate() {
        assert_eq!(*pid, i as u64 + 1);
        assert!(
            name.ends_with(sessions[i]["id"].as_str().expect("id")),
            "{name}"
        );
    }

    let mut complete = 0;
    for (i, session) in sessions.iter().enumerate() {
        let pid = i as u64 + 1;
        let mine: Vec<&Value> = events
            .iter()
            .filter(|e| e["pid"] == pid && e["ph"] != "M")
            .collect();
        let by_id: HashMap<&str, &Value> = mine
            .iter()
            .map(|e| (e["args"]["id"].as_str().expect("args.id"), *e))
            .collect();
        assert_eq!(by_id.len(), mine.len(), "one event per span");
        for span in session["spans"].as_array().expect("spans") {
            let id = span["id"].as_str().expect("id");
            let has_start = !span["start_ms"].is_null();
            let finished =
                has_start && !span["duration_ms"].is_null() && span["status"] != "running";
            match by_id.get(id) {
                Some(e) if finished => {
                    assert_eq!(e["ph"], "X", "{id}");
                    complete += 1;
                    let dur_ms = e["dur"].as_f64().expect("dur") / 1000.0;
                    let expected = span["duration_ms"].as_f64().expect("duration");
                    assert!(
                        (dur_ms - expected).abs() <= 1.0,
                        "{id}: {dur_ms} vs {expected}"
                    );
                    assert!(e["ts"].as_f64().expect("ts") >= 0.0);
                    assert_eq!(e["args"]["status"], span["status"]);
                    assert_eq!(e["cat"], span["kind"]);
                }
                Some(e) => assert_eq!(e["ph"], "i", "{id} is open"),
                None => assert!(!has_start, "{id} has a start and no event"),
            }
        }

        // Strict nesting on every lane: a stack of open intervals, in microseconds.
        let mut lanes: HashMap<u64, Vec<&Value>> = HashMap::new();
        for e in mine.iter().filter(|e| e["ph"] == "X") {
            lanes
                .entry(e["tid"].as_u64().expect("tid"))
                .or_default()
                .push(e);
        }
        for (tid, mut lane) in lanes {
            let span_of = |e: &Value| {
                let ts = e["ts"].as_f64().expect("ts");
                (ts, ts + e["dur"].as_f64().expect("dur"))
            };
            lane.sort_by(|a, b| {
                let (sa, ea) = span_of(a);
                let (sb, eb) = span_of(b);
                sa.total_cmp(&sb).then(eb.total_cmp(&ea))
            });
            let mut open: Vec<(f64, &str)> = Vec::new();
            for e in lane {
                let (s, end) = span_of(e);
                while open.last().is_some_and(|(top_end, _)| *top_end <= s) {
                    open.pop();
                }
                if let Some((top_end, top)) = open.last() {
                    assert!(
                        end <= *top_end,
                        "pid {pid} tid {tid}: {} overlaps {top}",
                        e["args"]["id"]
                    );
                    // What it nests in is an ancestor, never a sibling.
                    let mut up = e["args"]["parent"].as_str();
                    let mut found = false;
                    while let Some(p) = up {
                        if p == *top {
                            found = true;
                            break;
                        }
                        up = by_id.get(p).and_then(|pe| pe["args"]["parent"].as_str());
                    }
                    assert!(found, "{} nests in {top}, not an ancestor", e["args"]["id"]);
                }
                open.push((end, e["args"]["id"].as_str().expect("id")));
            }
        }
        // Children inside their parents.
        for e in mine.iter().filter(|e| e["ph"] == "X") {
            let Some(parent) = e["args"]["parent"].as_str().and_then(|p| by_id.get(p)) else {
                continue;
            };
            if parent["ph"] != "X" {
                continue;
            }
            let (ps, pd) = (
                parent["ts"].as_f64().expect("ts"),
                parent["dur"].as_f64().expect("dur"),
            );
            let (cs, cd) = (
                e["ts"].as_f64().expect("ts"),
                e["dur"].as_f64().expect("dur"),
            );
            if cs >= ps && cs + cd <= ps + pd && parent["tid"] != e["tid"] {
                // Inside its parent: it shares the lane unless a sibling took the room.
                let siblings_overlap = mine.iter().any(|o| {
                    o["args"]["parent"] == e["args"]["parent"]
                        && o["args"]["id"] != e["args"]["id"]
                        && o["ph"] == "X"
                        && o["tid"] == parent["tid"]
                });
                assert!(
                    siblings_overlap,
                    "{} left its parent's lane",
                    e["args"]["id"]
                );
            }
        }
    }
    assert!(complete > 60, "{complete} complete events");

    // The documented PML trace: t1 inside cap_a inside exec_1, all on one lane.
    let lane_of = |id: &str| {
        events
            .iter()
            .find(|e| e["args"]["id"] == id && e["ph"] == "X")
            .map(|e| (e["pid"].clone(), e["tid"].clone()))
            .expect(id)
    };
    assert_eq!(lane_of("t1"), lane_of("cap_a"));
    assert_eq!(lane_of("cap_a"), lane_of("exec_1"));
    // Usage and the estimate ride along in args.
    let planner = events
        .iter()
        .find(|e| e["args"]["id"] == "0001.planner")
        .expect("0001.planner");
    assert_eq!(planner["args"]["input_tokens"], 632);
    assert_eq!(planner["args"]["tokens_est"], 306);
}

#[test]
fn otlp_has_a_resource_per_session_and_stable_linked_ids() {
    let paths = inputs();
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let dump = common::dump_json(&refs);
    let doc = export("otlp", &paths);
    assert_eq!(
        doc,
        export("otlp", &paths),
        "the same input exports the same ids"
    );
    let resources = doc["resourceSpans"].as_array().expect("resourceSpans");
    let sessions = dump["sessions"].as_array().expect("sessions");
    assert_eq!(resources.len(), sessions.len());
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    let mut trace_ids = HashSet::new();
    for (resource, session) in resources.iter().zip(sessions) {
        let attrs = resource["resource"]["attributes"]
            .as_array()
            .expect("attributes");
        assert!(attrs.iter().any(
            |a| a["key"] == "tracetui.session.id" && a["value"]["stringValue"] == session["id"]
        ));
        let spans = resource["scopeSpans"][0]["spans"]
            .as_array()
            .expect("spans");
        let with_start = session["spans"]
            .as_array()
            .expect("spans")
            .iter()
            .filter(|s| !s["start_ms"].is_null())
            .count();
        assert_eq!(spans.len(), with_start, "{}", session["id"]);
        let ids: HashMap<&str, &str> = spans
            .iter()
            .map(|s| {
                let key = s["attributes"]
                    .as_array()
                    .expect("attributes")
                    .iter()
                    .find(|a| a["key"] == "tracetui.key")
                    .and_then(|a| a["value"]["stringValue"].as_str())
                    .expect("tracetui.key");
                (key, s["spanId"].as_str().expect("spanId"))
            })
            .collect();
        assert_eq!(ids.len(), spans.len(), "span ids are unique");
        for span in spans {
            let trace = span["traceId"].as_str().expect("traceId");
            assert!(hex(trace, 32), "{trace}");
            trace_ids.insert(trace.to_string());
            assert!(hex(span["spanId"].as_str().expect("spanId"), 16));
            let start: u128 = span["startTimeUnixNano"]
                .as_str()
                .expect("string")
                .parse()
                .expect("decimal");
            let end: u128 = span["endTimeUnixNano"]
                .as_str()
                .expect("string")
                .parse()
                .expect("decimal");
            assert!(start <= end, "{start} {end}");
            assert!(span["kind"].is_u64());
            let code = span["status"]["code"]
                .as_u64()
                .expect("status code is an integer");
            assert!(code <= 2);
            let parent = span["parentSpanId"].as_str().expect("parentSpanId");
            assert!(parent.is_empty() || hex(parent, 16));
        }
        // Each span's parent link points at its parent's id.
        for s in session["spans"].as_array().expect("spans") {
            if let (Some(parent), Some(own)) =
                (s["parent"].as_str(), ids.get(s["id"].as_str().expect("id")))
            {
                let span = spans.iter().find(|x| x["spanId"] == *own).expect("span");
                if let Some(pid) = ids.get(parent) {
                    assert_eq!(span["parentSpanId"], *pid, "{}", s["id"]);
                }
            }
        }
    }
    assert_eq!(trace_ids.len(), resources.len(), "one trace id per session");
    // An error call says so; reported usage as gen_ai attributes (integers as strings).
    let all: Vec<&Value> = resources
        .iter()
        .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().expect("spans"))
        .collect();
    let planner = all
        .iter()
        .find(|s| s["name"] == "0001 planner")
        .expect("planner");
    let usage = planner["attributes"]
        .as_array()
        .expect("attrs")
        .iter()
        .find(|a| a["key"] == "gen_ai.usage.input_tokens")
        .expect("usage");
    assert_eq!(usage["value"]["intValue"], "632");
    assert!(
        all.iter()
            .any(|s| s["status"]["code"] == 2 && s["status"]["message"].is_string())
    );
}

#[test]
fn export_filters_and_usage_errors() {
    let pml = common::fixture("pml").join("documented.jsonl");
    let out = common::tracetui(&[
        "export",
        "--format",
        "chrome",
        "--filter",
        "status:error",
        &pml.display().to_string(),
    ]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = v["traceEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["args"]["id"].as_str())
        .collect();
    assert!(ids.contains(&"t2") && ids.contains(&"cap_a"), "{ids:?}");
    assert!(
        !ids.contains(&"t1"),
        "a matching span's sibling is left out: {ids:?}"
    );
    let out = common::tracetui(&["export", "--format", "chrome", "missing/"]);
    assert_eq!(out.status.code(), Some(2));
    let out = common::tracetui(&["export", &pml.display().to_string()]);
    assert_eq!(out.status.code(), Some(2), "--format is required");
}

/// A span as `dump` shows it, without what names where it was read from (ids, files,
/// lines), its parent by name instead of id.
fn comparable(dump: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for session in dump["sessions"].as_array().expect("sessions") {
        let spans = session["spans"].as_array().expect("spans");
        let names: HashMap<&str, &str> = spans
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap_or(""),
                    s["name"].as_str().unwrap_or(""),
                )
            })
            .collect();
        for span in spans {
            let mut span = span.clone();
            let parent = span["parent"].as_str().and_then(|p| names.get(p)).copied();
            let obj = span.as_object_mut().expect("a span is an object");
            for key in ["id", "parent", "file", "line", "trace_id"] {
                obj.remove(key);
            }
            obj.insert("parent_name".into(), parent.into());
            out.push(span);
        }
    }
    out.sort_by_key(|s| (s["start_ms"].as_i64(), s["name"].as_str().map(String::from)));
    out
}

/// OpenTelemetry-shaped spans (MLflow's file store, OTLP files of every convention) export
/// as they came in: reading the export back gives the same spans in `dump`: kind, model,
/// messages, tools, inputs, outputs, attributes, events, status message.
#[test]
fn otlp_export_reads_back_as_the_same_dump() {
    let dir = tempfile::tempdir().expect("tempdir");
    for source in [common::corpus().join("mlruns"), common::fixture("otlp")] {
        let exported = export("otlp", std::slice::from_ref(&source));
        let file = dir.path().join("export.json");
        std::fs::write(&file, serde_json::to_vec(&exported).expect("json")).expect("write");
        let before = comparable(&common::dump_json(&[source.as_path()]));
        let after = comparable(&common::dump_json(&[file.as_path()]));
        assert_eq!(before.len(), after.len(), "{}", source.display());
        assert!(
            before
                .iter()
                .any(|s| s["messages"].as_array().is_some_and(|m| !m.is_empty()))
        );
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b, a, "{}: {}", source.display(), b["name"]);
        }
    }
}

/// One run recorded twice (MLflow's store and the same trace over OTLP, here by exporting
/// the store): each span names its twin, both ways, and `o` goes there.
#[test]
fn a_span_recorded_by_mlflow_and_over_otlp_is_linked_to_its_twin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mlruns = common::corpus().join("mlruns");
    let file = dir.path().join("otlp.json");
    let exported = export("otlp", std::slice::from_ref(&mlruns));
    std::fs::write(&file, serde_json::to_vec(&exported).expect("json")).expect("write");
    let dump = common::dump_json(&[mlruns.as_path(), file.as_path()]);
    let sessions = dump["sessions"].as_array().expect("sessions");
    let mut linked = 0;
    for session in sessions {
        let id = session["id"].as_str().unwrap_or("");
        let twin = match id.strip_prefix("tr-") {
            Some(hex) => hex.to_string(),
            None => format!("tr-{id}"),
        };
        for span in session["spans"].as_array().expect("spans") {
            let related = &span["related"];
            assert_eq!(related["session"], twin.as_str(), "{span}");
            assert_eq!(related["span"], span["id"], "the same span id: {span}");
            linked += 1;
        }
    }
    assert_eq!(linked, 2 * 50, "every span of both recordings");

    let mut h = common::Harness::open(&[mlruns, file], "both", 120, 40);
    h.press("j");
    let before = h.app.selected_span().expect("a span");
    let screen = h.screen();
    assert!(screen.contains("↔ also recorded as"), "{screen}");
    h.press("o");
    let after = h.app.selected_span().expect("its twin");
    assert_ne!(before.0, after.0, "in the other recording");
    h.press("o");
    assert_eq!(h.app.selected_span(), Some(before), "and back");
}
