//! What real instrumentations write, read by convention: OpenInference's and OpenLLMetry's
//! OpenAI instrumentations recorded live against a fake OpenAI server, their facts (kind,
//! model, token counts, messages by role, tool calls and results, tools, finish reason)
//! checked against the raw attributes the producer printed; the committed recording drawn
//! in the UI.

mod common;

use common::Harness;
use serde_json::Value;
use std::collections::BTreeMap;

/// The raw attributes of a span whose keys start with `prefix`, by the index after it.
fn indexed<'a>(
    attrs: &'a BTreeMap<String, Value>,
    prefix: &str,
) -> BTreeMap<u64, Vec<(&'a str, &'a Value)>> {
    let mut out: BTreeMap<u64, Vec<(&str, &Value)>> = BTreeMap::new();
    for (k, v) in attrs {
        let Some(rest) = k.strip_prefix(prefix) else {
            continue;
        };
        let (index, field) = rest.split_once('.').expect("index.field");
        out.entry(index.parse().expect("index"))
            .or_default()
            .push((field, v));
    }
    out
}

fn field<'a>(fields: &[(&str, &'a Value)], name: &str) -> Option<&'a Value> {
    fields.iter().find(|(f, _)| *f == name).map(|(_, v)| *v)
}

/// Run the producer script in `mode` with `python`: the raw attributes it printed, by span
/// id, and the spans `dump --format json` gives for what it wrote.
fn record(python: &std::path::Path, mode: &str) -> (BTreeMap<String, Value>, Vec<Value>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("spans.jsonl");
    let out = common::run_ok(
        std::process::Command::new(python)
            .arg(common::fixture("otel/instrumented_openai.py"))
            .arg(&file)
            .arg(mode),
        "the producer",
    );
    let raw: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).expect("raw attributes");
    let dump = common::dump_json(&[&file]);
    let spans: Vec<Value> = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .flat_map(|s| s["spans"].as_array().expect("spans").clone())
        .collect();
    assert_eq!(spans.len(), raw.len(), "{mode}");
    (raw, spans)
}

#[test]
fn openinference_openai_spans_read_as_the_producer_wrote_them() {
    let (raw, spans) = record(&common::openinference_python(), "openinference");
    assert_eq!(raw.len(), 2, "two chat completions");

    for span in &spans {
        let id = span["id"].as_str().expect("id");
        let attrs: BTreeMap<String, Value> =
            serde_json::from_value(raw[id]["attributes"].clone()).expect("attributes");
        check_openinference_llm(span, &attrs);
    }
}

