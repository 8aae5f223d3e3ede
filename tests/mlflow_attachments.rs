//! MLflow attachments, written by the real mlflow (an image_url data URI in a chat span's
//! inputs that MLflow stores as an attachment, and an Attachment in its outputs): the
//! prompt pane shows each as the image its file beside the trace holds, not as a reference.

mod common;

use common::Harness;

#[test]
fn attachments_show_as_the_images_their_files_hold() {
    let python = common::mlflow_python();
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = common::run_ok(
        std::process::Command::new(&python)
            .arg(common::fixture("mlflow/attachments.py"))
            .current_dir(scratch.path())
            .env("MLFLOW_ALLOW_FILE_STORE", "true"),
        "mlflow",
    );
    let sizes: serde_json::Value = serde_json::from_slice(
        out.stdout
            .split(|&b| b == b'\n')
            .rfind(|l| l.starts_with(b"{"))
            .unwrap_or(b"{}"),
    )
    .expect("the sizes the producer printed");
    let described = |key: &str| {
        let [bytes, w, h] = [0, 1, 2].map(|i| sizes[key][i].as_u64().expect("a number"));
        format!("[attachment image/png · {bytes} B · {w}×{h}]")
    };
    let mlruns = scratch.path().join("mlruns");
    let mut h = Harness::open(&[mlruns], "mlruns", 120, 40);
    h.press("/");
    h.press("kind:chat_model");
    h.press("<Enter>");
    let text = h.app.prompt.text();
    assert!(text.contains(&described("input")), "{text}");
    assert!(!text.contains("mlflow-attachment://"), "{text}");
    // Output: the Attachment the span returned.
    // A model call's tabs: Messages, Detail, Input, Output, Raw JSON.
    h.press("4");
    assert_eq!(h.app.prompt.current(), Some(tracetui::detail::Tab::Output));
    let text = h.app.prompt.text();
    assert!(text.contains(&described("output")), "{text}");
}
