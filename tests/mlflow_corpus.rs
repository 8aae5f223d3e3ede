//! The MLflow store of the real corpus (written by MLflow 3.17) against its manifest: each
//! trace's span names, parent/child pairs, durations, statuses and events, exactly.

mod common;

use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeMap;

fn hex_of_base64(id: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(id)
        .expect("base64 span id")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn every_mlflow_trace_matches_its_manifest() {
    let manifest = common::manifest();
    let root = manifest["roots"]
        .as_array()
        .expect("roots")
        .iter()
        .find(|r| r["kind"] == "mlflow")
        .expect("an mlflow root");
    let dump = common::dump_json(&[&common::corpus().join(root["path"].as_str().expect("path"))]);
    let sessions: BTreeMap<&str, &Value> = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| (s["id"].as_str().expect("id"), s))
        .collect();
    let traces = root["traces"].as_array().expect("traces");
    assert_eq!(sessions.len(), traces.len(), "one session per trace");
    let mut checked_spans = 0;
    for trace in traces {
        let id = trace["trace_id"].as_str().expect("trace id");
        let session = sessions[id];
        assert_eq!(session["source"], "mlflow", "{id}");
        assert!(
            session["problems"].as_array().expect("problems").is_empty(),
            "{id}: {}",
            session["problems"]
        );
        let spans = session["spans"].as_array().expect("spans");
        assert_eq!(session["span_count"], trace["span_count"], "{id}");
        let by_id: BTreeMap<&str, &Value> = spans
            .iter()
            .map(|s| (s["id"].as_str().expect("span id"), s))
            .collect();
        let names = |list: &Value| -> Vec<String> {
            list.as_array()
                .expect("list")
                .iter()
                .map(|n| n.as_str().expect("name").to_string())
                .collect()
        };
        let dump_names: Vec<String> = spans
            .iter()
            .map(|s| s["name"].as_str().expect("name").to_string())
            .collect();
        assert_eq!(
            sorted(dump_names),
            sorted(names(&trace["span_names"])),
            "{id}: names"
        );
        let roots: Vec<String> = spans
            .iter()
            .filter(|s| s["parent"].is_null())
            .map(|s| s["name"].as_str().expect("name").to_string())
            .collect();
        assert_eq!(roots, names(&trace["root_spans"]), "{id}: roots");
        let pairs: Vec<(String, String)> = spans
            .iter()
            .filter_map(|s| {
                let parent = by_id[s["parent"].as_str()?];
                Some((
                    parent["name"].as_str().expect("name").to_string(),
                    s["name"].as_str().expect("name").to_string(),
                ))
            })
            .collect();
        let expected: Vec<(String, String)> = trace["parent_child"]
            .as_array()
            .expect("pairs")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("parent").to_string(),
                    p[1].as_str().expect("child").to_string(),
                )
            })
            .collect();
        assert_eq!(sorted(pairs), sorted(expected), "{id}: parent/child");
        for expected in trace["spans"].as_array().expect("spans") {
            let span_id = hex_of_base64(expected["span_id"].as_str().expect("span id"));
            let span = by_id
                .get(span_id.as_str())
                .unwrap_or_else(|| panic!("{id}: span {span_id}"));
            let ctx = format!("{id}/{}", expected["name"]);
            assert_eq!(span["name"], expected["name"], "{ctx}");
            assert_eq!(
                span["duration_ms"], expected["duration_ms"],
                "{ctx}: duration"
            );
            assert_eq!(span["span_type"], expected["span_type"], "{ctx}: type");
            let parent = expected["parent_span_id"].as_str().map(hex_of_base64);
            assert_eq!(span["parent"].as_str(), parent.as_deref(), "{ctx}: parent");
            let status = if expected["status"] == "STATUS_CODE_ERROR" {
                "error"
            } else {
                "ok"
            };
            assert_eq!(span["status"], status, "{ctx}: status");
            if let Some(message) = expected["status_message"]
                .as_str()
                .filter(|m| !m.is_empty())
            {
                assert_eq!(span["status_message"], message, "{ctx}");
            }
            let events: Vec<&Value> = span["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| &e["name"])
                .collect();
            let expected_events: Vec<&Value> = expected["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| if e.is_object() { &e["name"] } else { e })
                .collect();
            assert_eq!(events, expected_events, "{ctx}: events");
            checked_spans += 1;
        }
        // The trace's state is its root's status.
        let root_status = spans
            .iter()
            .find(|s| s["parent"].is_null())
            .map(|s| s["status"].clone());
        let state = if trace["state"] == "ERROR" {
            "error"
        } else {
            "ok"
        };
        assert_eq!(root_status, Some(Value::from(state)), "{id}: state");
    }
    assert!(checked_spans >= 50, "{checked_spans} spans checked");
}

