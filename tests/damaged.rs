//! Damaged and hostile input: each kind of damage becomes a problem located at its file
//! while everything else loads; huge inputs are read in bounded memory; files that vanish
//! mid-read never crash anything; the UI shows no control character from a trace.

mod common;

use common::hostile::{self, BAD, FILE_SESSION, GOOD, Hostile, LOCKED};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The real binary, as an unprivileged user when the tests run as root (root reads files
/// whatever their permissions, and "permission denied" must be seen for real).
fn tracetui_as_user(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = if unsafe_euid() == 0 {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(binary_for_anyone());
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_tracetui"))
    };
    cmd.args(args).current_dir(cwd).env("TZ", "UTC");
    cmd
}

/// A copy of the binary that another user may run (the build folder may be under a home
/// folder nobody else can enter).
fn binary_for_anyone() -> &'static Path {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = COPY.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .tempdir_in("/tmp")
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::copy(env!("CARGO_BIN_EXE_tracetui"), dir.path().join("tracetui"))
            .expect("copy the binary");
        dir
    });
    Box::leak(dir.path().join("tracetui").into_boxed_path())
}

fn unsafe_euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Run to completion; returns stdout and the child's peak resident memory in KB. The child
/// is reaped with `wait4` (for its own rusage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_measured(mut cmd: Command) -> (Vec<u8>, i64) {
    use std::io::Read;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("spawn (setpriv is in util-linux)");
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut stdout)
        .expect("read stdout");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "tracetui failed: status {status}"
    );
    (stdout, usage.ru_maxrss)
}

fn dump(h: &Hostile, format: &str) -> (Vec<u8>, i64) {
    run_measured(tracetui_as_user(
        h.dir.path(),
        &[
            "dump",
            "--format",
            format,
            "pomlruns",
            "events.jsonl",
            "mlruns",
        ],
    ))
}

fn session<'a>(dump: &'a Value, id: &str) -> &'a Value {
    dump["sessions"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("session {id} in the dump"))
}

