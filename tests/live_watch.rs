//! The real watcher and ingest thread: files written into a watched folder reach the app.
//! Waits are on the channel with a generous deadline, never sleeps used as synchronisation.

use std::fs;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use tracetui::app::event::AppEvent;
use tracetui::app::{App, Node};
use tracetui::ingest::Options;
use tracetui::ingest::live::{self, LiveOptions};
use tracetui::model::Status;
use tracetui::model::time::Zone;

const RESULT: &str = r#"{"messages":[{"speaker":"human","content":"hello from call NAME"}]}"#;

/// Feed events into the app until `done` holds or 20 s pass.
fn pump(app: &mut App, rx: &Receiver<AppEvent>, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(app) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        match rx.recv_timeout(left) {
            Ok(AppEvent::Ingested(updates)) => {
                app.ingest(updates);
                app.settle();
            }
            Ok(AppEvent::Watch(status)) => app.watch = Some(status),
            Ok(_) => {}
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

fn write_call(session: &Path, index: u32, name: &str) {
    let file = |suffix: &str| session.join(format!("{index:04}.{name}{suffix}"));
    fs::write(file(".poml"), b"<poml><p>hi</p></poml>").expect("poml");
    fs::write(file(".result.json"), RESULT.replace("NAME", name)).expect("result");
}

fn status_of(app: &App, name: &str) -> Option<Status> {
    app.store.sessions().find_map(|(_, s)| {
        s.spans_in_order()
            .into_iter()
            .map(|id| s.span(id))
            .find(|span| app.store.name(span.name) == name)
            .map(|span| span.status)
    })
}

fn run(poll: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("pomlruns");
    let (tx, rx) = mpsc::sync_channel(16);
    let options = Options::default();
    let live_options = LiveOptions {
        poll,
        poll_interval: Duration::from_millis(50),
        ..LiveOptions::default()
    };
    live::spawn(vec![root.clone()], options, live_options, tx).expect("spawn");
    let mut app = App::new(vec![root.clone()], Zone::Utc);

    // The root does not exist yet: it is waited for.
    pump(&mut app, &rx, "waiting status", |a| {
        a.watch
            .as_ref()
            .is_some_and(|w| w.waiting == vec![root.clone()])
    });
    let session = root.join("20261121130000000001");
    fs::create_dir_all(&session).expect("mkdir");
    pump(&mut app, &rx, "the new session", |a| {
        a.store.session_count() == 1
    });
    assert!(app.watch.as_ref().is_some_and(|w| w.waiting.is_empty()));

    for (i, name) in ["planner", "tool_caller", "summarizer"].iter().enumerate() {
        write_call(&session, i as u32 + 1, name);
        pump(&mut app, &rx, name, |a| {
            status_of(a, name) == Some(Status::Ok)
        });
        // Follow mode keeps the newest call selected.
        let newest = app.selected().and_then(Node::span).map(|(s, id)| {
            let session = app.store.session(s).expect("session");
            app.store.name(session.span(id).name).to_string()
        });
        assert_eq!(newest.as_deref(), Some(*name));
    }

    fs::remove_dir_all(&session).expect("rm");
    pump(&mut app, &rx, "the session to go", |a| {
        a.store.session_count() == 0
    });
}

#[test]
fn the_native_watcher_brings_new_calls_and_removals() {
    run(false);
}

#[test]
fn the_poll_watcher_does_too() {
    run(true);
}

/// An MLflow trace written into a watched store, as MLflow writes it: the trace shows in
/// flight as soon as its info lands and fills in when its spans are renamed into place.
#[test]
fn an_mlflow_trace_arrives_through_the_real_watcher() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("mlruns");
    fs::create_dir_all(root.join("7")).expect("mkdir");
    fs::write(root.join("7/meta.yaml"), "name: live\n").expect("meta");
    let (tx, rx) = mpsc::sync_channel(16);
    let options = Options::default();
    live::spawn(vec![root.clone()], options, LiveOptions::default(), tx).expect("spawn");
    let mut app = App::new(vec![root.clone()], Zone::Utc);
    pump(&mut app, &rx, "the watcher", |a| a.watch.is_some());
    let trace = root.join("7/traces/tr-0123456789abcdef0123456789abcdef");
    fs::create_dir_all(trace.join("tags")).expect("mkdir");
    fs::write(trace.join("tags/mlflow.traceName"), "agent").expect("tag");
    fs::write(
        trace.join("trace_info.yaml"),
        "trace_id: tr-0123456789abcdef0123456789abcdef\nrequest_time: '2026-11-21T12:00:00Z'\nstate: IN_PROGRESS\n",
    )
    .expect("info");
    pump(&mut app, &rx, "the trace in flight", |a| {
        status_of(a, "agent") == Some(Status::Running)
    });
    fs::create_dir(trace.join("artifacts")).expect("artifacts");
    let temp = trace.join("artifacts/.artifact.uploading.1");
    fs::write(
        &temp,
        r#"{"spans": [{"trace_id": "ASNFZ4mrze8BI0VniavN7w==", "span_id": "AAAAAAAAAAE=", "parent_span_id": null, "name": "agent", "start_time_unix_nano": 1795262400000000000, "end_time_unix_nano": 1795262401000000000, "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {"mlflow.spanType": "\"AGENT\""}},
        {"trace_id": "ASNFZ4mrze8BI0VniavN7w==", "span_id": "AAAAAAAAAAI=", "parent_span_id": "AAAAAAAAAAE=", "name": "search", "start_time_unix_nano": 1795262400100000000, "end_time_unix_nano": 1795262400300000000, "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {"mlflow.spanType": "\"TOOL\""}}]}"#,
    )
    .expect("spans");
    fs::rename(&temp, trace.join("artifacts/traces.json")).expect("rename");
    pump(&mut app, &rx, "the spans", |a| {
        status_of(a, "search") == Some(Status::Ok) && status_of(a, "agent") == Some(Status::Ok)
    });
    let (_, session) = app.store.sessions().next().expect("session");
    assert_eq!(
        session.span_count(),
        2,
        "the placeholder made way for the spans"
    );
}

