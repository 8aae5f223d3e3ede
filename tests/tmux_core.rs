//! The real binary in a real terminal: open the demo, navigate to a call in the second
//! session, read its message on screen, quit, and find the shell back in cooked mode.

mod common;

use common::tmux::{Tmux, binary};

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.tar.gz"),
        dir.path(),
    );
    dir
}

/// `stty -a` says `icanon` and `echo` (not `-icanon`, `-echo`) in a cooked terminal.
fn assert_cooked(tmux: &Tmux) {
    let (screen, _) = tmux.shell(
        "stty -a | tr ' ;' '\\n\\n' | grep -E -x -- '-?(icanon|echo)' | tr '\\n' ' ' | sed 's/^/STTY: /'; echo",
    );
    let line = screen
        .lines()
        .find(|l| l.starts_with("STTY: "))
        .unwrap_or_default();
    assert!(
        line.contains("icanon echo") && !line.contains("-icanon") && !line.contains("-echo"),
        "terminal not restored: {line:?}"
    );
}

#[test]
fn open_navigate_read_and_quit() {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&format!("{} demo/pomlruns", binary()));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions · 44 calls"));
    // Follow mode starts on the newest call; go to the top, the second session, its call.
    tmux.keys(&["g", "]", "j"]);
    let screen = tmux.wait_for("the second session's call", |s| {
        s.contains("Prompt · 0001.tmp")
    });
    assert!(
        screen.contains("You convert currencies using the given rate only."),
        "{screen}"
    );
    assert!(screen.contains("── human ──"), "{screen}");
    // Another tab, then the help, then quit.
    tmux.keys(&["5"]);
    tmux.wait_for("the result text", |s| s.contains("===== system ====="));
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("tracetui keys"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("tracetui keys"));
    tmux.keys(&["q"]);
    let (screen, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0);
    assert!(
        !screen.contains("Calls ·"),
        "left the alternate screen:\n{screen}"
    );
    assert_cooked(&tmux);
}

#[test]
fn ctrl_c_quits_and_restores() {
    let demo = demo();
    let tmux = Tmux::start(80, 24, demo.path());
    let done = tmux.launch(&format!("{} demo/pomlruns", binary()));
    tmux.wait_for("the tree", |s| s.contains("Calls ·"));
    tmux.keys(&["C-c"]);
    let (screen, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0, "{screen}");
    assert!(
        !screen.contains("Calls ·"),
        "left the alternate screen:\n{screen}"
    );
    assert_cooked(&tmux);
}

#[test]
fn bad_path_and_no_argument_are_usage_errors() {
    let demo = demo();
    let tmux = Tmux::start(100, 20, demo.path());
    let (screen, code) = tmux.shell(&format!("{} dump missing/", binary()));
    assert!(
        screen.contains("cannot open missing/: no such file or directory"),
        "{screen}"
    );
    assert_eq!(code, 2, "{screen}");
    let (screen, code) = tmux.shell(binary());
    assert!(screen.contains("usage: tracetui"), "{screen}");
    assert!(
        screen.contains("tracetui pomlruns/"),
        "an example: {screen}"
    );
    assert_eq!(code, 2, "{screen}");
    // With ./pomlruns present, no argument opens it.
    let done = tmux.launch(&format!("cd demo && {}", binary()));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the F12 trigger exists in debug builds only"
)]
fn a_panic_restores_the_terminal_and_reports() {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&format!(
        "TRACETUI_DEBUG_TRIGGER=panic {} demo/pomlruns 2>panic.txt",
        binary()
    ));
    tmux.wait_for("the tree", |s| s.contains("Calls ·"));
    tmux.keys(&["F12"]);
    let (screen, code) = tmux.wait_exit(&done);
    assert!(
        !screen.contains("Calls ·"),
        "left the alternate screen:\n{screen}"
    );
    assert_ne!(code, 0, "a panic is a failure: {screen}");
    let report = std::fs::read_to_string(demo.path().join("panic.txt")).expect("report");
    assert!(
        report.contains("debug trigger: a panic on request"),
        "{report}"
    );
    assert!(
        report.contains("The application panicked"),
        "color-eyre's report: {report}"
    );
    assert_cooked(&tmux);
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the F12 trigger exists in debug builds only"
)]
fn an_error_restores_the_terminal_and_reports() {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&format!(
        "TRACETUI_DEBUG_TRIGGER=error {} demo/pomlruns",
        binary()
    ));
    tmux.wait_for("the tree", |s| s.contains("Calls ·"));
    tmux.keys(&["F12"]);
    let (screen, code) = tmux.wait_exit(&done);
    assert!(screen.contains("an error on request"), "{screen}");
    assert_eq!(code, 1, "{screen}");
    assert_cooked(&tmux);
}
