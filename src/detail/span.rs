//! The prompt pane for an OpenTelemetry-shaped span (MLflow, OTLP): the conversation by
//! role for model calls, then what the span was (type, model, tokens, status, exception,
//! attributes, events), its inputs and outputs, and the span as recorded.

use super::doc::{Doc, Speaker, Tone};
use super::{Rendered, Tab, json_text};
use crate::formats::bytes::Pread;
use crate::formats::otel::chat::{self, ChatMessage, ChatPart};
use crate::formats::otel::{self, OtelSpan, StatusCode};
use crate::model::time::{Zone, format_duration};
use crate::model::{SpanRef, SpanSource};
use serde_json::Value;

pub fn render(span_ref: &SpanRef, tab: Tab, zone: Zone) -> Rendered {
    let mut out = Rendered::default();
    let span = match otel::load(span_ref, &mut Pread) {
        Ok(span) => span,
        Err(e) => {
            let place = match &span_ref.source {
                SpanSource::File { file, at } => {
                    format!("{}:{}", file.display(), at.number())
                }
                SpanSource::Memory(_) => "received span".into(),
            };
            out.doc.line(&[(
                &format!("{place}: cannot read the span back: {e}"),
                Tone::Error,
            )]);
            return out;
        }
    };
    match tab {
        Tab::Messages => messages(&span, span_ref, &mut out),
        Tab::Input => value(&mut out.doc, "input", span.inputs().as_deref(), span_ref),
        Tab::Output => value(&mut out.doc, "output", span.outputs().as_deref(), span_ref),
        Tab::Raw => raw(&mut out.doc, span_ref),
        _ => detail(&mut out.doc, &span, zone),
    }
    out
}

fn messages(span: &OtelSpan, span_ref: &SpanRef, out: &mut Rendered) {
    let list = chat::messages(span);
    let tools = chat::tools(span);
    if list.is_empty() {
        out.doc.line(&[(
            "(no conversation recorded on this span; see Input and Output)",
            Tone::Dim,
        )]);
    }
    let called = chat::called_tools(&list);
    for message in &list {
        out.anchors.push(out.doc.lines.len());
        one_message(&mut out.doc, message, &called, span_ref);
        out.doc.blank();
    }
    if !tools.is_empty() {
        out.anchors.push(out.doc.lines.len());
        super::tools::append(&mut out.doc, &tools);
    }
}

fn one_message(
    doc: &mut Doc,
    m: &ChatMessage,
    called: &std::collections::HashMap<&str, &str>,
    span_ref: &SpanRef,
) {
    let mut header = format!("── {} ──", m.role);
    if let Some(reason) = &m.finish_reason {
        header.push_str(&format!("  (finish: {reason})"));
    }
    doc.line(&[(&header, Tone::Speaker(Speaker::of(&m.role)))]);
    if m.parts.is_empty() {
        // The instrumentation kept the turn but not what was in it (images it dropped,
        // content capture off).
        doc.line(&[("(its content was not recorded)", Tone::Dim)]);
    }
    for part in &m.parts {
        match part {
            ChatPart::Text(t) => {
                doc.text(t, Tone::Plain);
            }
            ChatPart::Reasoning(t) => {
                doc.line(&[("(reasoning)", Tone::Dim)]);
                doc.text(t, Tone::Dim);
            }
            ChatPart::ToolCall {
                id,
                name,
                arguments,
            } => {
                doc.line(&[
                    ("→ ", Tone::Key),
                    (name, Tone::Key),
                    (&format!("  id {id}"), Tone::Dim),
                ]);
                json_text::append(doc, arguments, "  ");
            }
            ChatPart::ToolResult { id, content } => {
                let tool = called
                    .get(id.as_str())
                    .map_or_else(String::new, |name| format!(" {name}"));
                doc.line(&[
                    ("← tool result", Tone::Key),
                    (&tool, Tone::Key),
                    (&format!("  id {id}"), Tone::Dim),
                ]);
                match content {
                    Value::String(s) => match json_text::embedded(s) {
                        Some(inner) => json_text::append(doc, &inner, "  "),
                        None => {
                            doc.indented(s, "  ", Tone::Plain);
                        }
                    },
                    other => json_text::append(doc, other, "  "),
                }
            }
            ChatPart::Media(what) => {
                // An MLflow attachment says what it is, from its file beside the trace.
                let shown = what
                    .split_whitespace()
                    .find_map(|word| super::attachment::describe_text(word, span_ref))
                    .unwrap_or_else(|| what.clone());
                doc.line(&[(&format!("[{shown}]"), Tone::Dim)]);
            }
            ChatPart::Other(v) => json_text::append(doc, v, ""),
        }
    }
}

