//! The model's reply (a POML call's `.response.json`) at the end of Messages, as `reply` in
//! `dump --format json` and as a `reply:` line in the text dump, checked against the corpus's
//! own response files (OpenAI chat completions with text or tool calls, Anthropic messages
//! with tool_use); a hostile or unreadable response is shown safely and never panics.

mod common;

use common::Harness;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOOL_REQUEST: &str = "application/vnd.poml.toolrequest";

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a response file says the model answered, read here independently of tracetui:
/// (text, [(tool name, arguments)], finish reason).
fn expected(response: &Value) -> (Option<String>, Vec<(String, Value)>, Option<String>) {
    if let Some(choice) = response["choices"].get(0) {
        let message = &choice["message"];
        let calls = message["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let args = c["function"]["arguments"].as_str().expect("arguments");
                (
                    c["function"]["name"].as_str().expect("name").to_string(),
                    serde_json::from_str(args).expect("arguments are JSON"),
                )
            })
            .collect();
        let text = message["content"].as_str().map(str::to_string);
        (
            text,
            calls,
            choice["finish_reason"].as_str().map(str::to_string),
        )
    } else {
        let blocks = response["content"].as_array().expect("Anthropic content");
        let text: Vec<&str> = blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect();
        let calls = blocks
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .map(|b| {
                (
                    b["name"].as_str().expect("name").to_string(),
                    b["input"].clone(),
                )
            })
            .collect();
        let text = (!text.is_empty()).then(|| text.concat());
        (
            text,
            calls,
            response["stop_reason"].as_str().map(str::to_string),
        )
    }
}

/// The same three from a dumped `reply`.
fn dumped(reply: &Value) -> (Option<String>, Vec<(String, Value)>, Option<String>) {
    let messages = reply["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "one choice: {reply}");
    assert_eq!(messages[0]["speaker"], "ai");
    let content = &messages[0]["content"];
    let parts: Vec<&Value> = match content {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let text: Vec<&str> = parts.iter().filter_map(|p| p.as_str()).collect();
    let calls = parts
        .iter()
        .filter(|p| p["type"] == TOOL_REQUEST)
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_string(),
                p["content"].clone(),
            )
        })
        .collect();
    let text = Some(text.concat()).filter(|t| !t.is_empty());
    (
        text,
        calls,
        reply["finish_reason"].as_str().map(str::to_string),
    )
}

#[test]
fn dump_json_reply_is_what_each_response_file_says() {
    let roots = [
        common::corpus().join("pomlruns"),
        common::corpus().join("flat_trace"),
    ];
    let dump = common::dump_json(&[&roots[0], &roots[1]]);
    let (mut with, mut without, mut tool_calls, mut anthropic) = (0, 0, 0, 0);
    for session in dump["sessions"].as_array().expect("sessions") {
        let dir = PathBuf::from(session["path"].as_str().expect("path"));
        for span in session["spans"].as_array().expect("spans") {
            let id = span["id"].as_str().expect("id");
            let file = dir.join(format!("{id}.response.json"));
            if !file.exists() {
                assert_eq!(span["reply"], Value::Null, "{id}: no response file");
                without += 1;
                continue;
            }
            with += 1;
            let response = read_json(&file);
            let want = expected(&response);
            assert!(want.0.is_some() || !want.1.is_empty(), "{id}: an answer");
            tool_calls += usize::from(!want.1.is_empty());
            anthropic += usize::from(response["type"] == "message");
            assert_eq!(span["reply"]["error"], Value::Null, "{id}");
            assert_eq!(dumped(&span["reply"]), want, "{id}");
        }
    }
    assert!(
        with >= 20 && without > 0,
        "{with} replies, {without} without"
    );
    assert!(
        tool_calls >= 5 && anthropic >= 1,
        "{tool_calls} {anthropic}"
    );
}

#[test]
fn text_dump_has_a_reply_line_per_response() {
    let root = common::corpus().join("flat_trace");
    let out = common::tracetui(&["dump", &root.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let replies: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("reply: "))
        .collect();
    let files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("flat_trace")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".response.json"))
        .collect();
    assert_eq!(replies.len(), files.len(), "{text}");
    // The tool caller's line names each call and the finish reason, after its messages.
    let (_, calls, finish) = expected(&read_json(&root.join("0002.tool_caller.response.json")));
    let names: Vec<String> = calls.iter().map(|(n, _)| format!("→ {n}")).collect();
    let line = format!(
        "reply: {}  (finish: {})",
        names.join("  "),
        finish.expect("a finish reason")
    );
    let call = text.find("0002 tool_caller").expect("the call");
    let next = text[call..].find("0003 ").expect("the next call") + call;
    assert!(
        text[call..next].contains(&line),
        "{line} in\n{}",
        &text[call..next]
    );
}

