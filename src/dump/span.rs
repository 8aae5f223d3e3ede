//! The fields `dump --format json` adds for an OpenTelemetry-shaped span (MLflow, OTLP):
//! read back from its file once per dump, parsed, and written in the README's schema.

use super::writer::JsonWriter;
use crate::formats::bytes::ByteSource;
use crate::formats::otel::chat::{self, ChatPart};
use crate::formats::otel::{self, OtelSpan};
use crate::model::SpanRef;
use crate::model::time::ns_to_ms;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Attributes shown as `input` and `output` are not repeated under `attributes`.
pub fn fields<W: Write>(
    w: &mut JsonWriter<W>,
    span_ref: &SpanRef,
    bytes: &mut dyn ByteSource,
) -> io::Result<()> {
    let span = match otel::load(span_ref, bytes) {
        Ok(span) => span,
        Err(e) => {
            w.field("read_error", &e)?;
            return Ok(());
        }
    };
    w.field("trace_id", &span.trace_id)?;
    w.field(
        "span_type",
        &span
            .mlflow_type()
            .or_else(|| span.attr_str("gen_ai.operation.name")),
    )?;
    w.field("otel_kind", &span.otel_kind)?;
    w.field("model", &span.model())?;
    w.field(
        "status_message",
        &(!span.status_message.is_empty()).then_some(&span.status_message),
    )?;
    w.field("exception", &span.exception())?;
    w.field("input", &span.inputs())?;
    w.field("output", &span.outputs())?;
    let attributes: Map<String, Value> = span
        .other_attributes()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    w.field("attributes", &attributes)?;
    let events: Vec<Value> = span
        .events
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "time_ms": e.time_ns.map(ns_to_ms),
                "attributes": e.attributes.iter().cloned().collect::<Map<String, Value>>(),
            })
        })
        .collect();
    w.field("events", &events)?;
    w.field("messages", &messages(&span))
}

/// The conversation, parts in GenAI's shape (`text`, `tool_call`, `tool_call_response`, ...).
fn messages(span: &OtelSpan) -> Vec<Value> {
    chat::messages(span)
        .into_iter()
        .map(|m| {
            let parts: Vec<Value> = m
                .parts
                .into_iter()
                .map(|p| match p {
                    ChatPart::Text(t) => json!({"type": "text", "content": t}),
                    ChatPart::Reasoning(t) => json!({"type": "reasoning", "content": t}),
                    ChatPart::ToolCall {
                        id,
                        name,
                        arguments,
                    } => {
                        json!({"type": "tool_call", "id": id, "name": name, "arguments": arguments})
                    }
                    ChatPart::ToolResult { id, content } => {
                        json!({"type": "tool_call_response", "id": id, "response": content})
                    }
                    ChatPart::Media(what) => json!({"type": "media", "content": what}),
                    ChatPart::Other(v) => v,
                })
                .collect();
            json!({"role": m.role, "parts": parts, "finish_reason": m.finish_reason})
        })
        .collect()
}
