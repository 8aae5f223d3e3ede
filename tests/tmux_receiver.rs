//! The real binary listening for OTLP/HTTP in a real terminal: spans sent by the
//! OpenTelemetry Python SDK appear in the tree and the status bar counts them; after quitting,
//! the recording reopens with them.

mod common;

use common::tmux::{Tmux, binary};

#[test]
fn spans_sent_to_the_listening_binary_appear() {
    let python = common::otel_python();
    // A free port: bind, read it back, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start(120, 30, dir.path());
    let record = dir.path().join("received");
    // A month-old recording of an earlier run goes when this one begins.
    std::fs::create_dir(&record).expect("mkdir");
    let old = record.join("received-20200101T000000Z-1.jsonl");
    std::fs::write(&old, "{\"resourceSpans\":[]}\n").expect("write");
    common::written_days_ago(&old, 30);
    let done = tmux.launch(&format!(
        "{} --listen 127.0.0.1:{port} --record {}",
        binary(),
        record.display()
    ));
    tmux.wait_for("listening, the old recording removed", |s| {
        s.contains(&format!("⇄ 127.0.0.1:{port} 0 spans"))
            && s.contains("removed 1 old recording (21 B)")
    });
    assert!(!old.exists());
    common::run_ok(
        std::process::Command::new(&python)
            .arg(common::fixture("otel/send_spans.py"))
            .arg(format!("http://127.0.0.1:{port}/v1/traces"))
            .arg("protobuf"),
        "the SDK",
    );
    let screen = tmux.wait_for("the spans", |s| {
        s.contains("3 spans ") && s.contains("execute_tool get_weather")
    });
    assert!(screen.contains("invoke_agent planner"), "{screen}");
    assert!(
        screen.contains(&format!("⇄ 127.0.0.1:{port} 3 spans")),
        "{screen}"
    );
    tmux.keys(&["q"]);
    let (_, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0);
    // What was received outlives the run: the recording reopens with every span.
    let files: Vec<_> = std::fs::read_dir(&record)
        .expect("the recording folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let dump = common::dump_json(&[files[0].as_path()]);
    let text = dump.to_string();
    for name in [
        "invoke_agent planner",
        "chat gpt-4o",
        "execute_tool get_weather",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    assert!(text.contains("Plan Lisbon"), "the chat's body: {text}");
}
