//! OpenInference (Arize Phoenix's convention, written by its LangChain, LlamaIndex, DSPy,
//! CrewAI and OpenAI instrumentations): `llm.input_messages.N.message.*` and
//! `llm.output_messages.N.message.*`, with `contents.K.message_content.*` parts and
//! `tool_calls.K.tool_call.{id,function.name,function.arguments}`.

use super::ChatMessage;
use super::indexed::unflatten;
use super::message::message;
use crate::formats::otel::OtelSpan;
use serde_json::{Map, Value, json};

pub(super) fn messages(span: &OtelSpan) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    for (prefix, default_role) in [
        ("llm.input_messages.", "user"),
        ("llm.output_messages.", "assistant"),
    ] {
        let Some(Value::Array(items)) = unflatten(&span.attributes, prefix) else {
            continue;
        };
        for item in &items {
            let Some(Value::Object(m)) = item.get("message") else {
                continue;
            };
            if let Some(msg) = message(&normalize(m, default_role)) {
                out.push(msg);
            }
        }
    }
    // The finish reason is the span's, not a message's: it ends the last output message.
    if let Some(reason) = span.attr_str("llm.finish_reason")
        && span
            .attributes
            .iter()
            .any(|(k, _)| k.starts_with("llm.output_messages."))
        && let Some(last) = out.last_mut()
        && last.finish_reason.is_none()
    {
        last.finish_reason = Some(reason.to_string());
    }
    out
}

/// An OpenInference message in the OpenAI shape `message` reads.
fn normalize(m: &Map<String, Value>, default_role: &str) -> Value {
    let mut out = m.clone();
    out.entry("role")
        .or_insert_with(|| Value::String(default_role.into()));
    if let Some(Value::Array(contents)) = out.remove("contents") {
        let parts: Vec<Value> = contents.iter().map(content_part).collect();
        // Text and parts both: the parts are the fuller record.
        if !parts.is_empty() {
            out.insert("content".into(), Value::Array(parts));
        }
    }
    if let Some(Value::Array(calls)) = out.get_mut("tool_calls") {
        for call in calls.iter_mut() {
            if let Some(inner) = call.get("tool_call").cloned() {
                *call = inner;
            }
        }
    }
    Value::Object(out)
}

/// `{"message_content": {"type": "text", "text": ..}}` or an image, as an OpenAI part.
fn content_part(item: &Value) -> Value {
    let c = item.get("message_content").unwrap_or(item);
    match c.get("type").and_then(Value::as_str) {
        Some("image") => {
            let url = c
                .pointer("/image/image/url")
                .or_else(|| c.pointer("/image/url"))
                .cloned()
                .unwrap_or(Value::Null);
            json!({"type": "image_url", "image_url": {"url": url}})
        }
        _ => match c.get("text") {
            Some(text) => json!({"type": "text", "text": text}),
            None => c.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::ChatPart;
    use super::*;

    fn span(attrs: &[(&str, Value)]) -> OtelSpan {
        OtelSpan {
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
            ..OtelSpan::default()
        }
    }

    #[test]
    fn a_langchain_llm_span() {
        let s = span(&[
            ("llm.input_messages.0.message.role", json!("system")),
            ("llm.input_messages.0.message.content", json!("Be brief.")),
            ("llm.input_messages.1.message.role", json!("user")),
            (
                "llm.input_messages.1.message.contents.0.message_content.type",
                json!("text"),
            ),
            (
                "llm.input_messages.1.message.contents.0.message_content.text",
                json!("Weather?"),
            ),
            (
                "llm.input_messages.1.message.contents.1.message_content.type",
                json!("image"),
            ),
            (
                "llm.input_messages.1.message.contents.1.message_content.image.image.url",
                json!("https://example.com/a.png"),
            ),
            ("llm.output_messages.0.message.role", json!("assistant")),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.id",
                json!("call_1"),
            ),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.name",
                json!("get_weather"),
            ),
            (
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
                json!("{\"city\": \"Lisbon\"}"),
            ),
            ("llm.input_messages.2.message.role", json!("tool")),
            ("llm.input_messages.2.message.tool_call_id", json!("call_0")),
            ("llm.input_messages.2.message.content", json!("sunny")),
        ]);
        let m = messages(&s);
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["system", "user", "tool", "assistant"]);
        assert_eq!(m[0].parts, [ChatPart::Text("Be brief.".into())]);
        assert_eq!(m[1].parts[0], ChatPart::Text("Weather?".into()));
        assert!(matches!(&m[1].parts[1], ChatPart::Media(d) if d.contains("example.com/a.png")));
        assert_eq!(
            m[2].parts,
            [ChatPart::ToolResult {
                id: "call_0".into(),
                content: json!("sunny")
            }]
        );
        assert_eq!(
            m[3].parts,
            [ChatPart::ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: json!({"city": "Lisbon"})
            }]
        );
    }
}
