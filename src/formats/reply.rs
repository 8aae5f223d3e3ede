//! The model's answer in a provider's response object (a POML call's `.response.json`):
//! OpenAI chat completions (`choices[].message`), the OpenAI Responses API (`output[]`),
//! Anthropic messages (`content[]` blocks) and Gemini (`candidates[].content.parts`). It is
//! turned into `.result.json`'s own message shape, speaker `ai` and POML rich content (text,
//! and tool requests whose `content` is the arguments), so it shows, dumps and reads like the
//! messages poml recorded. The file is untrusted: any other shape is an error to show, never
//! a panic.

use super::poml::parts::{self, Part, TOOL_REQUEST};
use super::poml::result::Message;
use serde_json::{Map, Value, json};

/// The speaker `.result.json` gives the model.
pub const SPEAKER: &str = "ai";

#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// One per choice (candidate); most responses have one.
    pub messages: Vec<Message>,
    /// Why the model stopped (`stop`, `tool_calls`, `end_turn`, `STOP`, ...), as the provider
    /// says it; the first choice's when there are several.
    pub finish_reason: Option<String>,
}

/// The reply in `response`, or why none can be read from it.
pub fn from_response(response: &Value) -> Result<Reply, String> {
    let Some(obj) = response.as_object() else {
        return Err(format!("expected a JSON object, found {}", kind(response)));
    };
    if let Some(choices) = obj.get("choices").and_then(Value::as_array) {
        Ok(openai_chat(choices))
    } else if let Some(candidates) = obj.get("candidates").and_then(Value::as_array) {
        Ok(gemini(candidates))
    } else if let Some(output) = obj.get("output").and_then(Value::as_array) {
        Ok(openai_responses(obj, output))
    } else if let Some(content) = obj.get("content").filter(|_| is_anthropic(obj)) {
        Ok(anthropic(obj, content))
    } else {
        Err("not a response shape tracetui reads (OpenAI, Anthropic or Gemini)".into())
    }
}

impl Reply {
    /// One line for the text dump: the first line of text, each tool call's name, and the
    /// finish reason. Not yet made safe to print.
    pub fn summary(&self) -> String {
        let mut pieces: Vec<String> = Vec::new();
        for message in &self.messages {
            let mut text = None;
            let mut calls = Vec::new();
            for part in parts::parts(&message.content) {
                match part {
                    Part::Text(t) if text.is_none() => {
                        text = t.lines().map(str::trim).find(|l| !l.is_empty());
                    }
                    Part::ToolRequest { name, .. } => {
                        calls.push(format!("→ {name}"));
                    }
                    _ => {}
                }
            }
            pieces.extend(text.map(|t| t.chars().take(100).collect::<String>()));
            pieces.extend(calls);
        }
        if pieces.is_empty() {
            pieces.push("(empty)".into());
        }
        let mut line = pieces.join("  ");
        if let Some(reason) = &self.finish_reason {
            line.push_str(&format!("  (finish: {reason})"));
        }
        line
    }
}

fn openai_chat(choices: &[Value]) -> Reply {
    let mut reply = empty();
    for choice in choices {
        // `delta` for a streamed chunk saved whole; `text` from the legacy completions API.
        let message = choice.get("message").or_else(|| choice.get("delta"));
        let mut parts = Vec::new();
        if let Some(m) = message {
            content_parts(m.get("content"), &mut parts);
            if let Some(refusal) = m.get("refusal").and_then(Value::as_str) {
                parts.push(Value::String(format!("(refused) {refusal}")));
            }
            for call in m
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let function = call.get("function").unwrap_or(call);
                parts.push(tool_request(
                    call.get("id"),
                    function.get("name"),
                    function.get("arguments"),
                ));
            }
            if let Some(f) = m.get("function_call") {
                parts.push(tool_request(None, f.get("name"), f.get("arguments")));
            }
        }
        content_parts(choice.get("text"), &mut parts);
        reply.messages.push(message_of(parts));
        first_reason(&mut reply, choice.get("finish_reason"));
    }
    reply
}

