//! The receiver's recording: what the real OpenTelemetry SDK sends (JSON, protobuf, gRPC)
//! is appended to a file of OTLP/JSON lines, the spans' bodies are read back from it, and
//! the file reopened later gives the same `dump` as the live view; a batch the UI did not
//! take is recorded once; a recording that cannot be written falls back to memory and says
//! so.

mod common;

use common::receiver::{JSON, batch, http, sent_by_the_sdk, start_behind, store_from};
use std::path::{Path, PathBuf};
use tracetui::model::{Payload, SpanSource, Store};
use tracetui::receiver::ReceiverOptions;

fn recording_to(dir: &Path) -> ReceiverOptions {
    ReceiverOptions {
        record: Some(dir.to_path_buf()),
        ..ReceiverOptions::default()
    }
}

/// The recording's files, in the order they were begun.
fn recorded_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the recording folder")
        .map(|e| e.expect("entry").path())
        .collect();
    // `x.jsonl` before `x.2.jsonl`: by length, then name.
    files.sort_by_key(|p| (p.as_os_str().len(), p.clone()));
    files
}

/// Every span's source: where its body lives.
fn sources(store: &Store) -> Vec<SpanSource> {
    store
        .sessions()
        .flat_map(|(_, s)| {
            s.spans_in_order()
                .into_iter()
                .map(|id| s.span(id).payload.clone())
        })
        .filter_map(|p| match p {
            Payload::Span(r) => Some(r.source.clone()),
            _ => None,
        })
        .collect()
}

/// `dump --format json` of a store, without the sessions' paths (the live view names the
/// receiver, the reopened file itself).
fn dump_without_paths(store: &Store) -> serde_json::Value {
    let mut out = Vec::new();
    tracetui::dump::json::write(store, None, &mut out).expect("dump");
    let mut value: serde_json::Value = serde_json::from_slice(&out).expect("dump is JSON");
    strip_paths(&mut value);
    value
}

fn strip_paths(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("path");
            map.values_mut().for_each(strip_paths);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_paths),
        _ => {}
    }
}

fn reopened(file: &Path) -> serde_json::Value {
    let store = tracetui::ingest::load(
        &[file.to_path_buf()],
        Default::default(),
        tracetui::model::time::now_ns(),
    );
    dump_without_paths(&store)
}

#[test]
fn what_the_sdk_sends_is_recorded_read_back_from_disk_and_reopens_the_same() {
    for mode in ["json", "protobuf", "grpc"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let record = dir.path().join("received");
        let (_, rx) = sent_by_the_sdk(mode, recording_to(&record));
        let live = store_from(&rx);
        assert_eq!(live.span_count(), 3, "{mode}");
        let files = recorded_files(&record);
        assert_eq!(files.len(), 1, "{mode}: one file per run");
        let lines = std::fs::read_to_string(&files[0])
            .expect("read")
            .lines()
            .count() as u64;
        // No body is held: each names its line of the recording (a line per request).
        for source in sources(&live) {
            match source {
                SpanSource::File { file, at } => {
                    assert_eq!(&*file, files[0].as_path(), "{mode}");
                    assert!((1..=lines).contains(&at.number()), "{mode}: line {at:?}");
                }
                SpanSource::Memory(_) => panic!("{mode}: a body held in memory"),
            }
        }
        let live_dump = dump_without_paths(&live);
        // The conversation and the exception are read back from the recording.
        let text = live_dump.to_string();
        assert!(
            text.contains("Plan Lisbon") && text.contains("Fly FRA-LIS"),
            "{mode}"
        );
        assert!(
            text.contains("503 from the weather service"),
            "{mode}: {text}"
        );
        assert_eq!(reopened(&files[0]), live_dump, "{mode}");
    }
}

#[test]
fn a_body_on_several_lines_keeps_every_byte_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (addr, rx, _) = start_behind(recording_to(dir.path()), 0);
    let body = String::from_utf8(batch(3, "multi\\nline"))
        .expect("utf-8")
        .replace(",", ",\r\n  ")
        .into_bytes();
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    assert_eq!(http(addr, &post, &body).0, 200);
    let live = store_from(&rx);
    let files = recorded_files(dir.path());
    let text = std::fs::read_to_string(&files[0]).expect("read");
    assert_eq!(text.lines().count(), 1, "one request, one line");
    assert_eq!(text.len(), body.len() + 1, "line breaks became spaces");
    let live_dump = dump_without_paths(&live);
    assert!(live_dump.to_string().contains("multi\\nline"));
    assert_eq!(reopened(&files[0]), live_dump);
}

