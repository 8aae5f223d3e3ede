//! PML traces in every shape, written by hand with known answers, checked through
//! `dump --format json`: the tree, durations, statuses, orphans, out-of-order arrival.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Copy a fixture into a temp folder with an old mtime, so spans without an end read as
/// stopped (`incomplete`) rather than still running.
fn fixture_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::copy(common::fixture(&format!("pml/{name}")), &path).expect("copy");
    let old = filetime::FileTime::from_unix_time(1_700_000_000, 0);
    filetime::set_file_mtime(&path, old).expect("mtime");
    (dir, path)
}

fn dump(path: &Path) -> Value {
    common::dump_json(&[path])
}

fn session<'a>(dump: &'a Value, id: &str) -> &'a Value {
    dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("session {id} in {dump:#}"))
}

/// (id, parent, kind, status, duration_ms) of one span.
type Row = (String, Option<String>, String, String, Option<i64>);

/// Every span's `Row`, in dump order.
fn shape(session: &Value) -> Vec<Row> {
    session["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().expect("id").to_string(),
                s["parent"].as_str().map(str::to_string),
                s["kind"].as_str().expect("kind").to_string(),
                s["status"].as_str().expect("status").to_string(),
                s["duration_ms"].as_i64(),
            )
        })
        .collect()
}

fn row(id: &str, parent: Option<&str>, kind: &str, status: &str, ms: Option<i64>) -> Row {
    (
        id.into(),
        parent.map(Into::into),
        kind.into(),
        status.into(),
        ms,
    )
}

fn span<'a>(session: &'a Value, id: &str) -> &'a Value {
    session["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .find(|s| s["id"] == id)
        .expect("span")
}

#[test]
fn documented_events_build_the_execution_tree() {
    let (_dir, path) = fixture_copy("documented.jsonl");
    let d = dump(&path);
    let ids: Vec<&str> = d["sessions"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        ["exec_1", "exec_2"],
        "one session per root execution, in start order"
    );
    let exec_1 = session(&d, "exec_1");
    assert_eq!(exec_1["source"], "pml");
    assert_eq!(
        shape(exec_1),
        vec![
            row("exec_1", None, "execution", "error", Some(300)),
            row("cap_a", Some("exec_1"), "capability", "ok", Some(200)),
            row("t1", Some("cap_a"), "tool_call", "ok", Some(30)),
            row("t2", Some("cap_a"), "tool_call", "error", Some(100)),
            row("e1", Some("t2"), "error", "error", Some(0)),
            row("t3", Some("exec_1"), "tool_call", "ok", Some(15)),
            row("t4", Some("exec_1"), "tool_call", "ok", Some(5)),
        ]
    );
    assert_eq!(exec_1["start_ms"], 1_700_000_000_000i64);
    assert_eq!(
        span(exec_1, "t3")["start_ms"],
        1_700_000_000_250i64,
        "exact milliseconds"
    );
    let t1 = span(exec_1, "t1");
    assert_eq!(t1["name"], "filesystem:read_file");
    assert_eq!(t1["input"], serde_json::json!({"path": "data.json"}));
    assert_eq!(t1["output"], serde_json::json!({"content": "{}"}));
    assert_eq!(span(exec_1, "t2")["error"], "rate limited");

    // exec_2 arrived children first; t7's parent never came; t8 has no final newline.
    let exec_2 = session(&d, "exec_2");
    assert_eq!(
        shape(exec_2),
        vec![
            row("exec_2", None, "execution", "incomplete", None),
            row("cap_b", Some("exec_2"), "capability", "ok", Some(80)),
            row("t6", Some("cap_b"), "tool_call", "ok", Some(40)),
            row("t8", Some("exec_2"), "tool_call", "ok", Some(12)),
            row("t7", Some("ghost"), "tool_call", "ok", Some(10)),
        ]
    );
    let problems: Vec<&str> = d["problems"]
        .as_array()
        .expect("p")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("documented.jsonl:7: truncated JSON"),
        "{problems:?}"
    );
}

