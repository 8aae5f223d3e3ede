//! The real binary in tmux: `e` hands the terminal to `$EDITOR` (cooked mode, every key to
//! the editor) and takes it back (the UI redrawn and answering keys), leaving the traced
//! folder untouched; `y` puts the prompt pane's text on the clipboard through OSC 52.

mod common;

use common::hostile;
use common::tmux::{Tmux, binary};

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.tar.gz"),
        dir.path(),
    );
    dir
}

#[test]
fn e_suspends_for_the_editor_and_comes_back() {
    let demo = demo();
    let marks = tempfile::tempdir().expect("tempdir");
    let mark = marks.path().join("mark");
    let editor = marks.path().join("editor.sh");
    // A stand-in editor: says whether the terminal is cooked, what file it got, and what
    // was typed to it.
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\n\
             if stty -a | grep -q -- '-icanon'; then echo raw; else echo cooked; fi > {m}.mode\n\
             printf '%s' \"$1\" > {m}\n\
             echo 'EDITOR READY'\n\
             read line\n\
             printf '%s' \"$line\" > {m}.typed\n",
            m = mark.display()
        ),
    )
    .expect("write editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let before = hostile::fingerprint(demo.path());

    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&format!(
        "EDITOR={} {} demo/pomlruns",
        editor.display(),
        binary()
    ));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    // The first call of the first session; its source link points into the demo's workspace
    // or dangles: either way a file outside the traced folder is opened.
    tmux.keys(&["g", "j", "e"]);
    tmux.wait_for("the editor", |s| s.contains("EDITOR READY"));
    tmux.keys(&["h", "e", "l", "l", "o", "Enter"]);
    // The whole frame, notice included: the first capture after the editor may catch the
    // redraw half-way.
    tmux.wait_for("the UI back, saying what was edited", |s| {
        s.contains("Calls · 5 sessions")
            && (s.contains("Edited ") || s.contains("Opened a private copy"))
    });
    assert_eq!(
        std::fs::read_to_string(format!("{}.mode", mark.display())).expect("mode"),
        "cooked\n"
    );
    assert_eq!(
        std::fs::read_to_string(format!("{}.typed", mark.display())).expect("typed"),
        "hello",
        "every key went to the editor"
    );
    let opened = std::path::PathBuf::from(std::fs::read_to_string(&mark).expect("mark"));
    assert!(opened.is_file(), "{opened:?}");
    assert!(
        opened.ends_with("0001.planner.poml") || opened.ends_with("planner.poml"),
        "{opened:?}"
    );
    assert!(
        !opened.starts_with(demo.path().join("demo/pomlruns")),
        "{opened:?}"
    );
    // The UI answers keys again.
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("tracetui keys"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("tracetui keys"));
    tmux.keys(&["q"]);
    let (screen, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        before,
        hostile::fingerprint(demo.path()),
        "nothing changed on disk"
    );
}

#[test]
fn y_copies_the_prompt_pane_through_osc_52() {
    let demo = demo();
    let tmux = Tmux::start(100, 30, demo.path());
    tmux.command(&["set", "-g", "set-clipboard", "on"]);
    let done = tmux.launch(&format!("{} demo/pomlruns", binary()));
    tmux.wait_for("the tree", |s| s.contains("Calls · 5 sessions"));
    tmux.keys(&["g", "j", "Tab", "y"]);
    tmux.wait_for("the notice", |s| s.contains("Copied the Messages tab"));
    let buffer = tmux.command(&["show-buffer"]);
    assert!(buffer.contains("── system ──"), "{buffer}");
    assert!(buffer.contains("TripWise"), "{buffer}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
}

#[test]
fn the_config_file_in_the_xdg_folder_is_read() {
    let demo = demo();
    let xdg = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(xdg.path().join("tracetui")).expect("mkdir");
    std::fs::write(
        xdg.path().join("tracetui/config.toml"),
        "theme = \"mono\"\n[keys]\nquit = \"x\"\nhelp = \"nope\"\n",
    )
    .expect("write config");
    let tmux = Tmux::start(100, 30, demo.path());
    let done = tmux.launch(&format!(
        "XDG_CONFIG_HOME={} {} demo/pomlruns",
        xdg.path().display(),
        binary()
    ));
    // The warning can show before the demo is loaded (a slow machine): wait for both.
    tmux.wait_for("the warning, the demo loaded", |s| {
        s.contains("[keys] help: unknown key \"nope\"") && s.contains("Calls · 5 sessions")
    });
    tmux.keys(&["q", "j"]);
    tmux.wait_for("still running", |s| {
        s.contains("Calls · 5 sessions") && !s.contains("nope")
    });
    tmux.keys(&["x"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
}
