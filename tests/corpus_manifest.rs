//! `dump --format json` over every POML root of the real corpus, checked against the
//! manifest that was computed from the same files.

mod common;

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// The tarball stores whole-second mtimes, so compare at the precision the files have.
fn at_file_precision(ms: i64, whole_seconds: bool) -> i64 {
    if whole_seconds {
        ms.div_euclid(1000) * 1000
    } else {
        ms
    }
}

fn files_have_whole_second_mtimes(root: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    walk(root).iter().all(|p| {
        std::fs::symlink_metadata(p)
            .map(|m| m.mtime_nsec() == 0)
            .unwrap_or(true)
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn speakers(span: &Value) -> Vec<String> {
    span["messages"]
        .as_array()
        .expect("messages is a list")
        .iter()
        .map(|m| m["speaker"].as_str().expect("speaker").to_string())
        .collect()
}

/// Check one call of the dump against its manifest entry.
fn check_call(span: &Value, call: &Value, whole_seconds: bool, ctx: &str) {
    let ctx = format!("{ctx} {}", call["prefix"]);
    assert_eq!(span["id"], call["prefix"], "{ctx}: id");
    assert_eq!(span["index"], call["index"], "{ctx}: index");
    assert_eq!(span["name"], call["name"], "{ctx}: name");
    assert_eq!(span["kind"], "poml_call", "{ctx}: kind");
    assert_eq!(span["parent"], Value::Null, "{ctx}: parent");
    assert_eq!(span["files"], call["files"], "{ctx}: files");
    let first = call["first_mtime_ms"].as_i64().expect("first mtime");
    let last = call["last_mtime_ms"].as_i64().expect("last mtime");
    let (first, last) = (
        at_file_precision(first, whole_seconds),
        at_file_precision(last, whole_seconds),
    );
    assert_eq!(span["start_ms"], first, "{ctx}: start");
    assert_eq!(span["duration_ms"], last - first, "{ctx}: duration");
    assert_eq!(
        span["source_path"], call["source_path"],
        "{ctx}: source path"
    );

    let problems: Vec<&str> = span["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p.as_str().expect("problem text"))
        .collect();
    match call["result_json_error"].as_str() {
        None => {
            let expected_type = call["messages_type"].as_str().expect("type");
            assert_eq!(span["chat"], expected_type == "list", "{ctx}: chat");
            assert_eq!(
                speakers(span),
                call["speakers"]
                    .as_array()
                    .expect("speakers")
                    .iter()
                    .map(|s| s.as_str().expect("speaker").to_string())
                    .collect::<Vec<_>>(),
                "{ctx}: speakers"
            );
            if let Some(count) = call["message_count"].as_u64() {
                assert_eq!(
                    span["messages"].as_array().map(Vec::len),
                    Some(count as usize)
                );
            } else {
                assert!(
                    span["content"].is_string() || span["content"].is_array(),
                    "{ctx}: chat-off content"
                );
            }
            let tool_names: Vec<&Value> = span["tools"]
                .as_array()
                .expect("tools")
                .iter()
                .map(|t| &t["name"])
                .collect();
            let expected: Vec<&Value> = call["tool_names"]
                .as_array()
                .expect("tool names")
                .iter()
                .collect();
            assert_eq!(tool_names, expected, "{ctx}: tools");
            assert_eq!(
                !span["schema"].is_null(),
                call["has_schema"].as_bool().expect("bool"),
                "{ctx}: schema"
            );
            assert_eq!(span["runtime"], call["runtime"], "{ctx}: runtime");
            assert_eq!(span["images"], call["image_count"], "{ctx}: images");
            let tool_requests = span["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .filter_map(|m| m["content"].as_array())
                .flatten()
                .filter(|p| p["type"] == "application/vnd.poml.toolrequest")
                .count();
            assert_eq!(
                Some(tool_requests as u64),
                call["tool_request_count"].as_u64(),
                "{ctx}: tool requests"
            );
            let error_artifact = call["artifacts"]
                .as_array()
                .expect("artifacts")
                .iter()
                .any(|a| a.as_str().is_some_and(|a| a.starts_with(".error")));
            let expected_status = if error_artifact { "error" } else { "ok" };
            assert_eq!(span["status"], expected_status, "{ctx}: status");
        }
        Some("absent") => {
            assert_eq!(span["status"], "incomplete", "{ctx}: status");
            assert!(
                problems.iter().any(|p| p.contains(".result.json: missing")),
                "{ctx}: {problems:?}"
            );
        }
        Some(error) => {
            assert_eq!(span["status"], "error", "{ctx}: status of {error}");
            let prefix = call["prefix"].as_str().expect("prefix");
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with(&format!("{prefix}.result.json: "))),
                "{ctx}: a located problem for {error}: {problems:?}"
            );
        }
    }
    if call["context"]["valid_json"] == false {
        assert!(
            problems.iter().any(|p| p.contains(".context.json: ")),
            "{ctx}: broken context reported: {problems:?}"
        );
    }
}

fn local_ms(timestamp: &str) -> i64 {
    let naive =
        NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S%.f").expect("timestamp");
    // The binary runs with TZ=UTC (see common::tracetui), like the corpus machine.
    Utc.from_utc_datetime(&naive).timestamp_millis()
}

#[test]
fn every_poml_root_matches_its_manifest() {
    let corpus = common::corpus();
    let whole_seconds = files_have_whole_second_mtimes(corpus);
    let manifest = common::manifest();
    let mut checked_calls = 0;
    let mut manifest_calls = 0;
    for root in manifest["roots"].as_array().expect("roots") {
        let kind = root["kind"].as_str().expect("kind");
        if !matches!(kind, "poml-sessions" | "damaged" | "poml-flat") {
            continue;
        }
        manifest_calls += match root["calls"].as_array() {
            Some(calls) => calls.len(),
            None => root["session_details"]
                .as_array()
                .expect("details")
                .iter()
                .map(|d| d["calls"].as_array().expect("calls").len())
                .sum(),
        };
        let path = corpus.join(root["path"].as_str().expect("path"));
        let dump = common::dump_json(&[&path]);
        let sessions = dump["sessions"].as_array().expect("sessions");
        let ctx = root["path"].as_str().expect("path");
        if kind == "poml-flat" {
            assert_eq!(sessions.len(), 1, "{ctx}");
            let session = &sessions[0];
            assert_eq!(
                session["id"], root["path"],
                "{ctx}: a flat folder is named after itself"
            );
            let spans = session["spans"].as_array().expect("spans");
            let calls = root["calls"].as_array().expect("calls");
            assert_eq!(spans.len(), calls.len(), "{ctx}: call count");
            for (span, call) in spans.iter().zip(calls) {
                check_call(span, call, whole_seconds, ctx);
                checked_calls += 1;
            }
            let starts: Vec<i64> = spans
                .iter()
                .map(|s| s["start_ms"].as_i64().expect("start"))
                .collect();
            assert_eq!(
                session["start_ms"],
                *starts.iter().min().expect("calls"),
                "{ctx}: flat start"
            );
            continue;
        }
        let ids: Vec<&Value> = sessions.iter().map(|s| &s["id"]).collect();
        let expected: Vec<&Value> = root["sessions"].as_array().expect("names").iter().collect();
        assert_eq!(ids, expected, "{ctx}: sessions in start order");
        let details: BTreeMap<&str, &Value> = root["session_details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| (d["name"].as_str().expect("name"), d))
            .collect();
        for session in sessions {
            let detail = details[session["id"].as_str().expect("id")];
            let ctx = format!("{ctx}/{}", detail["name"]);
            assert_eq!(session["source"], "poml");
            let start = local_ms(detail["timestamp"].as_str().expect("timestamp"));
            assert_eq!(
                session["start_ms"], start,
                "{ctx}: start from the folder name"
            );
            let spans = session["spans"].as_array().expect("spans");
            let calls = detail["calls"].as_array().expect("calls");
            assert_eq!(spans.len(), calls.len(), "{ctx}: call count");
            let last_end = spans
                .iter()
                .map(|s| {
                    s["start_ms"].as_i64().expect("start")
                        + s["duration_ms"].as_i64().expect("duration")
                })
                .max()
                .expect("calls");
            assert_eq!(
                session["duration_ms"],
                last_end - start,
                "{ctx}: duration to the last file"
            );
            for (span, call) in spans.iter().zip(calls) {
                check_call(span, call, whole_seconds, &ctx);
                checked_calls += 1;
            }
        }
    }
    assert!(manifest_calls > 0);
    assert_eq!(
        checked_calls, manifest_calls,
        "every call in the manifest was checked"
    );
}

#[test]
fn damaged_strays_are_reported_and_never_hide_calls() {
    let dump = common::dump_json(&[&common::corpus().join("damaged")]);
    let session = &dump["sessions"][0];
    let problems: Vec<&str> = session["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("0200.subdir.poml: a folder")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("notes.md")),
        "ordinary files are not problems"
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = common::tracetui(&["dump", "/nonexistent/pomlruns"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/pomlruns"));
    let out = common::tracetui(&["dump"]);
    assert_eq!(out.status.code(), Some(2), "no path is bad usage");
}
