//! The real binary in tmux with the real renderer: `R` renders a call with its live prompt
//! file and renders again on each save (unchanged, then the edit's diff, then a broken save
//! located by line and column); `r` renders with a context edited in `$EDITOR`. The trace
//! folder is left as it was.

mod common;

use common::hostile::fingerprint;
use common::tmux::{Tmux, binary};
use std::path::PathBuf;

fn poml_cli() -> PathBuf {
    let python = common::poml_python();
    python.parent().expect("venv bin").join("poml-cli")
}

/// The corpus, unpacked into a folder of the test's own; the session to open.
fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(&common::fixture("corpus-public.tar.gz"), dir.path());
    let session = dir.path().join("public/pomlruns/20261121123956698654");
    (dir, session)
}

#[test]
fn shift_r_renders_again_on_every_save_of_the_prompt_file() {
    let (dir, session) = corpus();
    let prompt = dir.path().join("public/workspace/prompts/translator.poml");
    let original = std::fs::read_to_string(&prompt).expect("prompt");
    let before = fingerprint(&session);

    let tmux = Tmux::start(140, 40, dir.path());
    let done = tmux.launch(&format!(
        "TRACETUI_POML={} {} {}",
        poml_cli().display(),
        binary(),
        session.display()
    ));
    tmux.wait_for("the tree", |s| s.contains("0001 translator"));
    tmux.keys(&["g", "j", "R"]);
    let screen = tmux.wait_for("the first render", |s| {
        s.contains("unchanged: exactly the messages that were sent")
    });
    assert!(screen.contains("watching "), "{screen}");
    assert!(screen.contains("translator.poml"), "{screen}");

    std::fs::write(
        &prompt,
        original.replace(
            "You localise short UI strings.",
            "You translate short UI strings.",
        ),
    )
    .expect("save");
    let screen = tmux.wait_for("the edit's diff", |s| {
        s.contains("changed: not the messages that were sent")
            && s.contains("You translate short UI strings.")
    });
    assert!(
        screen.contains("You localise short UI strings."),
        "{screen}"
    );

    // A save that breaks the prompt: the renderer's error, at its line and column.
    std::fs::write(
        &prompt,
        original.replace("{{ targets", "{{ no_such_value.x + targets"),
    )
    .expect("save");
    let screen = tmux.wait_for("the located error", |s| s.contains("error at "));
    assert!(screen.contains("translator.poml:4:"), "{screen}");
    assert!(screen.contains("no_such_value"), "{screen}");

    // Fixed again: back to unchanged, still watching.
    std::fs::write(&prompt, &original).expect("save");
    tmux.wait_for("unchanged again", |s| {
        s.contains("unchanged: exactly the messages that were sent")
    });
    close_and_quit(&tmux, &done);
    assert_eq!(
        fingerprint(&session),
        before,
        "nothing written into the trace"
    );
}

#[test]
fn r_renders_with_the_context_edited_in_the_editor() {
    let (dir, session) = corpus();
    let before = fingerprint(&session);
    let editor = dir.path().join("editor.sh");
    // A stand-in editor that changes one context value in the file it is given.
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/pt-PT/fr-FR/' \"$1\"\n").expect("editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");

    let tmux = Tmux::start(140, 40, dir.path());
    let done = tmux.launch(&format!(
        "TRACETUI_POML={} EDITOR={} {} {}",
        poml_cli().display(),
        editor.display(),
        binary(),
        session.display()
    ));
    tmux.wait_for("the tree", |s| s.contains("0001 translator"));
    tmux.keys(&["g", "j", "r"]);
    let screen = tmux.wait_for("the render with the edited context", |s| {
        s.contains("changed: not the messages that were sent") && s.contains("fr-FR")
    });
    assert!(screen.contains("from the recorded source"), "{screen}");
    // `r` again goes on from the edits: the editor now finds fr-FR (and changes nothing).
    // (Escape alone first: sent together, ESC r reads as Alt-r.)
    tmux.keys(&["Escape"]);
    tmux.wait_for("the view closed", |s| {
        !s.contains("changed: not the messages")
    });
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("the second render", |s| {
        s.contains("Render 2 took") && s.contains("fr-FR")
    });
    assert!(
        screen.contains("changed: not the messages that were sent"),
        "{screen}"
    );
    close_and_quit(&tmux, &done);
    assert_eq!(
        fingerprint(&session),
        before,
        "nothing written into the trace"
    );
}

/// Close the diff view, quit, and check tracetui ended well.
fn close_and_quit(tmux: &Tmux, done: &str) {
    tmux.keys(&["Escape"]);
    tmux.wait_for("the view closed", |s| {
        !s.contains("exactly the messages") && !s.contains("not the messages")
    });
    tmux.keys(&["q"]);
    let (_, code) = tmux.wait_exit(done);
    assert_eq!(code, 0);
}
