//! Live, end to end: tracetui in tmux on an empty folder while a real poml agent writes a
//! session into it call by call. Each call shows up, follow mode selects the newest, and its
//! message is on screen.

mod common;

use common::tmux::{Tmux, binary};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn calls_written_by_real_poml_appear_and_are_followed() {
    let python = common::poml_python();
    let work = tempfile::tempdir().expect("tempdir");
    let runs = work.path().join("runs");
    std::fs::create_dir(&runs).expect("mkdir");

    let tmux = Tmux::start(120, 32, work.path());
    let done = tmux.launch(&format!("{} runs", binary()));
    tmux.wait_for("an empty, watched folder", |s| {
        s.contains("no traces yet") && s.contains("LIVE")
    });

    let agent = common::fixture("live_agent/agent.py");
    let mut child = Command::new(&python)
        .arg(&agent)
        .arg(&runs)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the agent");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("agent ready");
    assert_eq!(line.trim(), "READY");

    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        writeln!(stdin, "{name} {}", i + 1).expect("ask for a call");
        line.clear();
        stdout.read_line(&mut line).expect("agent wrote");
        assert_eq!(line.trim(), format!("WROTE {name}"));
        let call = format!("{:04}.greeter", i + 1);
        let message = format!("Live message {} from {name}", i + 1);
        let screen = tmux.wait_for(&call, |s| {
            s.contains(&format!("Prompt · {call}")) && s.contains(&message)
        });
        assert!(
            screen.contains(&match i {
                0 => "Calls · 1 session · 1 call ".to_string(),
                _ => format!("Calls · 1 session · {} calls ", i + 1),
            }),
            "{screen}"
        );
        assert!(screen.contains("LIVE"), "{screen}");
    }
    drop(stdin);
    assert!(child.wait().expect("agent exits").success());

    // A manual move pauses following; `f` resumes it.
    tmux.keys(&["k"]);
    tmux.wait_for("paused", |s| s.contains("PAUSED"));
    tmux.keys(&["f"]);
    tmux.wait_for("live again, on the newest call", |s| {
        s.contains("LIVE") && s.contains("Prompt · 0003.greeter")
    });
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
}

#[test]
fn a_path_that_does_not_exist_yet_is_waited_for() {
    let work = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start(100, 24, work.path());
    let done = tmux.launch(&format!("{} later/pomlruns", binary()));
    tmux.wait_for("waiting", |s| s.contains("waiting for later/pomlruns"));
    let session = work.path().join("later/pomlruns/20261121130000000001");
    std::fs::create_dir_all(&session).expect("mkdir");
    std::fs::write(session.join("0001.hello.poml"), "<poml/>").expect("poml");
    std::fs::write(
        session.join("0001.hello.result.json"),
        r#"{"messages":[{"speaker":"human","content":"arrived after all"}]}"#,
    )
    .expect("result");
    let screen = tmux.wait_for("the call", |s| s.contains("arrived after all"));
    assert!(!screen.contains("waiting for"), "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
}