#[test]
fn the_reply_ends_the_messages_tab() {
    // First session, third call: two tool calls in an OpenAI chat completion.
    let root = common::corpus().join("pomlruns");
    let mut h = Harness::open(std::slice::from_ref(&root), "pomlruns", 120, 40);
    h.press("jjj<Tab>G");
    let screen = h.screen();
    assert!(screen.contains("0003.tool_caller"), "{screen}");
    let session = std::fs::read_dir(&root)
        .expect("pomlruns")
        .map(|e| e.expect("entry").path())
        .min()
        .expect("a session");
    let (_, calls, finish) = expected(&read_json(&session.join("0003.tool_caller.response.json")));
    assert!(calls.len() >= 2, "{calls:?}");
    // Under the reply's header (the recorded messages above may hold calls of the same name).
    let reply_at = usize::from(h.row_of("── reply ──"));
    let below: Vec<&str> = screen.lines().skip(reply_at + 1).collect();
    let has = |needle: &str| below.iter().any(|l| l.contains(needle));
    for (name, args) in &calls {
        assert!(has(&format!("→ tool call {name}")), "{name} in\n{screen}");
        // Arguments pretty-printed, a key a line.
        for key in args.as_object().expect("arguments object").keys() {
            assert!(has(&format!("\"{key}\": ")), "{key} in\n{screen}");
        }
    }
    let finish = finish.expect("a finish reason");
    assert!(has(&format!("finish reason: {finish}")), "{screen}");
    insta::assert_snapshot!("reply_120x40", screen);
}

/// A copy of the flat trace whose tool caller's response is `hostile` and whose planner's is
/// not JSON at all.
fn hostile_copy(hostile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let flat = dir.path().join("flat_trace");
    common::copy_tree(
        &common::corpus().join("flat_trace"),
        &flat,
        common::Links::Keep,
    );
    std::fs::write(flat.join("0002.tool_caller.response.json"), hostile).expect("write");
    std::fs::write(flat.join("0001.planner.response.json"), "{\"choices\": [").expect("write");
    dir
}

const HOSTILE: &str = r#"{"choices": [
  {"message": {"content": "\u001b]0;pwned\u0007\u001b[2Jclear\u202eevil\nsecond line",
               "tool_calls": [
                 {"id": 5, "function": {"name": "\u001b[31mred", "arguments": "{\"k\": \"\\u001b[1mbold\"}"}},
                 "junk",
                 {"function": {"name": ["x"], "arguments": 7}}]},
   "finish_reason": "\u001b[5mblink"},
  42,
  {"message": null, "finish_reason": {"x": 1}}
]}"#;

#[test]
fn a_hostile_or_broken_response_is_shown_safely() {
    let dir = hostile_copy(HOSTILE);
    let flat = dir.path().join("flat_trace");
    let mut h = Harness::open(std::slice::from_ref(&flat), "flat_trace", 120, 40);
    h.press("jj<Tab>G");
    let screen = h.screen();
    assert!(screen.contains("0002.tool_caller"), "{screen}");
    assert!(screen.contains("── reply, choice 1 of 3 ──"), "{screen}");
    assert!(screen.contains("── reply, choice 3 of 3 ──"), "{screen}");
    assert!(screen.contains("(no text and no tool calls)"), "{screen}");
    assert!(screen.contains("→ tool call ␛[31mred"), "{screen}");
    assert!(screen.contains("finish reason: ␛[5mblink"), "{screen}");
    let bad = unsafe_cells(&h);
    assert!(bad.is_empty(), "{bad:?} in\n{screen}");
    // The planner's response is not JSON: a line says so, the messages above still show.
    h.press("<Tab><Tab>k<Tab>G");
    let screen = h.screen();
    assert!(screen.contains("0001.planner"), "{screen}");
    assert!(
        screen.contains("0001.planner.response.json: the reply could not be read: "),
        "{screen}"
    );

    // The JSON dump keeps the text as it was (escaped by JSON only); the text dump is safe.
    let dump = common::dump_json(&[&flat]);
    let spans = dump["sessions"][0]["spans"].as_array().expect("spans");
    let span = |id: &str| spans.iter().find(|s| s["id"] == id).expect(id);
    let reply = &span("0002.tool_caller")["reply"];
    assert_eq!(reply["messages"].as_array().map(Vec::len), Some(3));
    let content = &reply["messages"][0]["content"];
    assert!(
        content[0]
            .as_str()
            .is_some_and(|t| t.starts_with("\u{1b}]0;pwned\u{7}")),
        "{content}"
    );
    assert_eq!(content[1]["name"], "\u{1b}[31mred");
    assert_eq!(content[1]["id"], "5");
    assert_eq!(
        content[1]["content"],
        serde_json::json!({"k": "\u{1b}[1mbold"})
    );
    assert_eq!(reply["finish_reason"], "\u{1b}[5mblink");
    let broken = &span("0001.planner")["reply"];
    assert_eq!(broken["messages"], serde_json::json!([]));
    assert!(
        broken["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{broken}"
    );
    assert!(
        span("0001.planner")["problems"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let out = common::tracetui(&["dump", &flat.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains("reply: could not be read: "), "{text}");
    assert!(text.contains("→ ␛[31mred"), "{text}");
}

/// Cells a terminal would act on rather than print (as `ui_hostile.rs` checks).
fn unsafe_cells(harness: &Harness) -> Vec<(u16, u16, String)> {
    let buffer = harness.terminal.backend().buffer();
    let mut bad = Vec::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if symbol.chars().any(|c| {
                c.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
            }) {
                bad.push((x, y, symbol.escape_debug().to_string()));
            }
        }
    }
    bad
}
