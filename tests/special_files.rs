//! Files that are not what their names say: a FIFO, a socket or a link to a device named
//! like an event file, next to a good one. Each is a located problem (never opened, never
//! blocking), and the rest still shows, at the first read and when a known file is
//! replaced by one while watched.

mod common;

use common::live::Live;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use tracetui::model::time::now_ns;

const EVENT: &str = r#"{"id":"a","type":"tool_call","timestamp":1700000000000,"duration_ms":5,"root_id":"r","tool":"fs:read","status":"success"}"#;

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only reads it.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn problems_of(json: &serde_json::Value) -> String {
    json["problems"].to_string()
}

#[test]
fn special_files_named_like_event_files_are_located_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("good.jsonl"), format!("{EVENT}\n")).expect("write");
    mkfifo(&dir.path().join("fifo.jsonl"));
    let _socket =
        std::os::unix::net::UnixListener::bind(dir.path().join("sock.jsonl")).expect("socket");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.jsonl")).expect("link");

    let json = common::dump_json(&[dir.path()]);
    assert_eq!(
        json["sessions"][0]["span_count"], 1,
        "the good file still shows"
    );
    let problems = problems_of(&json);
    for (name, what) in [
        ("fifo.jsonl", "a FIFO"),
        ("sock.jsonl", "a socket"),
        ("zero.jsonl", "a device"),
    ] {
        assert!(
            problems.contains(name) && problems.contains(what),
            "{name} ({what}) in {problems}"
        );
    }
    // Opened on its own, too.
    let out = common::tracetui(&["dump", &dir.path().join("fifo.jsonl").display().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not a regular file (a FIFO)"), "{text}");
}

#[test]
fn a_watched_file_replaced_by_a_fifo_is_a_problem_not_a_silent_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    fs::write(&path, format!("{EVENT}\n")).expect("write");
    let mut live = Live::open(dir.path());
    assert_eq!(live.store.span_count(), 1);
    fs::remove_file(&path).expect("rm");
    mkfifo(&path);
    let problems = live.changed(&path);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("events.jsonl") && p.contains("a FIFO")),
        "{problems:?}"
    );
    // The periodic rescan keeps saying so.
    live.store.apply_all(live.ingestor.scan(now_ns()));
    let all = problems_of(&live.json());
    assert!(all.contains("a FIFO"), "{all}");
}
