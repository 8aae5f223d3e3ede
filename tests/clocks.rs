//! Clocks that disagree: files stamped by a machine whose clock runs ahead of ours, and
//! POML session names written in the writer's local time. Nothing here may depend on the
//! date, this machine's zone, or file times agreeing with this machine's clock.

mod common;

use common::Harness;
use common::live::Live;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tracetui::model::Status;
use tracetui::model::time::{NS_PER_SEC, now_ns};

const EVENT_A: &str = r#"{"id":"a","type":"tool_call","timestamp":1700000000000,"duration_ms":5,"root_id":"r","tool":"fs:read","status":"success"}"#;
const EVENT_B: &str = r#"{"id":"b","type":"tool_call","timestamp":1700000000010,"duration_ms":5,"root_id":"r","tool":"fs:write","status":"success"}"#;

/// An event file whose last line has no newline yet, stamped two hours ahead of our clock
/// (a share or a container whose clock runs fast).
fn from_the_future(dir: &Path, last: &str) -> PathBuf {
    let path = dir.join("events.jsonl");
    fs::write(&path, format!("{EVENT_A}\n{last}")).expect("write");
    let ahead = filetime::FileTime::from_unix_time(now_ns() / NS_PER_SEC + 2 * 3600, 0);
    filetime::set_file_mtime(&path, ahead).expect("mtime");
    path
}

/// A POML session folder `name` under `root` with one call's `.poml` file.
fn session_with_a_call(root: &Path, name: &str) -> PathBuf {
    let session = root.join(name);
    fs::create_dir(&session).expect("mkdir");
    fs::write(session.join("0001.plan.poml"), "<poml/>").expect("poml");
    session
}

