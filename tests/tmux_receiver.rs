//! The real binary listening for OTLP/HTTP in a real terminal: spans sent by the
//! OpenTelemetry Python SDK appear in the tree and the status bar counts them.

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
    let done = tmux.launch(&format!("{} --listen 127.0.0.1:{port}", binary()));
    tmux.wait_for("listening", |s| {
        s.contains(&format!("⇄ 127.0.0.1:{port} 0 spans"))
    });
    let out = std::process::Command::new(&python)
        .arg(common::fixture("otel/send_spans.py"))
        .arg(format!("http://127.0.0.1:{port}/v1/traces"))
        .arg("protobuf")
        .output()
        .expect("run the SDK");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
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
}