#[test]
fn an_execution_still_being_written_is_running() {
    // Events from a moment ago: the execution has started and not ended, and is in flight.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("live.jsonl");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    std::fs::write(
        &path,
        format!(
            "{{\"id\":\"x\",\"type\":\"execution_start\",\"timestamp\":{},\"root_id\":\"x\"}}\n\
             {{\"id\":\"c\",\"type\":\"tool_call\",\"timestamp\":{},\"duration_ms\":5,\"parent_id\":\"x\",\"root_id\":\"x\",\"tool\":\"fs:read\"}}\n",
            now - 2000,
            now - 1000
        ),
    )
    .expect("write");
    let d = dump(&path);
    assert_eq!(span(session(&d, "x"), "x")["status"], "running");
    // The same events long ago, in a file written today, are not running: they stopped.
    let (_old, old) = fixture_copy("documented.jsonl");
    filetime::set_file_mtime(&old, filetime::FileTime::now()).expect("fresh mtime");
    assert_eq!(
        span(session(&dump(&old), "exec_2"), "exec_2")["status"],
        "incomplete"
    );
}

#[test]
fn sandbox_start_and_end_events_pair_by_trace_id() {
    let (_dir, path) = fixture_copy("sandbox.jsonl");
    let d = dump(&path);
    let c1 = session(&d, "c1");
    assert_eq!(
        shape(c1),
        vec![
            row("c1", None, "capability", "error", Some(100)),
            row("s1", Some("c1"), "tool_call", "ok", Some(30)),
            row("s2", Some("c1"), "tool_call", "error", Some(40)),
        ]
    );
    assert_eq!(
        span(c1, "s1")["input"],
        serde_json::json!({"path": "src/main.rs"})
    );
    assert_eq!(span(c1, "s1")["output"], "fn main() {}");
    assert_eq!(span(c1, "s2")["error"], "403 Forbidden");
    assert_eq!(span(c1, "c1")["name"], "fix_bug");
    // The end came before the start: still one span, with both halves.
    let s4 = session(&d, "s4");
    assert_eq!(
        shape(s4),
        vec![row("s4", None, "tool_call", "ok", Some(20))]
    );
    assert_eq!(span(s4, "s4")["start_ms"], 1_700_000_100_280i64);
    assert_eq!(span(s4, "s4")["input"], serde_json::json!({"key": "k"}));
    assert_eq!(span(s4, "s4")["output"], serde_json::json!({"ok": true}));
    // A start without an end.
    assert_eq!(
        shape(session(&d, "s5")),
        vec![row("s5", None, "tool_call", "incomplete", None)]
    );
}

#[test]
fn execution_traces_with_tasks_children_first_and_orphans() {
    let (_dir, path) = fixture_copy("traces.json");
    let d = dump(&path);
    let parent = session(&d, "parent-1");
    assert_eq!(
        shape(parent),
        vec![
            row("parent-1", None, "execution", "error", Some(400)),
            row("child-1", Some("parent-1"), "capability", "ok", Some(50)),
            row("child-1/t1", Some("child-1"), "tool_call", "ok", Some(20)),
            row(
                "parent-1/t1",
                Some("parent-1"),
                "capability",
                "ok",
                Some(60)
            ),
            row(
                "parent-1/t2",
                Some("parent-1"),
                "tool_call",
                "error",
                Some(30)
            ),
        ]
    );
    // Finished 2023-11-14T22:15:00.400Z (epoch 1700000100.4 s), took 400 ms.
    assert_eq!(span(parent, "parent-1")["start_ms"], 1_700_000_100_000i64);
    assert_eq!(span(parent, "parent-1")["error"], "sum failed");
    assert_eq!(
        span(parent, "parent-1/t1")["name"],
        "local.default.fs.sum.a7f3"
    );
    assert_eq!(
        span(parent, "parent-1/t2")["input"],
        serde_json::json!({"text": "done"})
    );
    // Its parent never came: kept in the file's orphans session, never dropped.
    let orphans = session(&d, "orphans in traces.json");
    assert_eq!(
        shape(orphans),
        vec![row(
            "stray-1",
            Some("never-came"),
            "capability",
            "ok",
            Some(10)
        )]
    );
    // Stored traces (snake case, no task times): tasks laid out by parallel layer.
    let stored = session(&d, "stored-1");
    let starts: Vec<i64> = stored["spans"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| s["start_ms"].as_i64().expect("t"))
        .collect();
    let t0 = starts[0];
    assert_eq!(
        starts.iter().map(|s| s - t0).collect::<Vec<_>>(),
        vec![0, 0, 0, 40]
    );
}

