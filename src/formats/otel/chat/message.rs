//! One message in any provider's shape (GenAI parts, OpenAI, Anthropic blocks), and its
//! parts: text, tool calls and results, reasoning, media.

use super::{ChatMessage, ChatPart};
use crate::formats::otel::decode_json_string;
use serde_json::Value;

/// A message in any of the shapes: `{role, parts}` (GenAI), `{role, content, tool_calls}`
/// (OpenAI), `{role, content: [blocks]}` (Anthropic), `{message: {...}}`.
pub(super) fn message(v: &Value) -> Option<ChatMessage> {
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
                ChatPart::Other(v) => v,
                ChatPart::Media(what) => Value::String(format!("[{what}]")),
                ChatPart::Reasoning(t) => Value::String(t),
                ChatPart::ToolCall { name, .. } => Value::String(format!("[tool call {name}]")),
                ChatPart::ToolResult { content, .. } => content,
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
pub(super) fn part(v: &Value) -> ChatPart {
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