fn span_names(live: &Live) -> Vec<String> {
    let mut names: Vec<String> = live
        .json()
        .pointer("/sessions/0/spans")
        .and_then(|s| s.as_array())
        .map(|spans| {
            spans
                .iter()
                .filter_map(|s| s["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_complete_last_line_from_a_clock_ahead_shows_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = from_the_future(dir.path(), EVENT_B);

    // Live ingest: the last line is whole JSON, only its newline is missing.
    let live = Live::open(dir.path());
    assert_eq!(span_names(&live), ["a", "b"]);

    // The UI, drawn at our clock, two hours behind the file.
    let h = Harness::open_at(
        std::slice::from_ref(&path),
        "events.jsonl",
        100,
        20,
        now_ns(),
    );
    let screen = h.screen();
    assert!(
        screen.contains("fs:write"),
        "the last event is shown:\n{screen}"
    );
    assert!(screen.contains("2 spans"), "{screen}");

    // dump.
    let json = common::dump_json(&[&path]);
    assert_eq!(json["sessions"][0]["span_count"], 2);
}

#[test]
fn the_newline_arriving_later_does_not_read_the_line_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    let start = r#"{"id":"x","type":"execution_start","timestamp":1700000000000,"root_id":"x"}"#;
    let end = r#"{"id":"x_end","type":"execution_end","timestamp":1700000000300,"root_id":"x","status":"success"}"#;
    fs::write(&path, format!("{start}\n{end}")).expect("write");
    let mut live = Live::open(dir.path());
    let once = live.json();
    assert_eq!(once["sessions"][0]["spans"][0]["duration_ms"], 300);
    fs::write(&path, format!("{start}\n{end}\n")).expect("newline");
    live.changed(&path);
    assert_eq!(live.json(), once, "the end event paired once, not twice");
}

#[test]
fn a_cut_last_line_from_a_clock_ahead_waits_for_quiet_then_is_a_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = from_the_future(dir.path(), r#"{"id":"b","type":"tool_"#);

    // Live: held while it may still be written, whatever the file's time says...
    let mut live = Live::open(dir.path());
    assert_eq!(span_names(&live), ["a"]);
    assert!(live.store.problems().next().is_none(), "not reported yet");
    // ...and a located problem once seen unchanged for the settle time.
    let problems = live.recheck(now_ns() + 2 * NS_PER_SEC);
    assert!(
        problems.iter().any(|p| p.starts_with("events.jsonl:2:")),
        "{problems:?}"
    );
    assert_eq!(span_names(&live), ["a"]);

    // The UI at our clock, a settle time after opening: the problem, and the first event.
    let h = Harness::open_at(
        std::slice::from_ref(&path),
        "events.jsonl",
        100,
        20,
        now_ns(),
    );
    let screen = h.screen();
    assert!(screen.contains("1 problem"), "{screen}");
    assert!(screen.contains("fs:read"), "{screen}");

    // dump takes the file as it is: the cut line is a located problem.
    let json = common::dump_json(&[&path]);
    assert_eq!(json["sessions"][0]["span_count"], 1);
    let problems = json["problems"].to_string();
    assert!(problems.contains("events.jsonl:2:"), "{problems}");
}

#[test]
fn a_call_stamped_ahead_settles_by_what_tracetui_saw() {
    // A call with no result, from a clock an hour ahead: "being written" at first (it was
    // just seen), then a problem once seen unchanged for a second; never "running" for
    // an hour because its file times are in our future.
    let dir = tempfile::tempdir().expect("tempdir");
    let session = session_with_a_call(dir.path(), "20261121123900861020");
    let ahead = filetime::FileTime::from_unix_time(now_ns() / NS_PER_SEC + 3600, 0);
    filetime::set_file_mtime(session.join("0001.plan.poml"), ahead).expect("mtime");
    let mut live = Live::open(dir.path());
    let span = |live: &Live| live.span("0001.plan").map(|s| s.status);
    assert_eq!(span(&live), Some(Status::Running));
    let problems = live.recheck(now_ns() + 2 * NS_PER_SEC);
    assert!(
        problems.iter().any(|p| p.contains("0001.plan.result.json")),
        "{problems:?}"
    );
    assert_eq!(span(&live), Some(Status::Incomplete));
}

/// `tracetui dump` with `TZ` set.
fn dump_in(zone: &str, format: &str, path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tracetui"))
        .args(["dump", "--format", format])
        .arg(path)
        .env("TZ", zone)
        .output()
        .expect("run tracetui");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn a_poml_root_dumps_the_same_in_every_zone() {
    let root = common::corpus().join("pomlruns");
    for format in ["json", "text"] {
        let utc = dump_in("UTC", format, &root);
        for zone in ["Asia/Tokyo", "America/New_York"] {
            assert_eq!(utc, dump_in(zone, format, &root), "{format} under {zone}");
        }
    }
    // And the sessions last what their calls do, not the distance between two zones.
    let json: serde_json::Value =
        serde_json::from_str(&dump_in("Asia/Tokyo", "json", &root)).expect("JSON");
    for session in json["sessions"].as_array().expect("sessions") {
        let ms = session["duration_ms"].as_i64().unwrap_or(0);
        assert!(ms < 3_600_000, "{}: {ms} ms", session["id"]);
    }
}

#[test]
fn a_session_named_in_tokyo_starts_when_its_first_call_did() {
    // poml in Tokyo names the folder 21:39 local; its files say 12:39 UTC.
    let dir = tempfile::tempdir().expect("tempdir");
    let session = session_with_a_call(dir.path(), "20261121213900861020");
    fs::write(
        session.join("0001.plan.result.json"),
        r#"{"messages":[{"speaker":"human","content":"hi"}]}"#,
    )
    .expect("result");
    // 2026-11-21 12:39:02 UTC, two seconds after the folder was named.
    let written = filetime::FileTime::from_unix_time(1_795_264_742, 0);
    for f in ["0001.plan.poml", "0001.plan.result.json"] {
        filetime::set_file_mtime(session.join(f), written).expect("mtime");
    }
    let json: serde_json::Value =
        serde_json::from_str(&dump_in("America/New_York", "json", dir.path())).expect("JSON");
    let s = &json["sessions"][0];
    assert_eq!(
        s["start_ms"], 1_795_264_740_861_i64,
        "the name, placed at UTC+9"
    );
    assert_eq!(s["duration_ms"], 1_139, "to the last file, not nine hours");
    let note = s["note"].as_str().unwrap_or_default();
    assert!(note.contains("UTC+09:00"), "says which offset: {note}");
    let text = dump_in("Europe/Berlin", "text", dir.path());
    assert!(text.contains("2026-11-21 12:39:00 UTC"), "{text}");
}

#[test]
fn a_session_named_after_its_first_call_shows_one_start_everywhere() {
    // The folder says 12:40:00 (UTC); a writer whose clock lags stamped the call 33 s
    // earlier. The tree row, the session pane and dump give the same start.
    let dir = tempfile::tempdir().expect("tempdir");
    let session = session_with_a_call(dir.path(), "20261121124000000000");
    // 2026-11-21 12:39:27 UTC.
    let written = filetime::FileTime::from_unix_time(1_795_264_767, 0);
    filetime::set_file_mtime(session.join("0001.plan.poml"), written).expect("mtime");
    let text = dump_in("UTC", "text", dir.path());
    assert!(text.contains("2026-11-21 12:39:27 UTC"), "{text}");
    let mut h = Harness::open(&[dir.path().to_path_buf()], "runs", 100, 20);
    h.press("g");
    let screen = h.screen();
    let row = screen.lines().find(|l| l.contains("▾")).unwrap_or_default();
    assert!(row.contains("12:39:27"), "the tree row: {screen}");
    assert!(!screen.contains("12:40:00"), "{screen}");
}