fn span<'a>(session: &'a Value, id: &str) -> &'a Value {
    session["spans"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("span {id} in {}", session["id"]))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_damage_is_a_located_problem_and_the_rest_loads() {
    let h = hostile::build();
    let (out, _) = dump(&h, "json");
    hostile::unlock(&h);
    // serde_json refuses nesting past 128: the dump itself must stay readable.
    let dump: Value = serde_json::from_slice(&out).expect("dump is JSON any reader can parse");

    let good = session(&dump, GOOD);
    assert_eq!(good["span_count"], 10);
    assert!(strings(&good["problems"]).is_empty());
    for s in good["spans"].as_array().expect("spans") {
        assert_eq!(s["status"], "ok", "{}", s["id"]);
    }

    let bad = session(&dump, BAD);
    let cases: &[(&str, &str, &str)] = &[
        (
            "0001.truncated",
            "error",
            "0001.truncated.result.json: truncated JSON",
        ),
        ("0002.empty", "error", "0002.empty.result.json: empty file"),
        ("0003.binary", "error", "0003.binary.result.json: not UTF-8"),
        (
            "0004.badutf8",
            "error",
            "0004.badutf8.result.json: not UTF-8",
        ),
        (
            "0005.caf\u{fffd}",
            "ok",
            "0005.caf\u{fffd}: file name is not UTF-8: 0005.caf\\xe9",
        ),
        (
            "0006.dangling",
            "error",
            "0006.dangling.result.json: dangling symlink",
        ),
        ("0007.loop", "ok", "0007.loop.context.json: symlink loop"),
        (
            "0008.locked",
            "error",
            "0008.locked.result.json: permission denied",
        ),
        (
            "0009.deep",
            "error",
            "0009.deep.result.json: invalid JSON: recursion limit exceeded",
        ),
        (
            "0010.huge",
            "error",
            "0010.huge.result.json: too large to parse (1.1 GB",
        ),
        (
            "0011.badimage",
            "ok",
            "message 1: image/png image: base64 does not decode",
        ),
        (
            "0013.folder",
            "incomplete",
            "0013.folder.result.json: missing",
        ),
    ];
    for (id, status, problem) in cases {
        let s = span(bad, id);
        assert_eq!(s["status"], *status, "{id}: {s}");
        let problems = strings(&s["problems"]);
        assert!(
            problems.iter().any(|p| p.contains(problem)),
            "{id}: {problem:?} in {problems:?}"
        );
        let unique: std::collections::HashSet<_> = problems.iter().collect();
        assert_eq!(unique.len(), problems.len(), "{id}: no problem twice");
    }
    assert!(
        strings(&bad["problems"])
            .iter()
            .any(|p| p
                == "0013.folder.result.json: a folder where a call file was expected; ignored"),
        "{}",
        bad["problems"]
    );
    // Hostile text is kept as it was, escaped only by JSON.
    let escapes = span(bad, "0012.escapes");
    assert_eq!(escapes["status"], "ok");
    let content = escapes["messages"][0]["content"].as_str().expect("content");
    assert!(
        content.starts_with("\u{1b}]0;pwned\u{7}\u{1b}[2J"),
        "{content:?}"
    );
    assert!(content.ends_with("\u{202e}gnp.exe"), "{content:?}");

    let locked = session(&dump, LOCKED);
    assert_eq!(locked["span_count"], 0);
    assert!(
        strings(&locked["problems"])
            .iter()
            .any(|p| p.ends_with("cannot list the folder: permission denied")),
        "{}",
        locked["problems"]
    );

    let top = strings(&dump["problems"]);
    for expected in [
        "events.jsonl:2: invalid JSON",
        "events.jsonl:3: event without an id",
        "events.jsonl:4: input nested deeper than 100 levels; left out",
        "events.jsonl:5: event of 314.6 MB is too large to read; skipped",
        &format!("pomlruns/{FILE_SESSION}: named like a session folder, but it is not a folder"),
    ] {
        assert!(
            top.iter().any(|p| p.starts_with(expected)),
            "{expected:?} in {top:?}"
        );
    }
    // Around the damaged lines every good event still loaded, the deep one without input.
    let events = session(&dump, "r1");
    for id in ["t1", "deep", "t2", "t3"] {
        span(events, id);
    }
    assert_eq!(span(events, "deep")["input"], Value::Null);
    assert_eq!(
        span(events, "t2")["output"],
        "\u{1b}]2;owned\u{7}\u{1b}[H\u{1b}[2J"
    );
    // MLflow: a trace whose info is not YAML, one whose spans are not JSON, one with a name
    // that is an escape sequence (kept as it is in JSON).
    assert!(
        top.iter()
            .any(|p| p.contains("tr-badyaml: trace_info.yaml: invalid YAML")),
        "{top:?}"
    );
    let badjson = session(&dump, "tr-badjson");
    assert!(
        strings(&badjson["problems"])
            .iter()
            .any(|p| p.starts_with("traces.json: truncated JSON")),
        "{}",
        badjson["problems"]
    );
    let escapes = session(&dump, "tr-escapes");
    assert_eq!(
        escapes["spans"][0]["name"],
        "\u{1b}]0;mlflow-pwned\u{7}evil"
    );
    // The folder symlink back up the tree added no session twice.
    let ids: Vec<&str> = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn huge_inputs_are_read_in_bounded_memory() {
    let h = hostile::build();
    // A 1 GB result.json and a 300 MB line: neither may be loaded whole.
    let (out, peak_kb) = dump(&h, "text");
    hostile::unlock(&h);
    assert!(!out.is_empty());
    assert!(
        peak_kb < 256 * 1024,
        "peak resident memory {peak_kb} KB with a 1 GB file and a 300 MB line"
    );
}

#[test]
fn text_dump_sends_no_control_characters() {
    let h = hostile::build();
    let (out, _) = dump(&h, "text");
    hostile::unlock(&h);
    let text = String::from_utf8(out).expect("text dump is UTF-8");
    for (n, line) in text.lines().enumerate() {
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "line {n}: {line:?}"
        );
    }
    assert!(text.contains("ai: ␛]0;pwned␇␛[2J␛[10;10H␛]8;;http://evil␛\\link"));
    assert!(text.contains("<U+202E>gnp.exe"));
    assert!(
        text.contains("file name is not UTF-8: 0005.caf\\xe9"),
        "odd names are found by their bytes"
    );
}