#[test]
fn a_batch_the_ui_did_not_take_is_recorded_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (addr, rx, _) = start_behind(recording_to(dir.path()), 1);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let body = batch(2, "x");
    assert_eq!(http(addr, &post, &body).0, 503, "behind: retry");
    assert_eq!(http(addr, &post, &body).0, 200);
    assert_eq!(http(addr, &post, &batch(1, "y")).0, 200);
    let live = store_from(&rx);
    let files = recorded_files(dir.path());
    let text = std::fs::read_to_string(&files[0]).expect("read");
    assert_eq!(text.lines().count(), 2, "{text}");
    let lines: Vec<u64> = sources(&live)
        .into_iter()
        .filter_map(|s| match s {
            SpanSource::File { at, .. } => Some(at.number()),
            SpanSource::Memory(_) => None,
        })
        .collect();
    // The second batch (one span) replaced two of the first's three span ids' bodies:
    // every span points at a line that exists.
    assert!(lines.iter().all(|&n| n == 1 || n == 2), "{lines:?}");
    assert_eq!(reopened(&files[0]), dump_without_paths(&live));
}

#[test]
fn a_recording_that_cannot_be_written_falls_back_to_memory_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("received");
    // Every request needs a new file (segments of one byte); the folder is gone before the
    // second, as on a disk unmounted or cleaned under a running receiver.
    let (addr, rx, statuses) = start_behind(
        ReceiverOptions {
            record_segment: 1,
            ..recording_to(&record)
        },
        0,
    );
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    assert_eq!(http(addr, &post, &batch(1, "first")).0, 200);
    std::fs::remove_dir_all(&record).expect("remove the folder");
    assert_eq!(http(addr, &post, &batch(3, "second")).0, 200);
    let live = store_from(&rx);
    let problems: Vec<String> = live.problems().map(ToString::to_string).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cannot write the recording")
                && p.contains("kept in memory from now on")),
        "{problems:?}"
    );
    assert_eq!(
        statuses.try_iter().last().map(|s| s.spans),
        Some(4),
        "every span taken"
    );
    // The later spans' bodies are in memory, whole.
    let in_memory = sources(&live)
        .into_iter()
        .filter(|s| matches!(s, SpanSource::Memory(_)))
        .count();
    assert_eq!(in_memory, 3);
    assert!(dump_without_paths(&live).to_string().contains("second"));
}

#[test]
fn a_folder_that_cannot_be_made_is_said_before_any_span() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").expect("write");
    let (addr, rx, _) = start_behind(recording_to(&file.join("received")), 0);
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a problem delivered at start");
    let mut store = Store::new();
    store.apply_all(first);
    let problems: Vec<String> = store.problems().map(ToString::to_string).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cannot record received spans")),
        "{problems:?}"
    );
    // Spans still arrive, with their bodies in memory.
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    assert_eq!(http(addr, &post, &batch(2, "kept")).0, 200);
    let live = store_from(&rx);
    assert!(dump_without_paths(&live).to_string().contains("kept"));
}

#[test]
fn old_recordings_are_removed_when_one_begins_but_never_one_still_being_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("received");
    // A receiver still running (another tracetui), idle for a month.
    let (running, _rx, _) = common::receiver::spawn_behind(recording_to(&record), 0);
    let running = running.recording.expect("a recording began");
    common::written_days_ago(&running, 30);
    let line = b"{\"resourceSpans\":[]}\n";
    let old = record.join("received-20200101T000000Z-1.jsonl");
    let old_segment = record.join("received-20200101T000000Z-1.2.jsonl");
    let recent = record.join("received-20200102T000000Z-2.jsonl");
    let theirs = record.join("notes.jsonl");
    for (path, days) in [(&old, 30), (&old_segment, 9), (&recent, 2), (&theirs, 400)] {
        std::fs::write(path, line).expect("write");
        common::written_days_ago(path, days);
    }
    let (handle, _rx, _) = common::receiver::spawn_behind(recording_to(&record), 0);
    assert_eq!(
        handle.pruned.as_deref(),
        Some("removed 1 old recording (42 B)"),
        "both files of the run last written 9 days ago"
    );
    assert!(!old.exists() && !old_segment.exists());
    assert!(recent.exists() && theirs.exists() && running.exists());
    let mine = handle.recording.expect("a recording began");
    assert!(mine.exists());

    // Past the size cap the oldest go first, and again never a run being written.
    let capped = ReceiverOptions {
        retention: tracetui::receiver::retention::Retention {
            keep: None,
            max_total: Some(1),
        },
        ..recording_to(&record)
    };
    let (third, _rx, _) = common::receiver::spawn_behind(capped, 0);
    assert_eq!(
        third.pruned.as_deref(),
        Some("removed 1 old recording (21 B)")
    );
    assert!(!recent.exists());
    assert!(theirs.exists() && running.exists() && mine.exists());
}