#[test]
fn llm_spans_show_the_conversation_and_errors_their_exception() {
    let dump = common::dump_json(&[&common::corpus().join("mlruns")]);
    let spans: Vec<&Value> = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .flat_map(|s| s["spans"].as_array().expect("spans"))
        .collect();
    let chat = spans
        .iter()
        .find(|s| s["name"] == "chat.completions.create")
        .expect("an OpenAI call");
    assert_eq!(chat["kind"], "llm");
    assert_eq!(chat["model"], "gpt-4o-mini-2024-07-18");
    let roles: Vec<&str> = chat["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles.first(), Some(&"system"));
    assert_eq!(
        roles.last(),
        Some(&"assistant"),
        "the response is the last message"
    );
    let failed = spans
        .iter()
        .find(|s| s["status"] == "error" && s["name"] == "handle_request")
        .expect("the failed trace's root");
    assert_eq!(
        failed["exception"],
        "TimeoutError: LLM gateway timed out after 30s"
    );
    let retried = spans
        .iter()
        .find(|s| {
            s["events"]
                .as_array()
                .is_some_and(|e| !e.is_empty() && e[0]["name"] == "retry")
        })
        .expect("a span with a retry event");
    assert_eq!(retried["events"][0]["attributes"]["reason"], "rate_limited");
}

/// poml's `set_trace(["local", "mlflow"])` writes each call twice: as files and as an MLflow
/// `poml` span with the same markup. Each pair is found, both ways.
#[test]
fn poml_calls_and_their_mlflow_spans_are_related() {
    let corpus = common::corpus();
    let dump = common::dump_json(&[&corpus.join("pomlruns_mlflow"), &corpus.join("mlruns")]);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for session in dump["sessions"].as_array().expect("sessions") {
        for span in session["spans"].as_array().expect("spans") {
            let Some(related) = span.get("related") else {
                continue;
            };
            let here = format!(
                "{}/{}",
                session["id"].as_str().expect("id"),
                span["name"].as_str().expect("name")
            );
            let there = format!(
                "{}/{}",
                related["session"].as_str().expect("session"),
                related["span"].as_str().expect("span")
            );
            if session["source"] == "poml" {
                pairs.push((here, there));
            }
        }
    }
    let calls: Vec<&str> = pairs.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        calls,
        [
            "20261121124022554353/planner",
            "20261121124022554353/verifier",
            "20261121124022554353/planner",
            "20261121124022554353/verifier",
            "20261121124033414890/planner",
            "20261121124033414890/healthcheck",
        ]
    );
    let traces: Vec<&str> = pairs.iter().map(|(_, s)| &s[..35]).collect();
    assert_eq!(
        traces,
        [
            "tr-80e3ff883adbed565035e04c88d0a2bd",
            "tr-80e3ff883adbed565035e04c88d0a2bd",
            "tr-a35ee92e9e2d55d855a4287f27cf8f17",
            "tr-a35ee92e9e2d55d855a4287f27cf8f17",
            "tr-5aa824e4bda6ef786d8dafa150450b49",
            "tr-2627a5203d31ad9dddd4fa84bccf9b1f",
        ]
    );
    // And back: every one of those spans names its call.
    let back = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["source"] == "mlflow")
        .flat_map(|s| s["spans"].as_array().expect("spans"))
        .filter(|s| s.get("related").is_some())
        .count();
    assert_eq!(back, 6);
}

/// `dump --format text` lists a model call's messages under it, one line each, as it does
/// for POML calls: as many as the JSON dump has, in the same roles.
#[test]
fn the_text_dump_lists_model_calls_messages() {
    let root = common::corpus().join("mlruns");
    let json = common::dump_json(&[root.as_path()]);
    let mut roles: Vec<String> = Vec::new();
    for session in json["sessions"].as_array().expect("sessions") {
        for span in session["spans"].as_array().expect("spans") {
            if matches!(span["kind"].as_str(), Some("llm" | "chat_model")) {
                for m in span["messages"].as_array().into_iter().flatten() {
                    roles.push(m["role"].as_str().unwrap_or("").to_string());
                }
            }
        }
    }
    assert!(roles.len() >= 4, "the corpus has model calls with messages");
    let out = common::tracetui(&["dump", &root.to_string_lossy()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("        ") && l.trim_start().split(": ").count() > 1)
        // Why a span failed is said under it too, not as a message.
        .filter(|l| !l.trim_start().starts_with("error: "))
        .collect();
    let shown: Vec<String> = lines
        .iter()
        .map(|l| l.trim_start().split(':').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(shown, roles, "{text}");
}

/// `dump --format text` says why each failed span failed, in the words its trace recorded
/// (the exception's type and message, found in the raw traces.json).
#[test]
fn the_text_dump_says_why_a_span_failed() {
    let root = common::corpus().join("mlruns");
    let out = common::tracetui(&["dump", "--format", "text", &root.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut raw = String::new();
    for entry in walk(&root) {
        if entry.file_name().is_some_and(|n| n == "traces.json") {
            raw.push_str(&std::fs::read_to_string(&entry).unwrap_or_default());
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut said = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_end().ends_with(" error") && !line.contains('[') {
            let why = lines
                .get(i + 1)
                .and_then(|l| l.trim().strip_prefix("error: "))
                .unwrap_or_else(|| panic!("no reason under {line:?}"));
            let message = why.split_once(": ").map_or(why, |(_, m)| m);
            assert!(raw.contains(message), "{why:?} is not in the raw traces");
            said += 1;
        }
    }
    assert!(said > 0, "{text}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
