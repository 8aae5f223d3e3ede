//! MLflow's chat: `mlflow.chat.messages`, else the OpenAI or Anthropic request and response
//! it records as span inputs and outputs.

use super::message::message;
use super::{ChatMessage, ChatPart};
use crate::formats::otel::OtelSpan;
use serde_json::Value;

/// MLflow: its standard `mlflow.chat.messages`, else the request's `messages` and the
/// response's choices (OpenAI) or content (Anthropic).
pub(super) fn messages(span: &OtelSpan) -> Vec<ChatMessage> {
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
