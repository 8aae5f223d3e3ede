//! Bad usage and surroundings tracetui cannot work in are told in a line or two, plainly,
//! with exit 2: an address that is not one, a port in use, a missing config file, no
//! terminal, a path that cannot be opened, output that cannot be written. None of them is a
//! color-eyre report (no location, no backtrace, no colour), even with RUST_BACKTRACE=1.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The real binary as a user would run it into a pipe, with backtraces asked for: a report
/// would show its frames.
fn tracetui(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tracetui"));
    cmd.args(args)
        .env("TZ", "UTC")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run tracetui")
}

/// Exit 2 and a plain message of at most two lines; returns it. Clap's own errors put a
/// blank line before "For more information", so blank lines are not counted.
fn plain_usage_error(what: &str, out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit status; stderr:\n{err}"
    );
    let lines = err.lines().filter(|l| !l.trim().is_empty()).count();
    assert!((1..=2).contains(&lines), "{what}: {lines} lines:\n{err}");
    assert!(!err.contains('\x1b'), "{what}: escape sequences in {err:?}");
    for report in ["Location:", "BACKTRACE", "Backtrace", "src/", "panicked"] {
        assert!(!err.contains(report), "{what}: {report:?} in\n{err}");
    }
    err
}

#[test]
fn listen_addresses_that_are_not_addresses_are_refused_when_parsed() {
    for (addr, says) in [
        ("notanaddr", "expected HOST:PORT"),
        (":99999", "port 99999 is out of range"),
        ("127.0.0.1:65536", "port 65536 is out of range"),
        ("127.0.0.1:http", "\"http\" is not a port number"),
    ] {
        let out = run(&mut tracetui(&["--listen", addr]));
        let err = plain_usage_error(addr, &out);
        assert!(
            err.contains("--listen") && err.contains(says),
            "{addr}: {err}"
        );
    }
}

#[test]
fn a_port_in_use_names_the_address_and_the_reason() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("local addr").to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&mut tracetui(&[
        "--listen",
        &addr,
        &dir.path().display().to_string(),
    ]));
    let err = plain_usage_error("port in use", &out);
    assert!(
        err.starts_with(&format!(
            "tracetui: cannot listen on {addr}: the address is already in use\n"
        )),
        "{err}"
    );
    assert!(err.contains("--listen :"), "a hint at another port: {err}");
    drop(taken);
}

#[test]
fn a_missing_config_file_says_it_does_not_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.toml");
    let out = run(&mut tracetui(&[
        "--config",
        &missing.display().to_string(),
        &dir.path().display().to_string(),
    ]));
    let err = plain_usage_error("missing config", &out);
    assert_eq!(
        err,
        format!(
            "tracetui: --config {}: no such file or directory\n",
            missing.display()
        )
    );
}

#[test]
fn the_ui_without_a_terminal_says_so() {
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = tracetui(&[&dir.path().display().to_string()]);
    // A session of its own: no controlling terminal to fall back on, wherever the tests run
    // (stdout is a pipe already).
    // SAFETY: setsid is async-signal-safe and touches nothing of the parent's.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let err = plain_usage_error("no terminal", &run(&mut cmd));
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(
        err.contains("tracetui dump"),
        "a hint at the headless commands: {err}"
    );
}

#[test]
fn paths_that_cannot_be_opened_are_usage_errors_in_every_command() {
    // Under /tmp, which anyone may enter, for the unprivileged run below.
    let dir = tempfile::Builder::new()
        .tempdir_in("/tmp")
        .expect("tempdir");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, "{}\n").expect("write");
    for path in [&locked, &file] {
        lock(path);
    }
    let (locked, file) = (locked.display().to_string(), file.display().to_string());
    for args in [
        vec!["dump", &locked],
        vec!["dump", &file],
        vec!["stats", &locked],
        vec!["export", "--format", "chrome", &locked],
        vec!["diff", &locked, &locked],
    ] {
        let out = run(&mut as_unprivileged(&args, dir.path()));
        let err = plain_usage_error(&args.join(" "), &out);
        assert!(
            err.contains("cannot open ") && err.contains(": permission denied"),
            "{args:?}: {err}"
        );
    }
    let out = run(&mut tracetui(&["dump", "/nonexistent/pomlruns"]));
    let err = plain_usage_error("missing", &out);
    assert_eq!(
        err,
        "tracetui: cannot open /nonexistent/pomlruns: no such file or directory\n"
    );
}

#[test]
fn output_that_cannot_be_written_is_said_plainly() {
    let corpus = common::corpus().join("pomlruns").display().to_string();
    for args in [vec!["dump", &corpus], vec!["completions", "bash"]] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = run(tracetui(&args).stdout(full));
        let err = plain_usage_error(args[0], &out);
        assert_eq!(
            err, "tracetui: cannot write the output: no space left on device\n",
            "{args:?}"
        );
    }
}

/// Readable by its owner only.
fn lock(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
}

/// Root reads whatever the permissions say; as root, run as nobody (as `damaged.rs` does).
fn as_unprivileged(args: &[&str], dir: &Path) -> Command {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return tracetui(args);
    }
    // A copy nobody may run (the build folder may be under a home folder closed to others),
    // in a folder they may enter.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let binary = dir.join("tracetui");
    if !binary.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_tracetui"), &binary).expect("copy the binary");
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(binary)
        .args(args)
        .env("TZ", "UTC")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null());
    cmd
}

/// An empty folder is not an error, but an empty answer says why (on stderr: stdout stays
/// the answer); counts read as words do ("1 span", not "1 spans").
#[test]
fn dump_of_a_folder_without_traces_says_so_and_counts_are_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::tracetui(&["dump", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no traces found"), "{err}");

    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"a\",\"type\":\"tool_call\",\"timestamp\":1700000000000,\"duration_ms\":5,\"root_id\":\"r\",\"tool\":\"fs:read\",\"status\":\"success\"}\n",
    )
    .expect("write");
    let out = common::tracetui(&["dump", &file.display().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  1 span  ") && text.contains("  0 problems  "),
        "{text}"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
