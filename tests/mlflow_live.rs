//! MLflow traces arriving as MLflow writes them (info and tags first, spans last through a
//! temporary file renamed into place), traces whose spans never come, the 2.x layout, and
//! traces that go away; without a terminal, telling the ingestor what changed.

mod common;

use common::live::Live;
use common::{Links, copy_tree};

use std::fs;
use tracetui::model::Status;
use tracetui::model::time::{NS_PER_SEC, now_ns};

const TRACE: &str = "803886266053338597/traces/tr-80e3ff883adbed565035e04c88d0a2bd";

#[test]
fn a_trace_in_flight_fills_in_when_its_spans_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("mlruns");
    let source = common::corpus().join("mlruns");
    let trace = root.join(TRACE);
    // MLflow writes the experiment, then the trace's info, tags and metadata.
    fs::create_dir_all(trace.parent().expect("traces")).expect("mkdir");
    fs::copy(
        source.join("803886266053338597/meta.yaml"),
        root.join("803886266053338597/meta.yaml"),
    )
    .expect("meta");
    fs::create_dir(&trace).expect("trace dir");
    fs::copy(
        source.join(TRACE).join("trace_info.yaml"),
        trace.join("trace_info.yaml"),
    )
    .expect("info");
    copy_tree(
        &source.join(TRACE).join("tags"),
        &trace.join("tags"),
        Links::Follow,
    );
    let mut live = Live::open(&root);
    let (_, session) = live
        .store
        .sessions()
        .next()
        .expect("the trace shows at once");
    assert_eq!(&*session.id, "tr-80e3ff883adbed565035e04c88d0a2bd");
    assert_eq!(session.span_count(), 1);
    let pending = session.span(session.roots()[0]);
    assert_eq!(pending.status, Status::Running, "in flight");
    assert_eq!(live.store.name(pending.name), "handle_request");
    assert_eq!(live.store.problem_count(), 0, "in flight is not a problem");

    // The spans go to a temporary file first (MLflow 3.17), then are renamed into place.
    let artifacts = trace.join("artifacts");
    fs::create_dir(&artifacts).expect("artifacts");
    let temp = artifacts.join(".artifact.uploading.x1");
    let spans = fs::read(source.join(TRACE).join("artifacts/traces.json")).expect("spans");
    fs::write(&temp, &spans[..spans.len() / 2]).expect("half");
    live.changed_all(&[artifacts.clone(), temp.clone()], now_ns());
    let (_, session) = live.store.sessions().next().expect("session");
    assert_eq!(session.span_count(), 1, "a temporary file is not the spans");
    assert_eq!(live.store.problem_count(), 0);
    fs::write(&temp, &spans).expect("whole");
    fs::rename(&temp, artifacts.join("traces.json")).expect("rename");
    live.changed_all(&[temp, artifacts.join("traces.json")], now_ns());
    let (_, session) = live.store.sessions().next().expect("session");
    assert_eq!(session.span_count(), 9);
    assert!(
        session.find("(pending)").is_none(),
        "the placeholder is gone"
    );
    assert!(!session.any_running());

    // Loaded at once, the same trace gives the same dump.
    copy_tree(
        &source.join(TRACE).join("request_metadata"),
        &trace.join("request_metadata"),
        Links::Follow,
    );
    live.changed_all(&[trace.join("request_metadata")], now_ns());
    assert_eq!(live.json(), Live::open(&root).json());

    // The trace is deleted: its session goes.
    fs::remove_dir_all(&trace).expect("remove");
    live.changed_all(&[trace], now_ns());
    assert_eq!(live.store.session_count(), 0);
}

#[test]
fn spans_that_never_come_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = dir
        .path()
        .join("traces/tr-00000000000000000000000000000001");
    fs::create_dir_all(&trace).expect("mkdir");
    let info = trace.join("trace_info.yaml");
    fs::write(
        &info,
        "trace_id: tr-00000000000000000000000000000001\nrequest_time: '2026-11-21T10:00:00Z'\nstate: IN_PROGRESS\n",
    )
    .expect("info");
    let old = filetime::FileTime::from_unix_time(now_ns() / NS_PER_SEC - 3600, 0);
    filetime::set_file_mtime(&info, old).expect("mtime");
    let live = Live::open(dir.path());
    let (_, session) = live.store.sessions().next().expect("session");
    let span = session.span(session.roots()[0]);
    assert_eq!(span.status, Status::Incomplete);
    assert_eq!(
        span.problems[0].to_string(),
        "traces.json: no traces.json yet: the trace's spans were never exported"
    );
}

#[test]
fn the_mlflow2_layout_reads_the_same_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = dir.path().join("0/traces/7f3e9a1c2b4d4e5f8a6b7c8d9e0f1a2b");
    fs::create_dir_all(trace.join("artifacts")).expect("mkdir");
    fs::write(
        trace.join("trace_info.yaml"),
        "request_id: 7f3e9a1c2b4d4e5f8a6b7c8d9e0f1a2b\nexperiment_id: '0'\n\
         timestamp_ms: 1718000000000\nexecution_time_ms: 250\nstatus: OK\n",
    )
    .expect("info");
    let span = |name: &str, id: &str, parent: &str, start: i64, end: i64, kind: &str| {
        format!(
            r#"{{"name": "{name}", "context": {{"span_id": "0x{id}", "trace_id": "0x7f3e9a1c2b4d4e5f8a6b7c8d9e0f1a2b"}}, "parent_id": {parent}, "start_time": {start}, "end_time": {end}, "status_code": "OK", "status_message": "", "attributes": {{"mlflow.traceRequestId": "\"7f3e9a1c2b4d4e5f8a6b7c8d9e0f1a2b\"", "mlflow.spanType": "\"{kind}\"", "mlflow.spanInputs": "{{\"q\": \"hi\"}}"}}, "events": []}}"#
        )
    };
    let t0 = 1_718_000_000_000_000_000i64;
    fs::write(
        trace.join("artifacts/traces.json"),
        format!(
            r#"{{"spans": [{}, {}], "request": "{{}}", "response": "\"ok\""}}"#,
            span(
                "chain",
                "1a2b3c4d5e6f7081",
                "null",
                t0,
                t0 + 250_000_000,
                "CHAIN"
            ),
            span(
                "llm",
                "8071f6e5d4c3b2a1",
                "\"0x1a2b3c4d5e6f7081\"",
                t0 + 10_000_000,
                t0 + 200_000_000,
                "LLM"
            ),
        ),
    )
    .expect("spans");
    let live = Live::open(dir.path());
    let dump = live.json();
    let session = &dump["sessions"][0];
    assert_eq!(session["id"], "7f3e9a1c2b4d4e5f8a6b7c8d9e0f1a2b");
    assert_eq!(session["start_ms"], 1_718_000_000_000i64);
    let spans = session["spans"].as_array().expect("spans");
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[1]["id"], "8071f6e5d4c3b2a1");
    assert_eq!(spans[1]["parent"], "1a2b3c4d5e6f7081");
    assert_eq!(spans[1]["kind"], "llm");
    assert_eq!(spans[1]["duration_ms"], 190.0);
    assert_eq!(spans[1]["input"], serde_json::json!({"q": "hi"}));
}