/// An OpenInference LLM span in `dump` against its raw attributes: kind, model, token
/// counts, every input and output message with its role, text, tool calls and results, the
/// finish reason, and the tools offered.
fn check_openinference_llm(span: &Value, attrs: &BTreeMap<String, Value>) {
    let id = span["id"].as_str().expect("id");
    assert_eq!(attrs["openinference.span.kind"], "LLM");
    assert_eq!(span["kind"], "llm", "{id}");
    assert_eq!(span["model"], attrs["llm.model_name"], "{id}");
    assert_eq!(
        span["usage"]["input"], attrs["llm.token_count.prompt"],
        "{id}"
    );
    assert_eq!(
        span["usage"]["output"], attrs["llm.token_count.completion"],
        "{id}"
    );
    assert_eq!(
        span["usage"]["total"], attrs["llm.token_count.total"],
        "{id}"
    );

    // Messages: every input, then every output, with their roles, tool calls and
    // results as the attributes say.
    let mut expected = Vec::new();
    for prefix in ["llm.input_messages.", "llm.output_messages."] {
        expected.extend(indexed(attrs, prefix).into_values());
    }
    let messages = span["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), expected.len(), "{id}");
    for (m, fields) in messages.iter().zip(&expected) {
        assert_eq!(Some(&m["role"]), field(fields, "message.role"), "{id}");
        let parts = m["parts"].as_array().expect("parts");
        if let Some(content) = field(fields, "message.content") {
            let text = parts.iter().find_map(|p| {
                p.get("content")
                    .or_else(|| p.get("response"))
                    .and_then(Value::as_str)
            });
            assert_eq!(text, content.as_str(), "{id}");
        }
        if let Some(name) = field(fields, "message.tool_calls.0.tool_call.function.name") {
            let call = parts
                .iter()
                .find(|p| p["type"] == "tool_call")
                .expect("a tool call");
            assert_eq!(&call["name"], name, "{id}");
            assert_eq!(
                Some(&call["id"]),
                field(fields, "message.tool_calls.0.tool_call.id"),
                "{id}"
            );
            let args = field(fields, "message.tool_calls.0.tool_call.function.arguments")
                .and_then(Value::as_str)
                .expect("arguments");
            assert_eq!(
                call["arguments"],
                serde_json::from_str::<Value>(args).expect("JSON arguments")
            );
        }
        if let Some(result_id) = field(fields, "message.tool_call_id") {
            let result = parts
                .iter()
                .find(|p| p["type"] == "tool_call_response")
                .expect("a tool result");
            assert_eq!(&result["id"], result_id, "{id}");
        }
    }
    let last = messages.last().expect("a reply");
    assert_eq!(last["finish_reason"], attrs["llm.finish_reason"], "{id}");

    // Tools, from the JSON schema each is recorded as.
    let schema: Value = serde_json::from_str(
        attrs["llm.tools.0.tool.json_schema"]
            .as_str()
            .expect("schema"),
    )
    .expect("JSON");
    assert_eq!(span["tools"][0]["name"], schema["function"]["name"]);
    assert_eq!(
        span["tools"][0]["parameters"],
        schema["function"]["parameters"]
    );
}

/// A LangChain chain (prompt template, ChatOpenAI with a tool bound, the tool, the model
/// again) recorded live through OpenInference's LangChain instrumentation: its chain, prompt,
/// tool and LLM spans with the facts their attributes give.
#[test]
fn langchain_spans_through_openinference_read_as_written() {
    let (raw, spans) = record(&common::langchain_python(), "langchain");
    let mut kinds = Vec::new();
    for span in &spans {
        let id = span["id"].as_str().expect("id");
        let attrs: BTreeMap<String, Value> =
            serde_json::from_value(raw[id]["attributes"].clone()).expect("attributes");
        let kind = attrs["openinference.span.kind"].as_str().expect("a kind");
        kinds.push(kind.to_string());
        match kind {
            "LLM" => check_openinference_llm(span, &attrs),
            "CHAIN" => assert_eq!(span["kind"], "chain", "{id}"),
            "TOOL" => {
                assert_eq!(span["kind"], "tool", "{id}");
                assert_eq!(span["name"], attrs["tool.name"]);
                // input.value is text here, output.value JSON (its mime type says so).
                assert_eq!(span["input"], attrs["input.value"]);
                let output: Value =
                    serde_json::from_str(attrs["output.value"].as_str().expect("text"))
                        .expect("JSON");
                assert_eq!(span["output"], output);
            }
            _ => {}
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["CHAIN", "LLM", "LLM", "PROMPT", "TOOL"]);
}

#[test]
fn an_openinference_conversation_shows_by_role_with_its_tools() {
    let file = common::fixture("otlp/openinference.jsonl");
    let mut h = Harness::open(std::slice::from_ref(&file), "openinference.jsonl", 120, 60);
    // The second completion: the whole exchange, the tool's result and the answer.
    h.press("jjjl");
    let screen = h.screen();
    for expected in [
        "── system ──",
        "── user ──",
        "→ get_weather",
        "← tool result",
        "Sunny and 22 degrees in Lisbon.",
        "(finish: stop)",
        "Tools (1)",
        "Current weather for a city",
    ] {
        assert!(screen.contains(expected), "{expected}:\n{screen}");
    }
}

/// OpenLLMetry (Traceloop's OpenAI instrumentation, 0.49) recorded live against the fake
/// OpenAI server: `gen_ai.prompt.N.*` and `gen_ai.completion.N.*` with their tool calls and
/// results, `llm.request.functions.N.*` as tools, checked against the raw attributes.
#[test]
fn openllmetry_openai_spans_read_as_the_producer_wrote_them() {
    let (raw, spans) = record(&common::openllmetry_python(), "openllmetry");
    assert_eq!(raw.len(), 2, "two chat completions");
    for span in &spans {
        let id = span["id"].as_str().expect("id");
        let attrs: BTreeMap<String, Value> =
            serde_json::from_value(raw[id]["attributes"].clone()).expect("attributes");
        assert_eq!(span["kind"], "llm", "{id}");
        assert!(
            span["model"] == attrs["gen_ai.request.model"]
                || span["model"] == attrs["gen_ai.response.model"],
            "{id}: {}",
            span["model"]
        );
        assert_eq!(span["usage"]["input"], attrs["gen_ai.usage.input_tokens"]);
        assert_eq!(span["usage"]["output"], attrs["gen_ai.usage.output_tokens"]);
        assert_eq!(span["usage"]["total"], attrs["llm.usage.total_tokens"]);

        let mut expected = Vec::new();
        for prefix in ["gen_ai.prompt.", "gen_ai.completion."] {
            expected.extend(indexed(&attrs, prefix).into_values());
        }
        let messages = span["messages"].as_array().expect("messages");
        assert_eq!(messages.len(), expected.len(), "{id}");
        for (m, fields) in messages.iter().zip(&expected) {
            assert_eq!(Some(&m["role"]), field(fields, "role"), "{id}");
            let parts = m["parts"].as_array().expect("parts");
            if let Some(name) = field(fields, "tool_calls.0.name") {
                let call = parts
                    .iter()
                    .find(|p| p["type"] == "tool_call")
                    .expect("a tool call, not an empty assistant message");
                assert_eq!(&call["name"], name, "{id}");
                assert_eq!(Some(&call["id"]), field(fields, "tool_calls.0.id"));
                let args = field(fields, "tool_calls.0.arguments")
                    .and_then(Value::as_str)
                    .expect("arguments");
                assert_eq!(
                    call["arguments"],
                    serde_json::from_str::<Value>(args).expect("JSON arguments")
                );
            } else if let Some(result_id) = field(fields, "tool_call_id") {
                let result = parts
                    .iter()
                    .find(|p| p["type"] == "tool_call_response")
                    .expect("a tool result");
                assert_eq!(&result["id"], result_id, "{id}");
                assert_eq!(Some(&result["response"]), field(fields, "content"));
            } else if let Some(content) = field(fields, "content") {
                assert_eq!(Some(&parts[0]["content"]), Some(content), "{id}");
            }
            assert_eq!(
                m["finish_reason"].as_str(),
                field(fields, "finish_reason").and_then(Value::as_str),
                "{id}"
            );
        }
        assert_eq!(
            span["tools"][0]["name"],
            attrs["llm.request.functions.0.name"]
        );
        assert_eq!(
            span["tools"][0]["description"],
            attrs["llm.request.functions.0.description"]
        );
        let parameters: Value = serde_json::from_str(
            attrs["llm.request.functions.0.parameters"]
                .as_str()
                .expect("parameters"),
        )
        .expect("JSON");
        assert_eq!(span["tools"][0]["parameters"], parameters);
    }
}