#[test]
fn files_vanishing_mid_read_never_crash() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("pomlruns").join(BAD);
    std::fs::create_dir_all(&session).expect("mkdir");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    // A writer creating and deleting calls (and swapping files for folders) as fast as it can.
    let churn = {
        let stop = stop.clone();
        let session = session.clone();
        std::thread::spawn(move || {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let prefix = session.join(format!("{:04}.c", i % 50 + 1));
                let result = prefix.with_extension("c.result.json");
                let _ = std::fs::write(prefix.with_extension("c.poml"), "<poml/>");
                let _ = std::fs::write(&result, r#"{"messages":[]}"#);
                let _ = std::fs::remove_file(&result);
                let _ = std::fs::create_dir(&result);
                let _ = std::fs::remove_dir(&result);
                let _ = std::fs::remove_file(prefix.with_extension("c.poml"));
                i += 1;
            }
        })
    };
    let mut ingestor = tracetui::ingest::Ingestor::new(
        vec![dir.path().join("pomlruns")],
        tracetui::ingest::Options::default(),
    );
    let mut store = tracetui::model::Store::new();
    for round in 0..200 {
        let now = tracetui::model::time::now_ns();
        let updates = if round % 2 == 0 {
            ingestor.scan(now)
        } else {
            let paths: Vec<_> = std::fs::read_dir(&session)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            ingestor.changed(&paths, now)
        };
        store.apply_all(updates);
        let mut out = Vec::new();
        tracetui::dump::json::write(&store, None, &mut out).expect("dump");
        serde_json::from_slice::<Value>(&out).expect("valid JSON every time");
    }
    stop.store(true, Ordering::Relaxed);
    churn.join().expect("writer");
    // The writer removes what it made in each round; once it stops, a rescan agrees with
    // the disk: no call is left over.
    store.apply_all(ingestor.scan(tracetui::model::time::now_ns()));
    assert_eq!(std::fs::read_dir(&session).expect("session").count(), 0);
    assert_eq!(store.span_count(), 0);
}

/// The problems a file opened by name found in itself outlive the periodic rescan:
/// discovery's word on the root is kept apart.
#[test]
fn a_rescan_keeps_what_a_file_opened_by_name_said_of_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pml = dir.path().join("events.jsonl");
    std::fs::write(
        &pml,
        "{\"id\":\"a\",\"timestamp\":1700000000000,\"type\":\"tool\",\"name\":\"t\"}\nnot json at all\n",
    )
    .expect("write");
    let otlp = dir.path().join("traces.jsonl");
    std::fs::write(
        &otlp,
        format!(
            "{}\n{{\"resourceSpans\": [\n",
            std::fs::read_to_string(common::fixture("otlp/genai.jsonl"))
                .expect("fixture")
                .lines()
                .next()
                .expect("a line")
        ),
    )
    .expect("write");
    let now = tracetui::model::time::now_ns;
    let mut opened: Vec<_> = [pml, otlp]
        .into_iter()
        .map(|root| {
            let mut ingestor = tracetui::ingest::Ingestor::new(
                vec![root.clone()],
                tracetui::ingest::Options::default(),
            );
            let mut store = tracetui::model::Store::new();
            store.apply_all(ingestor.scan(now()));
            (root, ingestor, store)
        })
        .collect();
    for (root, ingestor, store) in &mut opened {
        let first: Vec<Box<str>> = store.problems().map(|p| p.message.clone()).collect();
        assert!(
            !first.is_empty(),
            "{}: the damage is a problem",
            root.display()
        );
        store.apply_all(ingestor.scan(now()));
        let again: Vec<Box<str>> = store.problems().map(|p| p.message.clone()).collect();
        assert_eq!(again, first, "{}: the rescan kept them", root.display());
    }
}