fn detail(doc: &mut Doc, span: &OtelSpan, zone: Zone) {
    let kind = span.mlflow_type().unwrap_or(span.kind().as_str());
    doc.line(&[
        (&format!("{kind}  "), Tone::Dim),
        (&span.name, Tone::Heading),
    ]);
    if let Some(model) = span.model() {
        doc.field("model", model);
    }
    let status_tone = match span.status {
        StatusCode::Error => Tone::Error,
        _ => Tone::Plain,
    };
    let mut status = span.status.as_str().to_string();
    if !span.status_message.is_empty() {
        status.push_str(&format!(": {}", span.status_message));
    }
    doc.line(&[("status: ", Tone::Key), (&status, status_tone)]);
    // MLflow writes the exception as the status message too: said once.
    if let Some(e) = span
        .exception()
        .filter(|e| !span.status_message.contains(e.as_str()))
    {
        doc.line(&[("exception: ", Tone::Key), (&e, Tone::Error)]);
    }
    match (span.start_ns, span.end_ns) {
        (Some(start), Some(end)) => {
            doc.field("started", &zone.clock_ms(start));
            doc.field("duration", &format_duration(end - start));
        }
        (Some(start), None) => {
            doc.field("started", &zone.clock_ms(start));
            doc.field("duration", "(no end yet)");
        }
        _ => {}
    }
    if let Some(u) = otel::usage::usage(span) {
        let n = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        doc.field(
            "tokens",
            &format!(
                "{} in · {} out · {} total",
                n(u.input),
                n(u.output),
                n(u.total())
            ),
        );
    }
    doc.field("trace", &span.trace_id);
    doc.field("span", &span.span_id);
    if let Some(parent) = &span.parent_id {
        doc.field("parent", parent);
    }
    if !span.attributes.is_empty() {
        doc.blank();
        doc.heading(&format!("Attributes ({})", span.attributes.len()));
        pairs(doc, &span.attributes);
    }
    if !span.events.is_empty() {
        doc.blank();
        doc.heading(&format!("Events ({})", span.events.len()));
        for event in &span.events {
            let at = match (event.time_ns, span.start_ns) {
                (Some(t), Some(start)) => format!("  +{}", format_duration(t - start)),
                _ => String::new(),
            };
            let tone = if event.name == "exception" {
                Tone::Error
            } else {
                Tone::Key
            };
            doc.line(&[(&event.name, tone), (&at, Tone::Dim)]);
            pairs(doc, &event.attributes);
        }
    }
}

/// Attributes as `key: value`, long or structured values as indented JSON.
fn pairs(doc: &mut Doc, attributes: &[(String, Value)]) {
    for (key, v) in attributes {
        match v {
            Value::String(s) if !s.contains('\n') && s.len() <= 200 => {
                doc.field(&format!("  {key}"), s);
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => {
                doc.field(&format!("  {key}"), &v.to_string());
            }
            Value::String(s) => {
                doc.line(&[(&format!("  {key}:"), Tone::Key)]);
                doc.indented(s, "    ", Tone::Plain);
            }
            other => {
                doc.line(&[(&format!("  {key}:"), Tone::Key)]);
                json_text::append(doc, other, "    ");
            }
        }
    }
}

fn value(doc: &mut Doc, label: &str, v: Option<&Value>, span_ref: &SpanRef) {
    doc.heading(&format!("── {label} ──"));
    let described = v.map(|v| super::attachment::describe_in(v, span_ref));
    match described.as_ref() {
        None => {
            doc.line(&[(&format!("(no {label} recorded)"), Tone::Dim)]);
        }
        Some(Value::String(s)) => match json_text::embedded(s) {
            Some(inner) => json_text::append(doc, &inner, ""),
            None => {
                doc.text(s, Tone::Plain);
            }
        },
        Some(v) => json_text::append(doc, v, ""),
    }
}

fn raw(doc: &mut Doc, span_ref: &SpanRef) {
    let bytes = match otel::raw_bytes(span_ref, &mut Pread) {
        Ok(b) => b.into_owned(),
        Err(e) => {
            doc.line(&[(&format!("cannot read the span back: {e}"), Tone::Error)]);
            return;
        }
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => json_text::append_raw(doc, &v, ""),
        Err(_) => {
            doc.text(&String::from_utf8_lossy(&bytes), Tone::Plain);
        }
    }
}
