//! The real binary in tmux, ended from outside by TERM, INT, HUP or QUIT (as `kill`, `timeout`
//! or a closed terminal window end it): the terminal is left cooked, on the main screen, with
//! mouse reporting off and the cursor shown, and the shell sees the signal in the exit status.
//! Also while the editor has the terminal (the editor is ended too, and the private copy it
//! was given removed), and when the terminal itself goes away.

mod common;

use common::tmux::{Tmux, binary};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.tar.gz"),
        dir.path(),
    );
    dir
}

/// A command line that runs tracetui (after `setup`, shell commands) on the demo, its pid in
/// `tracetui.pid`; once it has ended, `stty -a` goes to `stty.txt`, then its exit status to
/// `status.txt` (renamed into place: it is whole once it exists).
///
/// In a subshell: an interactive bash drops the rest of a command line when a job dies of
/// SIGINT, and it resets the tty modes of a job killed by a signal itself; the subshell (no
/// job control) does neither, so what tracetui left is what `stty` sees. `exec` keeps the
/// written pid tracetui's.
fn command_line(setup: &str) -> String {
    format!(
        "(sh -c 'echo $$ > tracetui.pid; {setup} exec {} demo/pomlruns'; s=$?; \
         stty -a > stty.txt; echo $s > status.tmp && mv status.tmp status.txt)",
        binary()
    )
}

/// Wait for `status.txt`, that is for tracetui to have ended; its exit status.
fn wait_status(dir: &Path) -> i32 {
    let path = dir.join("status.txt");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(Instant::now() < deadline, "tracetui did not end");
        std::thread::sleep(Duration::from_millis(30));
    }
    let status = std::fs::read_to_string(&path).expect("status.txt");
    status
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("status.txt: {status:?}"))
}

/// The pane's modes as tmux keeps them: alternate screen, mouse reporting (any-motion, button,
/// standard: tmux keeps the last one turned on; SGR encoding), the cursor's visibility.
fn modes(tmux: &Tmux) -> String {
    tmux.command(&[
        "display-message",
        "-p",
        "-t",
        "0",
        "alternate=#{alternate_on} mouse=#{mouse_any_flag}#{mouse_button_flag}\
         #{mouse_standard_flag}#{mouse_sgr_flag} cursor=#{cursor_flag}",
    ])
    .trim()
    .to_string()
}

const RUNNING: &str = "alternate=1 mouse=1001 cursor=0";
const RESTORED: &str = "alternate=0 mouse=0000 cursor=1";

fn read_pid(dir: &Path, name: &str) -> String {
    let pid = std::fs::read_to_string(dir.join(name)).expect("pid file");
    let pid = pid.trim().to_string();
    assert!(pid.parse::<u32>().is_ok(), "{name}: {pid:?}");
    pid
}

fn kill(signal: &str, pid: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {signal} {pid}");
}

/// `stty -a` as run right after tracetui ended shows a cooked terminal: `icanon`, `echo`,
/// `icrnl`, `opost` (raw mode turns each off: `-icanon` ...).
fn assert_cooked(dir: &Path) {
    let stty = std::fs::read_to_string(dir.join("stty.txt")).expect("stty.txt");
    let words: Vec<&str> = stty.split([' ', ';', '\n']).collect();
    for mode in ["icanon", "echo", "icrnl", "opost"] {
        assert!(
            words.contains(&mode),
            "terminal not restored, no {mode}: {stty}"
        );
    }
}

/// Open the demo, wait for it to draw, send `signal` from outside, and check what is left.
fn ended_by(signal: &str, number: i32) {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&command_line(""));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    assert_eq!(modes(&tmux), RUNNING, "the UI's modes, before the signal");
    kill(signal, &read_pid(demo.path(), "tracetui.pid"));
    let status = wait_status(demo.path());
    assert_eq!(modes(&tmux), RESTORED, "SIG{signal}:\n{}", tmux.screen());
    assert_eq!(status, 128 + number, "ended by SIG{signal}");
    assert_cooked(demo.path());
    let (screen, _) = tmux.wait_exit(&done);
    assert!(!screen.contains("Calls ·"), "left the UI:\n{screen}");
}

#[test]
fn sigterm_restores_the_terminal_and_ends_by_the_signal() {
    ended_by("TERM", 15);
}

#[test]
fn sigint_restores_the_terminal_and_ends_by_the_signal() {
    ended_by("INT", 2);
}

#[test]
fn sighup_restores_the_terminal_and_ends_by_the_signal() {
    ended_by("HUP", 1);
}

#[test]
fn sigquit_restores_the_terminal_and_ends_by_the_signal() {
    ended_by("QUIT", 3);
}