/// The Responses API: one reply made of output items (messages, function calls, reasoning).
fn openai_responses(obj: &Map<String, Value>, output: &[Value]) -> Reply {
    let mut parts = Vec::new();
    for item in output {
        match item.get("type").and_then(Value::as_str) {
            Some("message") => {
                for c in item
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match c.get("type").and_then(Value::as_str) {
                        Some("refusal") => {
                            let text = c.get("refusal").and_then(Value::as_str).unwrap_or("");
                            parts.push(Value::String(format!("(refused) {text}")));
                        }
                        _ => content_parts(Some(c), &mut parts),
                    }
                }
            }
            Some("function_call") => parts.push(tool_request(
                item.get("call_id").or_else(|| item.get("id")),
                item.get("name"),
                item.get("arguments"),
            )),
            // Reasoning summaries and other items say less than the answer: left to Files.
            _ => {}
        }
    }
    let mut reply = empty();
    reply.messages.push(message_of(parts));
    // Why it stopped short, else its status ("completed").
    let reason = obj
        .get("incomplete_details")
        .and_then(|d| d.get("reason"))
        .filter(|r| r.is_string())
        .or_else(|| obj.get("status"));
    first_reason(&mut reply, reason);
    reply
}

fn is_anthropic(obj: &Map<String, Value>) -> bool {
    obj.get("type").and_then(Value::as_str) == Some("message")
        || obj.contains_key("stop_reason")
        || obj.get("role").and_then(Value::as_str) == Some("assistant")
}

fn anthropic(obj: &Map<String, Value>, content: &Value) -> Reply {
    let mut parts = Vec::new();
    match content.as_array() {
        Some(blocks) => {
            for block in blocks {
                match block.get("type").and_then(Value::as_str) {
                    Some("tool_use" | "server_tool_use") => parts.push(tool_request(
                        block.get("id"),
                        block.get("name"),
                        block.get("input"),
                    )),
                    // Thinking is not the answer; it stays in the file, under Files.
                    Some("thinking" | "redacted_thinking") => {}
                    _ => content_parts(Some(block), &mut parts),
                }
            }
        }
        None => content_parts(Some(content), &mut parts),
    }
    let mut reply = empty();
    reply.messages.push(message_of(parts));
    first_reason(&mut reply, obj.get("stop_reason"));
    reply
}

fn gemini(candidates: &[Value]) -> Reply {
    let mut reply = empty();
    for candidate in candidates {
        let mut parts = Vec::new();
        let items = candidate
            .get("content")
            .and_then(|c| c.get("parts"))
            .and_then(Value::as_array);
        for part in items.into_iter().flatten() {
            if let Some(call) = part.get("functionCall") {
                parts.push(tool_request(
                    call.get("id"),
                    call.get("name"),
                    call.get("args"),
                ));
            } else if part.get("thought").and_then(Value::as_bool) != Some(true) {
                content_parts(Some(part), &mut parts);
            }
        }
        reply.messages.push(message_of(parts));
        first_reason(&mut reply, candidate.get("finishReason"));
    }
    reply
}

fn empty() -> Reply {
    Reply {
        messages: Vec::new(),
        finish_reason: None,
    }
}

/// Text from whichever content shape: a string, a `{"text": ...}` part (every provider's),
/// or a list of them; anything else is kept as a JSON part, to be shown rather than lost.
fn content_parts(content: Option<&Value>, parts: &mut Vec<Value>) {
    match content {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => parts.push(Value::String(s.clone())),
        Some(Value::Array(items)) => {
            for item in items {
                content_parts(Some(item), parts);
            }
        }
        Some(other) => match other.get("text").and_then(Value::as_str) {
            Some(text) => parts.push(Value::String(text.to_string())),
            None => parts.push(json!({"type": "application/json", "content": other})),
        },
    }
}