#[test]
fn sse_captures_infer_times_from_durations() {
    let (_dir, path) = fixture_copy("stream.sse");
    let d = dump(&path);
    let r1 = session(&d, "r1");
    assert_eq!(
        shape(r1),
        vec![
            row("r1", None, "capability", "error", Some(320)),
            row("w1", Some("r1"), "tool_call", "ok", Some(120)),
            row("w2", Some("r1"), "tool_call", "error", Some(300)),
        ]
    );
    assert!(r1["note"].as_str().is_some_and(|n| n.contains("inferred")));
    assert_eq!(span(r1, "w2")["error"], "timeout");
    assert_eq!(span(r1, "w1")["output"], "3 hits");
    assert_eq!(
        d["problems"].as_array().map(Vec::len),
        Some(0),
        "heartbeats and comments are fine"
    );
}

#[test]
fn event_files_are_found_next_to_poml_sessions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("runs");
    std::fs::create_dir(&root).expect("mkdir");
    let session_dir = root.join("20261121123900861020");
    std::fs::create_dir(&session_dir).expect("mkdir");
    std::fs::write(session_dir.join("0001.a.poml"), "<poml/>").expect("poml");
    std::fs::write(session_dir.join("0001.a.result.json"), r#"{"messages":[]}"#).expect("result");
    std::fs::copy(
        common::fixture("pml/sandbox.jsonl"),
        root.join("tools.jsonl"),
    )
    .expect("copy");
    std::fs::write(root.join("notes.json"), r#"{"not": "a trace"}"#).expect("other json");
    let d = common::dump_json(&[&root]);
    let sources: Vec<(&str, &str)> = d["sessions"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().expect("id"),
                s["source"].as_str().expect("source"),
            )
        })
        .collect();
    assert!(
        sources.contains(&("20261121123900861020", "poml")),
        "{sources:?}"
    );
    assert!(sources.contains(&("c1", "pml")), "{sources:?}");
    assert_eq!(sources.len(), 4, "notes.json is not a trace: {sources:?}");
}

#[test]
fn a_file_that_is_no_trace_is_a_problem_when_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("readme.txt");
    std::fs::write(&path, "hello").expect("write");
    let d = common::dump_json(&[&path]);
    let problems = d["problems"].to_string();
    assert!(problems.contains("not a trace file"), "{problems}");
}

#[test]
fn a_call_without_a_duration_has_an_unknown_end_not_a_zero_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"c1","type":"capability_invoke","timestamp":1700000000000,"root_id":"r1","capability":"triage_issue","status":"success"}"#,
            "\n",
            r#"{"id":"t1","type":"tool_call","timestamp":1700000000100,"duration_ms":300,"root_id":"r1","parent_id":"c1","tool":"github:get_issue","status":"success"}"#,
            "\n",
            r#"{"id":"t2","type":"tool_call","timestamp":1700000004500,"duration_ms":300,"root_id":"r1","parent_id":"c1","tool":"github:get_issue","status":"success"}"#,
            "\n",
            r#"{"id":"e1","type":"error","timestamp":1700000004600,"root_id":"r1","parent_id":"t2","error":"late"}"#,
            "\n",
        ),
    )
    .expect("write");
    let d = dump(&path);
    let r1 = session(&d, "r1");
    assert_eq!(
        shape(r1),
        vec![
            row("c1", None, "capability", "ok", None),
            row("t1", Some("c1"), "tool_call", "ok", Some(300)),
            row("t2", Some("c1"), "tool_call", "ok", Some(300)),
            row("e1", Some("t2"), "error", "error", Some(0)),
        ]
    );
    assert_eq!(r1["duration_ms"], 4_800, "the session spans its calls");
}

/// The text dump: each failed call says why under it, from the event's `error`, and the
/// time columns line up whatever the depth.
#[test]
fn the_text_dump_says_why_and_lines_up() {
    let (_dir, path) = fixture_copy("documented.jsonl");
    let out = common::tracetui(&["dump", "--format", "text", &path.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let create = lines
        .iter()
        .position(|l| l.contains("github:create_issue"))
        .expect("the failed call");
    assert_eq!(lines[create + 1].trim(), "error: rate limited", "{text}");
    // In each session, every span's offset ends in the same column.
    let ends: Vec<usize> = lines
        .iter()
        .skip_while(|l| !l.starts_with("exec_1 "))
        .skip(1)
        .take_while(|l| !l.starts_with("exec_2 "))
        .filter_map(|l| l.find("ms ").filter(|_| l.contains(" +")))
        .collect();
    assert!(ends.len() >= 5, "{text}");
    assert!(ends.iter().all(|&e| e == ends[0]), "{ends:?}\n{text}");
}