/// The stand-in editor runs `prelude`, gives its pid and waits for a line that never comes.
fn write_editor(dir: &Path, prelude: &str) -> std::path::PathBuf {
    let editor = dir.join("editor.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\n{prelude}\necho $$ > {}\necho \"EDITOR READY $GIVEN\"\nread line\n",
            dir.join("editor.pid").display()
        ),
    )
    .expect("write editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    editor
}

/// Gone, or a zombie not reaped yet: either way it has ended.
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
    }
}

#[test]
fn sigterm_while_the_editor_runs_ends_the_editor_and_restores() {
    let demo = demo();
    let editor = write_editor(demo.path(), "");
    let tmux = Tmux::start(100, 30, demo.path());
    // An $EDITOR that starts with an assignment still runs, now that it is exec'd.
    let done = tmux.launch(&command_line(&format!(
        "export EDITOR=\"GIVEN=assigned {}\";",
        editor.display()
    )));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    tmux.keys(&["g", "j", "e"]);
    tmux.wait_for("the editor", |s| s.contains("EDITOR READY assigned"));
    let editor_pid = read_pid(demo.path(), "editor.pid");
    assert!(!ended(&editor_pid), "the editor runs");
    kill("TERM", &read_pid(demo.path(), "tracetui.pid"));
    let status = wait_status(demo.path());
    assert!(
        ended(&editor_pid),
        "the editor is ended with tracetui, not left reading the terminal"
    );
    assert_eq!(status, 128 + 15, "ended by SIGTERM");
    assert_eq!(modes(&tmux), RESTORED, "{}", tmux.screen());
    assert_cooked(demo.path());
    let (screen, _) = tmux.wait_exit(&done);
    assert!(
        !screen.contains("Calls ·"),
        "no frame drawn after:\n{screen}"
    );
}

#[test]
fn sigterm_while_r_edits_a_context_removes_the_private_copy() {
    let demo = demo();
    let editor = write_editor(demo.path(), "");
    let tmp = demo.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&command_line(&format!(
        "export TMPDIR={} EDITOR={};",
        tmp.display(),
        editor.display()
    )));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    tmux.keys(&["g", "j", "r"]);
    tmux.wait_for("the editor", |s| s.contains("EDITOR READY"));
    let copies = || -> Vec<String> {
        std::fs::read_dir(&tmp)
            .expect("tmp")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("tracetui-"))
            .collect()
    };
    assert_eq!(
        copies().len(),
        1,
        "the context's private copy: {:?}",
        copies()
    );
    kill("TERM", &read_pid(demo.path(), "tracetui.pid"));
    let status = wait_status(demo.path());
    assert_eq!(status, 128 + 15, "ended by SIGTERM");
    assert!(copies().is_empty(), "left behind: {:?}", copies());
    assert_eq!(modes(&tmux), RESTORED, "{}", tmux.screen());
    let _ = tmux.wait_exit(&done);
}

#[test]
fn an_editor_that_ignores_the_signal_does_not_keep_tracetui() {
    let demo = demo();
    let editor = write_editor(demo.path(), "trap '' TERM");
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&command_line(&format!(
        "export EDITOR={};",
        editor.display()
    )));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    tmux.keys(&["g", "j", "e"]);
    tmux.wait_for("the editor", |s| s.contains("EDITOR READY"));
    let editor_pid = read_pid(demo.path(), "editor.pid");
    kill("TERM", &read_pid(demo.path(), "tracetui.pid"));
    // tracetui waits for the editor only so long, then ends anyway.
    let status = wait_status(demo.path());
    assert_eq!(status, 128 + 15, "ended by SIGTERM");
    assert_eq!(modes(&tmux), RESTORED, "{}", tmux.screen());
    assert_cooked(demo.path());
    // The editor, left reading the terminal, is this test's to end.
    kill("KILL", &editor_pid);
    let (screen, _) = tmux.wait_exit(&done);
    assert!(
        !screen.contains("Calls ·"),
        "no frame drawn after:\n{screen}"
    );
}

#[test]
fn a_terminal_that_goes_away_ends_tracetui() {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    // The subshell outlives the hangup (a trap, not an ignore, which tracetui would inherit)
    // to record how tracetui ended.
    tmux.launch(&format!(
        "(trap : HUP; sh -c 'exec {} demo/pomlruns'; echo $? > status.tmp && mv status.tmp status.txt)",
        binary()
    ));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    // The terminal closes under every process in it, as when its window is closed.
    tmux.command(&["kill-server"]);
    let status = wait_status(demo.path());
    // Killed by the hangup, or quit on finding its input closed, whichever came first; not
    // a panic (101) nor an error report (1).
    assert!([129, 0].contains(&status), "exit status {status}");
}
