//! Watching a tree with a folder in it that may not be read, as a user who is not root:
//! the rest stays natively watched (no fall-back to polling the whole tree, no watcher
//! message crowding the status bar), the folder is a located problem, and new sessions
//! and calls still arrive.

mod common;

use common::tmux::Tmux;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn write_call(session: &Path, index: u32, name: &str) {
    let file = |suffix: &str| session.join(format!("{index:04}.{name}{suffix}"));
    fs::write(file(".poml"), "<poml/>").expect("poml");
    fs::write(
        file(".result.json"),
        format!(r#"{{"messages":[{{"speaker":"human","content":"hello from {name}"}}]}}"#),
    )
    .expect("result");
    for suffix in [".poml", ".result.json"] {
        mode(&file(suffix), 0o644);
    }
}

#[test]
fn an_unreadable_folder_leaves_the_rest_natively_watched() {
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let work = tempfile::tempdir().expect("tempdir");
    mode(work.path(), 0o755);
    // The binary where an unprivileged user can run it.
    let binary = work.path().join("tracetui");
    fs::copy(common::tmux::binary(), &binary).expect("copy the binary");
    mode(&binary, 0o755);
    let runs = work.path().join("runs");
    let session = runs.join("20261121130000000001");
    let locked = runs.join("locked");
    fs::create_dir_all(&session).expect("mkdir");
    fs::create_dir_all(locked.join("inside")).expect("mkdir");
    write_call(&session, 1, "first");
    mode(&runs, 0o777);
    mode(&session, 0o777);
    // Readable by its owner only: as the unprivileged user below, not at all.
    mode(&locked, 0o700);
    if !root {
        mode(&locked, 0o000);
    }
    let tmux = Tmux::start(120, 30, work.path());
    // As root, run as nobody: root reads every folder.
    let command = if root {
        format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups {} runs",
            binary.display()
        )
    } else {
        format!("{} runs", binary.display())
    };
    let done = tmux.launch(&command);
    let screen = tmux.wait_for("the session and the problem", |s| {
        s.contains("1 session") && s.contains("1 problem")
    });
    assert!(
        !screen.contains("polling"),
        "still watched natively:\n{screen}"
    );

    // The problem says which folder and why.
    tmux.keys(&["!"]);
    tmux.wait_for("the problem", |s| {
        s.contains("locked") && s.contains("permission denied")
    });
    tmux.keys(&["Escape"]);

    // A new call in the known session, and a new session with a call: both arrive.
    write_call(&session, 2, "second");
    tmux.wait_for("the new call", |s| s.contains("1 session · 2 calls"));
    let later = runs.join("20261121130000000002");
    fs::create_dir(&later).expect("mkdir");
    mode(&later, 0o777);
    write_call(&later, 1, "third");
    let screen = tmux.wait_for("the new session", |s| s.contains("2 sessions · 3 calls"));
    assert!(!screen.contains("polling"), "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
    mode(&locked, 0o755);
}