fn event(id: &str, root: &str, t: u64) -> String {
    format!(
        r#"{{"id":"{id}","type":"tool_call","timestamp":{t},"duration_ms":5,"root_id":"{root}","tool":"fs:read","status":"success"}}"#
    ) + "\n"
}

fn sessions(app: &App) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = app
        .store
        .sessions()
        .map(|(_, s)| (s.id.to_string(), s.span_count()))
        .collect();
    out.sort();
    out
}

/// A file opened on its own, appended to, rotated (renamed away, a new shorter file in its
/// place) and rewritten in place: each change reaches the app through the watcher alone
/// (the safety rescan is an hour away), with either backend.
fn a_watched_file(poll: bool) {
    use std::io::{Seek, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    fs::write(&path, event("a1", "r1", 1_700_000_000_000)).expect("write");
    let (tx, rx) = mpsc::sync_channel(16);
    let live_options = LiveOptions {
        poll,
        poll_interval: Duration::from_millis(50),
        rescan_every: Duration::from_secs(3600),
        ..LiveOptions::default()
    };
    live::spawn(vec![path.clone()], Options::default(), live_options, tx).expect("spawn");
    let mut app = App::new(vec![path.clone()], Zone::Utc);
    pump(&mut app, &rx, "the first event", |a| {
        sessions(a) == [("r1".to_string(), 1)]
    });

    // Appended (the poll watcher reports this as a new modification time).
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    f.write_all(event("a2", "r1", 1_700_000_000_010).as_bytes())
        .expect("append");
    drop(f);
    pump(&mut app, &rx, "the appended event", |a| {
        sessions(a) == [("r1".to_string(), 2)]
    });

    // Rotated: the new, shorter file at the opened path is followed.
    fs::rename(&path, dir.path().join("events-1.jsonl")).expect("rotate");
    fs::write(&path, event("b1", "r2", 1_700_000_001_000)).expect("new file");
    pump(&mut app, &rx, "the rotated-in file", |a| {
        sessions(a) == [("r2".to_string(), 1)]
    });

    // Rewritten in place, without truncating: same inode, longer, other content.
    let mut f = fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    f.rewind().expect("rewind");
    let new = event("c1", "r3", 1_700_000_002_000) + &event("c2", "r3", 1_700_000_002_010);
    f.write_all(new.as_bytes()).expect("rewrite");
    drop(f);
    pump(&mut app, &rx, "the rewritten file", |a| {
        sessions(a) == [("r3".to_string(), 2)]
    });
}

#[test]
fn a_watched_file_is_followed_natively() {
    a_watched_file(false);
}

#[test]
fn a_watched_file_is_followed_by_polling() {
    a_watched_file(true);
}
