//! `tracetui stats` and `--filter` on the hand-written PML fixtures, against values worked
//! out by hand from the fixture lines.

mod common;

use serde_json::{Value, json};

fn run_json(args: &[&str]) -> Value {
    let out = common::tracetui(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// One field of each object in a list (`each(&stats["slowest"], "id")`).
fn each<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[field].as_str().expect("a string field"))
        .collect()
}

fn documented() -> String {
    common::fixture("pml/documented.jsonl")
        .display()
        .to_string()
}

#[test]
fn stats_of_the_documented_fixture() {
    let stats = run_json(&["stats", "--format", "json", &documented()]);
    // read_file: t1 30 ms, t3 15 ms, t6 40 ms -> nearest-rank p50 30, p95 40.
    assert_eq!(
        stats["tools"],
        json!([
            {"tool": "filesystem:read_file", "calls": 3, "errors": 0, "success_rate": 1.0, "p50_ms": 30.0, "p95_ms": 40.0, "max_ms": 40.0},
            {"tool": "web:fetch", "calls": 2, "errors": 0, "success_rate": 1.0, "p50_ms": 10.0, "p95_ms": 12.0, "max_ms": 12.0},
            {"tool": "filesystem:write_file", "calls": 1, "errors": 0, "success_rate": 1.0, "p50_ms": 5.0, "p95_ms": 5.0, "max_ms": 5.0},
            {"tool": "github:create_issue", "calls": 1, "errors": 1, "success_rate": 0.0, "p50_ms": 100.0, "p95_ms": 100.0, "max_ms": 100.0}
        ])
    );
    // Under cap_a: t1 read_file then t2 create_issue; under exec_1: t3 read_file then t4 write_file.
    assert_eq!(
        stats["sequences"],
        json!([
            {"from": "filesystem:read_file", "to": "filesystem:write_file", "count": 1},
            {"from": "filesystem:read_file", "to": "github:create_issue", "count": 1}
        ])
    );
    assert_eq!(
        stats["contains"],
        json!([
            {"capability": "summarize", "tool": "filesystem:read_file", "count": 1},
            {"capability": "triage_issue", "tool": "filesystem:read_file", "count": 1},
            {"capability": "triage_issue", "tool": "github:create_issue", "count": 1}
        ])
    );
    assert_eq!(
        each(&stats["slowest"], "id"),
        ["t2", "t6", "t1", "t3", "t8", "t7", "t4"]
    );
    // The failed call, and the run it failed.
    assert_eq!(each(&stats["failed"], "id"), ["exec_1", "t2"]);
}

#[test]
fn sequences_count_across_files_and_sessions() {
    let sandbox = common::fixture("pml/sandbox.jsonl").display().to_string();
    let stats = run_json(&["stats", "--format", "json", &documented(), &sandbox]);
    let read_file = stats["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["tool"] == "filesystem:read_file")
        .expect("tool");
    assert_eq!(
        read_file["calls"], 4,
        "3 in the documented file, 1 in the sandbox file"
    );
    assert!(
        stats["sequences"]
            .as_array()
            .expect("seq")
            .iter()
            .any(|s| s["from"] == "filesystem:read_file" && s["to"] == "github:create_pr")
    );
}

#[test]
fn the_filter_language_selects_spans_and_keeps_ancestors() {
    let dump =
        |expr: &str| run_json(&["dump", "--format", "json", "--filter", expr, &documented()]);
    let matched = |d: &Value| -> Vec<String> {
        d["sessions"]
            .as_array()
            .expect("s")
            .iter()
            .flat_map(|s| s["spans"].as_array().expect("spans").iter())
            .filter(|s| s["matched"] == true)
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect()
    };
    let d = dump("tool:github:create_issue");
    assert_eq!(matched(&d), ["t2"]);
    assert_eq!(
        each(&d["sessions"][0]["spans"], "id"),
        ["exec_1", "cap_a", "t2"],
        "ancestors stay for context"
    );
    assert_eq!(
        d["sessions"].as_array().map(Vec::len),
        Some(1),
        "sessions without a match are left out"
    );

    assert_eq!(matched(&dump("status:error")), ["exec_1", "t2", "e1"]);
    assert_eq!(matched(&dump("after:read_file")), ["t2", "t4"]);
    assert_eq!(
        matched(&dump("min:50ms")),
        ["exec_1", "cap_a", "t2", "cap_b"]
    );
    assert_eq!(matched(&dump("tool:read_file min:20ms")), ["t1", "t6"]);
    assert_eq!(
        matched(&dump("since:2023-11-14T22:13:21")),
        ["exec_2", "cap_b", "t6", "t8", "t7"]
    );
    assert_eq!(
        matched(&dump("\"rate limited\"")),
        ["t2"],
        "text in payloads"
    );
    assert_eq!(matched(&dump("kind:capability")), ["cap_a", "cap_b"]);
    assert!(
        matched(&dump("since:1h")).is_empty(),
        "the fixture is from 2023"
    );
}

#[test]
fn stats_with_a_filter_answer_questions() {
    // "the most common tools after read_file"
    let stats = run_json(&[
        "stats",
        "--format",
        "json",
        "--filter",
        "after:read_file",
        &documented(),
    ]);
    assert_eq!(
        each(&stats["tools"], "tool"),
        ["filesystem:write_file", "github:create_issue"]
    );
}

#[test]
fn a_bad_filter_is_a_usage_error() {
    let out = common::tracetui(&["dump", "--filter", "status:maybe", &documented()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("status:maybe"));
}
