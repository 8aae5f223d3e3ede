//! OpenTelemetry-shaped spans in the UI (MLflow traces of the real corpus, OTLP/JSON with
//! GenAI attributes): the conversation by role, the detail with tokens and exceptions,
//! drawn into a `TestBackend`.

mod common;

use common::Harness;

fn mlruns(width: u16, height: u16) -> Harness {
    Harness::open(&[common::corpus().join("mlruns")], "mlruns", width, height)
}

/// Find a span the way a person would: type a filter, land on the first match.
fn find(h: &mut Harness, text: &str) {
    h.press("/");
    h.press(text);
    h.press("<Enter>");
}

#[test]
fn an_mlflow_llm_span_shows_the_conversation() {
    let mut h = mlruns(120, 40);
    find(&mut h, "chat.completions");
    let screen = h.screen();
    insta::assert_snapshot!("mlflow_llm_messages", screen);
    assert!(
        screen.contains("Prompt · chat.completions.create"),
        "{screen}"
    );
    assert!(screen.contains("── system ──"), "{screen}");
    assert!(screen.contains("── user ──"), "{screen}");
    // The detail tab: type, model, status, ids.
    h.press("2");
    let screen = h.screen();
    assert!(screen.contains("LLM  chat.completions.create"), "{screen}");
    assert!(screen.contains("model: gpt-4o-mini-2024-07-18"), "{screen}");
}

#[test]
fn a_failed_mlflow_trace_shows_its_exception() {
    let mut h = mlruns(120, 40);
    find(&mut h, "status:error kind:agent");
    let screen = h.screen();
    insta::assert_snapshot!("mlflow_failed_root", screen);
    // MLflow makes the exception the status message too: it is said once.
    assert!(
        screen.contains("status: error: TimeoutError: LLM gateway timed out after 30s"),
        "{screen}"
    );
    assert!(!screen.contains("exception: TimeoutError"), "{screen}");
    assert!(screen.contains("✗ handle_request"), "{screen}");
}

#[test]
fn mlflow_sessions_are_named_by_their_root_span() {
    let h = mlruns(120, 40);
    let screen = h.screen();
    assert!(screen.contains("Calls · 6 sessions · 50 spans"), "{screen}");
    assert!(
        screen.contains("12:40:39 evaluate_batch 21 spans"),
        "{screen}"
    );
}

#[test]
fn a_genai_chat_span_shows_messages_by_role_and_tokens() {
    let mut h = Harness::open(
        &[common::fixture("otlp/genai.jsonl")],
        "genai.jsonl",
        120,
        40,
    );
    find(&mut h, "kind:llm gpt-4o");
    let screen = h.screen();
    insta::assert_snapshot!("genai_chat_messages", screen);
    assert!(screen.contains("── system ──"), "{screen}");
    assert!(screen.contains("→ get_weather"), "{screen}");
    assert!(screen.contains("(finish: tool_call)"), "{screen}");
    h.press("2");
    let screen = h.screen();
    assert!(
        screen.contains("tokens: 42 in · 7 out · 49 total"),
        "{screen}"
    );
    assert!(screen.contains("model: gpt-4o"), "{screen}");
}

#[test]
fn o_goes_from_an_mlflow_poml_span_to_its_poml_call_and_back() {
    let corpus = common::corpus();
    let mut h = Harness::open(
        &[corpus.join("pomlruns_mlflow"), corpus.join("mlruns")],
        "both",
        120,
        40,
    );
    find(&mut h, "kind:span poml");
    let screen = h.screen();
    assert!(screen.contains("Prompt · poml"), "{screen}");
    assert!(
        screen.contains("↔ POML call 20261121124022554353 › 0001.planner"),
        "{screen}"
    );
    h.press("<Esc>o");
    let screen = h.screen();
    assert!(screen.contains("Prompt · 0001.planner"), "{screen}");
    assert!(
        screen.contains("↔ MLflow tr-80e3ff883adbed565035e04c88d0a2bd › poml"),
        "{screen}"
    );
    h.press("o");
    assert!(h.screen().contains("Prompt · poml"), "{}", h.screen());
}

/// A string of several lines in a span's input (the POML source MLflow records) reads as
/// those lines, not as one line of `\n` and `\"` escapes; the Raw JSON tab keeps JSON's.
#[test]
fn multi_line_strings_in_inputs_read_as_text() {
    let mut h = mlruns(120, 40);
    // The first `poml` span: its input is the prompt's source.
    find(&mut h, "kind:span");
    while !h.screen().contains("Prompt · poml ") {
        h.press("n");
    }
    h.press("3");
    let text = h.app.prompt.text();
    assert!(text.contains("\"prompt\": ("), "{text}");
    assert!(text.contains("│ <poml>"), "{text}");
    assert!(!text.contains("\\n"), "{text}");
    h.press("5");
    let raw = h.app.prompt.text();
    assert!(raw.contains("\\n"), "the raw tab is JSON as written: {raw}");
}
