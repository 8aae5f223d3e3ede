//! The fields `dump --format json` adds for an OpenTelemetry-shaped span (MLflow, OTLP):
//! read back from its file once per dump, parsed, and written in the README's schema. The
//! dump renders them on every core, ahead of the writer (`Ahead`).

use super::writer::JsonWriter;
use crate::formats::bytes::{ByteSource, Loaded};
use crate::formats::otel::chat::{self, ChatPart};
use crate::formats::otel::{self, OtelSpan};
use crate::model::SpanRef;
use crate::model::time::ns_to_ms;
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use std::sync::mpsc::Receiver;

/// Spans rendered per batch handed to the writer: few enough to start writing at once,
/// many enough that threads seldom wait on each other.
const BATCH: usize = 256;

/// The spans' fields in the order the writer asks for them. With more than one batch,
/// rendered ahead on every core: worker `k` of `n` renders batches `k`, `k + n`, ... and the
/// writer takes the batches in turn. Reading and parsing spans again is most of what a dump
/// of them costs; a batch or less is rendered as asked, sooner than a thread would start.
pub struct Ahead<'a>(Mode<'a>);

enum Mode<'a> {
    Here {
        spans: std::slice::Iter<'a, &'a SpanRef>,
        files: Loaded<'a>,
    },
    Threads {
        workers: Vec<Receiver<Vec<Vec<u8>>>>,
        batch: std::vec::IntoIter<Vec<u8>>,
        next: usize,
    },
}

impl<'a> Ahead<'a> {
    /// Render `spans` (in the order they will be asked for) from the files in `files`.
    pub fn start(
        scope: &'a std::thread::Scope<'a, '_>,
        spans: &'a [&'a SpanRef],
        files: Loaded<'a>,
    ) -> Self {
        let batches = spans.len().div_ceil(BATCH);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let n = cores.min(batches).min(4);
        if batches < 2 || n < 2 {
            return Self(Mode::Here {
                spans: spans.iter(),
                files,
            });
        }
        let workers = (0..n)
            .map(|k| {
                // Two batches ready per worker at most: memory stays bounded.
                let (tx, rx) = std::sync::mpsc::sync_channel(2);
                scope.spawn(move || {
                    let mut files = files;
                    for batch in spans.chunks(BATCH).skip(k).step_by(n) {
                        let rendered = batch.iter().map(|s| render(s, &mut files)).collect();
                        // The writer stopped (an output error): so does this.
                        if tx.send(rendered).is_err() {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        Self(Mode::Threads {
            workers,
            batch: Vec::new().into_iter(),
            next: 0,
        })
    }

    /// The next span's fields; `None` past the last, or if its worker is gone.
    pub fn next(&mut self) -> Option<Vec<u8>> {
        match &mut self.0 {
            Mode::Here { spans, files } => Some(render(spans.next()?, files)),
            Mode::Threads {
                workers,
                batch,
                next,
            } => loop {
                if let Some(fields) = batch.next() {
                    return Some(fields);
                }
                let worker = workers.get(*next % workers.len())?;
                *batch = worker.recv().ok()?.into_iter();
                *next += 1;
            },
        }
    }
}

/// A span's fields as they go into its object: `"trace_id":...,"messages":[...]`.
pub fn render(span_ref: &SpanRef, bytes: &mut dyn ByteSource) -> Vec<u8> {
    let mut w = JsonWriter::new(Vec::new());
    let written = w
        .begin_object()
        .and_then(|()| fields(&mut w, span_ref, bytes));
    let mut out = w.into_inner();
    if let Err(e) = written {
        // Only serializing can fail into memory; say so in the span rather than stop.
        let mut w = JsonWriter::new(Vec::new());
        let _ = w
            .begin_object()
            .and_then(|()| w.field("read_error", &e.to_string()));
        out = w.into_inner();
    }
    // Without the opening brace: the fields join the span's object.
    out.remove(0);
    out
}

/// Attributes shown as `input` and `output` are not repeated under `attributes`.
fn fields<W: Write>(
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
    w.field("messages", &messages(&span))?;
    w.field("tools", &chat::tools(&span))
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