/// A tool request as `.result.json` writes one. Arguments that are a JSON text (OpenAI's)
/// are parsed, so they show and dump as JSON; text that is not JSON stays text.
fn tool_request(id: Option<&Value>, name: Option<&Value>, args: Option<&Value>) -> Value {
    let args = match args {
        Some(Value::String(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(v) => v.clone(),
        None => Value::Null,
    };
    json!({"type": TOOL_REQUEST, "id": scalar(id), "name": scalar(name), "content": args})
}

/// A string as it is, a number or boolean as text; anything else (an object where a name
/// belongs) empty.
fn scalar(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
        _ => String::new(),
    }
}

/// One text part stays a plain string, as poml writes a text-only message.
fn message_of(mut parts: Vec<Value>) -> Message {
    let content = match parts.len() {
        0 => Value::String(String::new()),
        1 if parts[0].is_string() => parts.remove(0),
        _ => Value::Array(parts),
    };
    Message {
        speaker: SPEAKER.into(),
        content,
    }
}

fn first_reason(reply: &mut Reply, reason: Option<&Value>) {
    if reply.finish_reason.is_none()
        && let Some(reason) = reason.map(|r| scalar(Some(r))).filter(|r| !r.is_empty())
    {
        reply.finish_reason = Some(reason);
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(reply: &Reply, i: usize) -> &Value {
        &reply.messages[i].content
    }

    #[test]
    fn openai_chat_text_and_tool_calls() {
        let text = json!({"choices": [{"message": {"role": "assistant", "content": "Hi.\nMore", "tool_calls": null}, "finish_reason": "stop"}]});
        let r = from_response(&text).expect("reply");
        assert_eq!(*content(&r, 0), json!("Hi.\nMore"));
        assert_eq!(r.messages[0].speaker, "ai");
        assert_eq!(r.finish_reason.as_deref(), Some("stop"));
        assert_eq!(r.summary(), "Hi.  (finish: stop)");

        let calls = json!({"choices": [{"message": {"content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{\"q\": 1}"}},
            {"id": "call_2", "type": "function", "function": {"name": "broken", "arguments": "{not json"}}
        ]}, "finish_reason": "tool_calls"}]});
        let r = from_response(&calls).expect("reply");
        assert_eq!(
            *content(&r, 0),
            json!([
                {"type": TOOL_REQUEST, "id": "call_1", "name": "search", "content": {"q": 1}},
                {"type": TOOL_REQUEST, "id": "call_2", "name": "broken", "content": "{not json"}
            ])
        );
        assert_eq!(r.summary(), "→ search  → broken  (finish: tool_calls)");
    }

    #[test]
    fn openai_responses_api() {
        let v = json!({"object": "response", "status": "completed", "output": [
            {"type": "reasoning", "summary": []},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]},
            {"type": "function_call", "call_id": "fc_1", "name": "lookup", "arguments": "{}"}
        ]});
        let r = from_response(&v).expect("reply");
        assert_eq!(
            *content(&r, 0),
            json!(["Done.", {"type": TOOL_REQUEST, "id": "fc_1", "name": "lookup", "content": {}}])
        );
        assert_eq!(r.finish_reason.as_deref(), Some("completed"));
        let cut = json!({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}, "output": []});
        let r = from_response(&cut).expect("reply");
        assert_eq!(r.finish_reason.as_deref(), Some("max_output_tokens"));
        assert_eq!(*content(&r, 0), json!(""));
    }

    #[test]
    fn anthropic_blocks() {
        let v = json!({"type": "message", "role": "assistant", "content": [
            {"type": "thinking", "thinking": "hmm"},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"k": "v"}}
        ], "stop_reason": "tool_use"});
        let r = from_response(&v).expect("reply");
        assert_eq!(
            *content(&r, 0),
            json!(["Let me check.", {"type": TOOL_REQUEST, "id": "toolu_1", "name": "lookup", "content": {"k": "v"}}])
        );
        assert_eq!(r.finish_reason.as_deref(), Some("tool_use"));
    }

    #[test]
    fn gemini_candidates() {
        let v = json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "thinking...", "thought": true},
            {"text": "Sunny."},
            {"functionCall": {"name": "weather", "args": {"city": "Porto"}}}
        ]}, "finishReason": "STOP"}]});
        let r = from_response(&v).expect("reply");
        assert_eq!(
            *content(&r, 0),
            json!(["Sunny.", {"type": TOOL_REQUEST, "id": "", "name": "weather", "content": {"city": "Porto"}}])
        );
        assert_eq!(r.finish_reason.as_deref(), Some("STOP"));
    }

    #[test]
    fn odd_shapes_are_errors_or_kept_never_panics() {
        for v in [json!([1]), json!("text"), json!(null), json!({"id": "x"})] {
            assert!(from_response(&v).is_err(), "{v}");
        }
        // Wrong types inside a known shape: whatever can be read is, the rest kept as JSON.
        let v = json!({"choices": [
            7,
            {"message": {"content": {"weird": true}, "tool_calls": [{"function": {"name": 5, "arguments": [1]}}, "x"]}, "finish_reason": 3},
            {"message": "nope", "finish_reason": {"a": 1}}
        ]});
        let r = from_response(&v).expect("reply");
        assert_eq!(r.messages.len(), 3);
        assert_eq!(*content(&r, 0), json!(""));
        assert_eq!(
            *content(&r, 1),
            json!([
                {"type": "application/json", "content": {"weird": true}},
                {"type": TOOL_REQUEST, "id": "", "name": "5", "content": [1]},
                {"type": TOOL_REQUEST, "id": "", "name": "", "content": null}
            ])
        );
        assert_eq!(r.finish_reason.as_deref(), Some("3"));
        let r = from_response(&json!({"choices": []})).expect("no choices");
        assert!(r.messages.is_empty());
        assert_eq!(r.summary(), "(empty)");
    }
}
