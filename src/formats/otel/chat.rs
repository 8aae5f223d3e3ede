//! The conversation an LLM span carries, by role, from whichever form its writer used:
//! GenAI semantic conventions (`gen_ai.input.messages` and friends, their event form, the
//! older per-role events, `gen_ai.prompt`/`completion`, indexed `gen_ai.prompt.0.content`),
//! MLflow's `mlflow.chat.messages`, or the OpenAI/Anthropic request and response MLflow
//! records as span inputs and outputs.

use super::{OtelEvent, OtelSpan, decode_json_string};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant`, `tool`, ... as written.
    pub role: String,
    pub parts: Vec<ChatPart>,
    pub finish_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChatPart {
    Text(String),
    ToolCall {
        id: String,
        name: String,
        arguments: Value,
    },
    ToolResult {
        id: String,
        content: Value,
    },
    Reasoning(String),
    /// An image, audio or file, described (not shown).
    Media(String),
    Other(Value),
}

/// Every message the span records, system instructions first, then input, then output.
pub fn messages(span: &OtelSpan) -> Vec<ChatMessage> {
    let sources: [fn(&OtelSpan) -> Vec<ChatMessage>; 6] = [
        genai_attributes,
        genai_details_event,
        genai_role_events,
        genai_prompt_completion,
        indexed_attributes,
        mlflow,
    ];
    sources
        .iter()
        .map(|read| read(span))
        .find(|m| !m.is_empty())
        .unwrap_or_default()
}

/// An attribute's value, with JSON carried in a string decoded.
fn attr_value(attrs: &[(String, Value)], key: &str) -> Option<Value> {
    let (_, v) = attrs.iter().find(|(k, _)| k == key)?;
    let v = match v {
        Value::String(s) => decode_json_string(s),
        other => other.clone(),
    };
    (!v.is_null()).then_some(v)
}

/// `gen_ai.system_instructions`, `gen_ai.input.messages`, `gen_ai.output.messages`.
fn genai_attributes(span: &OtelSpan) -> Vec<ChatMessage> {
    conventions(&span.attributes)
}

fn conventions(attrs: &[(String, Value)]) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    if let Some(system) = attr_value(attrs, "gen_ai.system_instructions") {
        let parts = match &system {
            Value::Array(items) => items.iter().map(part).collect(),
            other => vec![part(other)],
        };
        out.push(ChatMessage {
            role: "system".into(),
            parts,
            finish_reason: None,
        });
    }
    for key in ["gen_ai.input.messages", "gen_ai.output.messages"] {
        if let Some(Value::Array(items)) = attr_value(attrs, key) {
            out.extend(items.iter().filter_map(message));
        }
    }
    out
}

/// The same keys on a `gen_ai.client.inference.operation.details` event.
fn genai_details_event(span: &OtelSpan) -> Vec<ChatMessage> {
    span.events
        .iter()
        .filter(|e| e.name == "gen_ai.client.inference.operation.details")
        .flat_map(|e| conventions(&e.attributes))
        .collect()
}

/// Older conventions: one event per message (`gen_ai.user.message`, ...) and `gen_ai.choice`.
fn genai_role_events(span: &OtelSpan) -> Vec<ChatMessage> {
    span.events.iter().filter_map(role_event).collect()
}

fn role_event(event: &OtelEvent) -> Option<ChatMessage> {
    let role = event
        .name
        .strip_prefix("gen_ai.")?
        .strip_suffix(".message")
        .map(str::to_string);
    let get = |k: &str| attr_value(&event.attributes, k);
    // Some writers put the whole body in one attribute as JSON.
    let body = get("gen_ai.event.content").unwrap_or(Value::Null);
    match (role, event.name.as_str()) {
        (Some(role), _) => {
            let mut obj = serde_json::Map::new();
            for key in ["content", "tool_calls", "id"] {
                if let Some(v) = get(key).or_else(|| body.get(key).cloned()) {
                    obj.insert(key.into(), v);
                }
            }
            obj.insert("role".into(), get("role").unwrap_or(Value::String(role)));
            message(&Value::Object(obj))
        }
        (None, "gen_ai.choice") => {
            let msg = get("message").or_else(|| body.get("message").cloned())?;
            let mut m = message(&msg)
                .or_else(|| message(&serde_json::json!({"role": "assistant", "content": msg})))?;
            m.finish_reason = get("finish_reason")
                .or_else(|| body.get("finish_reason").cloned())
                .and_then(|v| v.as_str().map(str::to_string));
            Some(m)
        }
        _ => None,
    }
}

/// `gen_ai.prompt` and `gen_ai.completion` as attributes or on their content events.
fn genai_prompt_completion(span: &OtelSpan) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    let all = span
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .chain(span.attributes.iter());
    for (key, default_role) in [
        ("gen_ai.prompt", "user"),
        ("gen_ai.completion", "assistant"),
    ] {
        let Some((_, value)) = all.clone().find(|(k, _)| k == key) else {
            continue;
        };
        let value = match value {
            Value::String(s) => decode_json_string(s),
            v => v.clone(),
        };
        match &value {
            Value::Array(items) => out.extend(items.iter().filter_map(message)),
            other => out.push(ChatMessage {
                role: default_role.into(),
                parts: vec![part(other)],
                finish_reason: None,
            }),
        }
    }
    out
}

/// `gen_ai.prompt.0.role` / `gen_ai.prompt.0.content`, `gen_ai.completion.0.*`.
fn indexed_attributes(span: &OtelSpan) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    for prefix in ["gen_ai.prompt.", "gen_ai.completion."] {
        for i in 0.. {
            let key = |field: &str| format!("{prefix}{i}.{field}");
            let role = span.attr_str(&key("role"));
            let content = span.attr(&key("content"));
            if role.is_none() && content.is_none() {
                break;
            }
            let default = if prefix == "gen_ai.prompt." {
                "user"
            } else {
                "assistant"
            };
            out.push(ChatMessage {
                role: role.unwrap_or(default).to_string(),
                parts: content.map(|c| vec![part(c)]).unwrap_or_default(),
                finish_reason: span.attr_str(&key("finish_reason")).map(str::to_string),
            });
        }
    }
    out
}

/// MLflow: its standard `mlflow.chat.messages`, else the request's `messages` and the
/// response's choices (OpenAI) or content (Anthropic).
fn mlflow(span: &OtelSpan) -> Vec<ChatMessage> {
    if let Some(Value::Array(items)) = span.attr("mlflow.chat.messages") {
        return items.iter().filter_map(message).collect();
    }
    let mut out: Vec<ChatMessage> = Vec::new();
    if let Some(inputs) = span.attr("mlflow.spanInputs") {
        if let Some(Value::String(system)) = inputs.get("system") {
            out.push(ChatMessage {
                role: "system".into(),
                parts: vec![ChatPart::Text(system.clone())],
                finish_reason: None,
            });
        }
        if let Some(Value::Array(items)) = inputs.get("messages") {
            out.extend(items.iter().filter_map(message));
        }
    }
    if out.is_empty() {
        return out;
    }
    if let Some(outputs) = span.attr("mlflow.spanOutputs") {
        if let Some(Value::Array(choices)) = outputs.get("choices") {
            for choice in choices {
                if let Some(mut m) = choice.get("message").and_then(message) {
                    m.finish_reason = choice
                        .get("finish_reason")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    out.push(m);
                }
            }
        } else if outputs.get("content").is_some() && outputs.get("role").is_some() {
            out.extend(message(outputs));
        }
    }
    out
}

/// A message in any of the shapes: `{role, parts}` (GenAI), `{role, content, tool_calls}`
/// (OpenAI), `{role, content: [blocks]}` (Anthropic), `{message: {...}}`.
fn message(v: &Value) -> Option<ChatMessage> {
    if let Some(inner) = v.get("message").filter(|m| m.is_object()) {
        return message(inner);
    }
    let obj = v.as_object()?;
    let role = obj
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    let mut parts: Vec<ChatPart> = Vec::new();
    if let Some(Value::Array(items)) = obj.get("parts") {
        parts.extend(items.iter().map(part));
    }
    match obj.get("content") {
        Some(Value::Array(items)) => parts.extend(items.iter().map(part)),
        Some(Value::Null) | None => {}
        Some(other) => parts.push(part(other)),
    }
    if let Some(Value::Array(calls)) = obj.get("tool_calls") {
        parts.extend(calls.iter().map(openai_tool_call));
    }
    // OpenAI's tool result message: the id is on the message, the content is the result.
    if role == "tool"
        && let Some(id) = obj.get("tool_call_id").and_then(Value::as_str)
    {
        let content: Vec<Value> = parts
            .drain(..)
            .map(|p| match p {
                ChatPart::Text(t) => Value::String(t),
                other => Value::String(format!("{other:?}")),
            })
            .collect();
        let content = match content.len() {
            1 => content.into_iter().next().unwrap_or(Value::Null),
            _ => Value::Array(content),
        };
        parts.push(ChatPart::ToolResult {
            id: id.to_string(),
            content,
        });
    }
    if parts.is_empty() && !obj.contains_key("role") {
        return None;
    }
    Some(ChatMessage {
        role,
        parts,
        finish_reason: obj
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn openai_tool_call(call: &Value) -> ChatPart {
    let function = call.get("function").unwrap_or(call);
    let arguments = match function.get("arguments") {
        Some(Value::String(s)) => decode_json_string(s),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    ChatPart::ToolCall {
        id: str_of(call, "id"),
        name: str_of(function, "name"),
        arguments,
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// One content part in GenAI, OpenAI or Anthropic form.
fn part(v: &Value) -> ChatPart {
    let Some(obj) = v.as_object() else {
        return match v {
            Value::String(s) => ChatPart::Text(s.clone()),
            other => ChatPart::Other(other.clone()),
        };
    };
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    match ty {
        "text" | "input_text" | "output_text" => text("content")
            .or_else(|| text("text"))
            .map_or_else(|| ChatPart::Other(v.clone()), ChatPart::Text),
        "reasoning" | "thinking" => ChatPart::Reasoning(
            text("content")
                .or_else(|| text("thinking"))
                .unwrap_or_default(),
        ),
        "tool_call" | "tool_use" | "function_call" => ChatPart::ToolCall {
            id: str_of(v, "id"),
            name: str_of(v, "name"),
            arguments: obj
                .get("arguments")
                .or_else(|| obj.get("input"))
                .map(|a| match a {
                    Value::String(s) => decode_json_string(s),
                    other => other.clone(),
                })
                .unwrap_or(Value::Null),
        },
        "tool_call_response" | "tool_result" | "function_call_output" => ChatPart::ToolResult {
            id: text("id")
                .or_else(|| text("tool_use_id"))
                .or_else(|| text("call_id"))
                .unwrap_or_default(),
            content: obj
                .get("response")
                .or_else(|| obj.get("result"))
                .or_else(|| obj.get("content"))
                .or_else(|| obj.get("output"))
                .cloned()
                .unwrap_or(Value::Null),
        },
        "blob" | "uri" | "file" | "image" | "image_url" | "input_image" | "input_audio" => {
            ChatPart::Media(media(obj, ty))
        }
        _ => match text("text").or_else(|| text("content")) {
            Some(t) if ty.is_empty() => ChatPart::Text(t),
            _ => ChatPart::Other(v.clone()),
        },
    }
}

fn media(obj: &serde_json::Map<String, Value>, ty: &str) -> String {
    let get = |k: &str| obj.get(k).and_then(Value::as_str);
    let kind = get("mime_type")
        .or_else(|| get("modality"))
        .unwrap_or(ty)
        .to_string();
    let url = get("uri").or_else(|| get("url")).or_else(|| {
        obj.get("image_url")
            .and_then(|u| u.get("url"))
            .and_then(Value::as_str)
    });
    match (url, get("content")) {
        (Some(u), _) if !u.starts_with("data:") => format!("{kind} {u}"),
        (_, Some(data)) => format!("{kind}, {} bytes of base64", data.len()),
        (Some(u), None) => format!("{kind}, {} characters of data URL", u.len()),
        (None, None) => kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(attrs: Vec<(&str, Value)>, events: Vec<OtelEvent>) -> OtelSpan {
        OtelSpan {
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            events,
            ..OtelSpan::default()
        }
    }

    fn roles(m: &[ChatMessage]) -> Vec<&str> {
        m.iter().map(|m| m.role.as_str()).collect()
    }

    #[test]
    fn genai_messages_as_json_strings() {
        let s = span(
            vec![
                (
                    "gen_ai.system_instructions",
                    json!("[{\"type\":\"text\",\"content\":\"Be brief.\"}]"),
                ),
                (
                    "gen_ai.input.messages",
                    json!(
                        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"
                    ),
                ),
                (
                    "gen_ai.output.messages",
                    json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                    {"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Lisbon"}}]}]),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[0].parts, [ChatPart::Text("Be brief.".into())]);
        assert_eq!(m[1].parts, [ChatPart::Text("hi".into())]);
        assert_eq!(m[2].finish_reason.as_deref(), Some("tool_call"));
        assert!(matches!(&m[2].parts[0], ChatPart::ToolCall { name, .. } if name == "weather"));
    }

    #[test]
    fn older_role_events_and_choices() {
        let event = |name: &str, attrs: Vec<(&str, Value)>| OtelEvent {
            name: name.into(),
            time_ns: None,
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        let s = span(
            vec![],
            vec![
                event("gen_ai.system.message", vec![("content", json!("sys"))]),
                event("gen_ai.user.message", vec![("content", json!("question"))]),
                event(
                    "gen_ai.choice",
                    vec![
                        (
                            "message",
                            json!("{\"role\":\"assistant\",\"content\":\"answer\"}"),
                        ),
                        ("finish_reason", json!("stop")),
                    ],
                ),
            ],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[2].parts, [ChatPart::Text("answer".into())]);
        assert_eq!(m[2].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn indexed_prompt_attributes() {
        let s = span(
            vec![
                ("gen_ai.prompt.0.role", json!("system")),
                ("gen_ai.prompt.0.content", json!("s")),
                ("gen_ai.prompt.1.content", json!("u")),
                ("gen_ai.completion.0.content", json!("a")),
            ],
            vec![],
        );
        assert_eq!(roles(&messages(&s)), ["system", "user", "assistant"]);
    }

    #[test]
    fn mlflow_openai_request_and_response() {
        let s = span(
            vec![
                (
                    "mlflow.spanInputs",
                    json!({"model": "gpt-4o-mini", "messages": [
                    {"role": "system", "content": "sys"},
                    {"role": "user", "content": [{"type": "text", "text": "look"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
                    {"role": "assistant", "content": null, "tool_calls": [
                        {"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}]},
                    {"role": "tool", "tool_call_id": "t1", "content": "42"}]}),
                ),
                (
                    "mlflow.spanOutputs",
                    json!({"choices": [{"message": {"role": "assistant", "content": "done"},
                    "finish_reason": "stop"}]}),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(
            roles(&m),
            ["system", "user", "assistant", "tool", "assistant"]
        );
        assert!(matches!(&m[1].parts[1], ChatPart::Media(d) if d.contains("data URL")));
        assert_eq!(
            m[2].parts,
            [ChatPart::ToolCall {
                id: "t1".into(),
                name: "f".into(),
                arguments: json!({"x": 1})
            }]
        );
        assert_eq!(
            m[3].parts,
            [ChatPart::ToolResult {
                id: "t1".into(),
                content: json!("42")
            }]
        );
        assert_eq!(m[4].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn anthropic_response_blocks() {
        let s = span(
            vec![
                (
                    "mlflow.spanInputs",
                    json!({"system": "sys", "messages": [{"role": "user", "content": "q"}]}),
                ),
                (
                    "mlflow.spanOutputs",
                    json!({"role": "assistant", "content": [
                    {"type": "text", "text": "a"},
                    {"type": "tool_use", "id": "u1", "name": "g", "input": {"y": 2}}]}),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[2].parts.len(), 2);
    }

    #[test]
    fn spans_without_a_conversation_have_none() {
        let s = span(
            vec![("mlflow.spanInputs", json!({"question": "q"}))],
            vec![],
        );
        assert!(messages(&s).is_empty());
    }
}
