//! The demo (`assets/demo.tar.gz`, recorded by `assets/demo_src/record.sh`) carries the real
//! timeline of its calls: modification times below the second, so every call takes a real
//! number of milliseconds and the gaps between calls are not whole seconds.

mod common;

use std::path::Path;

fn demo_calls() -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.tar.gz"),
        dir.path(),
    );
    let dump = common::dump_json(&[&dir.path().join("demo/pomlruns")]);
    let sessions = dump["sessions"].as_array().expect("sessions");
    assert!(sessions.len() >= 4, "{} sessions", sessions.len());
    sessions
        .iter()
        .flat_map(|s| s["spans"].as_array().expect("spans").clone())
        .filter(|s| s["kind"] == "poml_call")
        .collect()
}

fn ms(span: &serde_json::Value, key: &str) -> Option<i64> {
    span[key].as_i64()
}

#[test]
fn demo_calls_take_real_milliseconds() {
    let calls = demo_calls();
    assert!(calls.len() >= 30, "{} calls", calls.len());
    let durations: Vec<i64> = calls
        .iter()
        .map(|c| ms(c, "duration_ms").expect("duration_ms"))
        .collect();
    // Each call lasts from its rendered prompt to the model's answer (or error) written
    // after the HTTP round trip: never 0, and rarely twice the same.
    assert!(
        durations.iter().all(|&d| d > 0),
        "calls of 0ms: {durations:?}"
    );
    let mut distinct = durations.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() * 4 >= durations.len() * 3,
        "durations repeat: {durations:?}"
    );
    // Starts and gaps fall anywhere in the second, not on whole seconds.
    let gaps: Vec<i64> = calls.iter().filter_map(|c| ms(c, "gap_ms")).collect();
    assert!(gaps.len() >= calls.len() / 2, "{gaps:?}");
    assert!(
        gaps.iter().filter(|g| *g % 1000 != 0).count() * 2 > gaps.len(),
        "gaps of whole seconds: {gaps:?}"
    );
    let starts = calls.iter().filter_map(|c| ms(c, "start_ms"));
    assert!(
        starts.clone().filter(|s| s % 1000 != 0).count() * 2 > starts.count(),
        "starts on whole seconds"
    );
}

#[test]
fn demo_has_answers_and_failures() {
    let calls = demo_calls();
    let status = |s: &str| calls.iter().filter(|c| c["status"] == s).count();
    assert!(status("ok") >= calls.len() - 4, "{calls:?}");
    assert!(status("error") >= 1, "no failed call in the demo");
    for name in [
        "planner",
        "tool_caller",
        "receipt_reader",
        "verifier",
        "summarizer",
        "chat",
        "handbook_qa",
    ] {
        assert!(
            calls.iter().any(|c| c["name"] == name),
            "no {name} call in the demo"
        );
    }
}
