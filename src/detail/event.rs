//! The prompt pane for an event span (a PML tool call, capability or execution): what it
//! was, how it went, and its input, output and error as pretty JSON.

use super::doc::{Doc, Tone};
use super::{Rendered, Tab, json_text};
use crate::formats::bytes::Pread;
use crate::formats::pml::body::{self, Body};
use crate::model::time::format_duration;
use crate::model::{EventRef, Session, SpanId, Status, Store};
use serde_json::Value;

pub fn render(
    store: &Store,
    session: &Session,
    id: SpanId,
    event: &EventRef,
    tab: Tab,
) -> Rendered {
    let body = body::read(event, &mut Pread);
    let mut doc = Doc::new();
    for problem in &body.problems {
        doc.line(&[(&format!("{}: {problem}", event.file.display()), Tone::Error)]);
    }
    match tab {
        Tab::Input => value(&mut doc, "input", body.input.as_ref()),
        Tab::Output => {
            value(&mut doc, "output", body.output.as_ref());
            if body.error.is_some() {
                doc.blank();
                value(&mut doc, "error", body.error.as_ref());
            }
        }
        Tab::Raw => raw(&mut doc, event, &body),
        _ => detail(&mut doc, store, session, id, &body),
    }
    Rendered {
        doc,
        anchors: Vec::new(),
    }
}

fn detail(doc: &mut Doc, store: &Store, session: &Session, id: SpanId, body: &Body) {
    let span = session.span(id);
    let name = store.name(span.name);
    doc.line(&[
        (&format!("{}  ", span.kind.as_str()), Tone::Dim),
        (name, Tone::Heading),
    ]);
    if let Some((server, tool)) = name.split_once(':') {
        doc.field("server", server);
        doc.field("tool", tool);
    }
    let status = match span.status {
        Status::Error => Tone::Error,
        Status::Running | Status::Incomplete => Tone::Warn,
        Status::Ok => Tone::Plain,
    };
    doc.line(&[("status: ", Tone::Key), (span.status.as_str(), status)]);
    match span.duration_ns() {
        Some(d) if !span.in_flight() => doc.field("duration", &format_duration(d)),
        _ => doc.field("duration", "(no end yet)"),
    };
    doc.field("id", session.key(id));
    if let Some(parent) = session.parent_key(id) {
        doc.field("parent", parent);
    }
    for (label, v) in [
        ("input", &body.input),
        ("output", &body.output),
        ("error", &body.error),
    ] {
        if v.is_some() || label != "error" {
            doc.blank();
            value(doc, label, v.as_ref());
        }
    }
}

fn value(doc: &mut Doc, label: &str, v: Option<&Value>) {
    doc.heading(&format!("── {label} ──"));
    match v {
        None => {
            doc.line(&[(&format!("(no {label})"), Tone::Dim)]);
        }
        Some(Value::String(s)) => match json_text::embedded(s) {
            Some(inner) => json_text::append(doc, &inner, ""),
            None => {
                doc.text(
                    s,
                    if label == "error" {
                        Tone::Error
                    } else {
                        Tone::Plain
                    },
                );
            }
        },
        Some(v) => json_text::append(doc, v, ""),
    }
}

fn raw(doc: &mut Doc, event: &EventRef, body: &Body) {
    let file = event.file.file_name().map_or_else(
        || event.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    for (at, v) in &body.events {
        doc.heading(&format!("── {file}:{} ──", at.number()));
        json_text::append_raw(doc, v, "");
        doc.blank();
    }
    if body.events.is_empty() {
        doc.line(&[("(the events could not be read back)", Tone::Dim)]);
    }
}
