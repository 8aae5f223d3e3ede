//! The GenAI semantic conventions, in every form they took: `gen_ai.input.messages` and
//! friends as attributes or as one details event, the older per-role events,
//! `gen_ai.prompt`/`gen_ai.completion`, and indexed `gen_ai.prompt.0.content` attributes.

use super::indexed::unflatten;
use super::message::{message, part};
use super::{ChatMessage, attr_value};
use crate::formats::otel::{OtelEvent, OtelSpan, decode_json_string};
use serde_json::Value;

/// `gen_ai.system_instructions`, `gen_ai.input.messages`, `gen_ai.output.messages`.
pub(super) fn attributes(span: &OtelSpan) -> Vec<ChatMessage> {
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
pub(super) fn details_event(span: &OtelSpan) -> Vec<ChatMessage> {
    span.events
        .iter()
        .filter(|e| e.name == "gen_ai.client.inference.operation.details")
        .flat_map(|e| conventions(&e.attributes))
        .collect()
}

/// Older conventions: one event per message (`gen_ai.user.message`, ...) and `gen_ai.choice`.
pub(super) fn role_events(span: &OtelSpan) -> Vec<ChatMessage> {
    span.events.iter().filter_map(role_event).collect()
}

fn role_event(event: &OtelEvent) -> Option<ChatMessage> {
    let role = event
        .name
        .strip_prefix("gen_ai.")?
        .strip_suffix(".message")
        .map(str::to_string);
    let get = |k: &str| attr_value(&event.attributes, k);
    // Some writers put the whole body in one attribute as JSON; a log record's body is
    // its `body` (`formats::otlp::logs::event`).
    let body = get("gen_ai.event.content")
        .or_else(|| get("body"))
        .unwrap_or(Value::Null);
    match (role, event.name.as_str()) {
        (Some(role), _) => {
            let mut obj = serde_json::Map::new();
            for key in ["content", "tool_calls", "id"] {
                if let Some(v) = get(key).or_else(|| body.get(key).cloned()) {
                    obj.insert(key.into(), v);
                }
            }
            // `gen_ai.tool.message` names the call it answers `id`.
            if role == "tool"
                && let Some(id) = obj.get("id").cloned()
            {
                obj.entry("tool_call_id").or_insert(id);
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
pub(super) fn prompt_completion(span: &OtelSpan) -> Vec<ChatMessage> {
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

/// `gen_ai.prompt.0.role` / `gen_ai.prompt.0.content`, `gen_ai.completion.0.*`, as
/// OpenLLMetry writes them (up to 0.49): tool calls as `tool_calls.K.{id,name,arguments}`,
/// a tool result's id as `tool_call_id`.
pub(super) fn indexed_attributes(span: &OtelSpan) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    for (prefix, default_role) in [
        ("gen_ai.prompt.", "user"),
        ("gen_ai.completion.", "assistant"),
    ] {
        let Some(Value::Array(items)) = unflatten(&span.attributes, prefix) else {
            continue;
        };
        for item in items {
            let Value::Object(mut m) = item else {
                continue;
            };
            m.entry("role")
                .or_insert_with(|| Value::String(default_role.into()));
            out.extend(message(&Value::Object(m)));
        }
    }
    out
}
