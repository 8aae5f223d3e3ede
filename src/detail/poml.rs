//! The prompt pane for a POML call: messages by speaker and the model's reply, then context,
//! source, stylesheet, result text, env and artifacts.

use super::doc::{Doc, Speaker, Tone};
use super::file_text::{self, FileText};
use super::{Rendered, Tab, image, json_text};
use crate::formats::poml::call::read_result;
use crate::formats::poml::parts::{self, Part};
use crate::formats::poml::result::PomlResult;
use crate::model::Status;
use crate::model::time::{Zone, format_duration};
use crate::model::{CallFile, PomlCall};
use crate::untrusted::fsread::human_size;
use serde_json::Value;

pub fn render(call: &PomlCall, status: Status, tab: Tab, zone: Zone) -> Rendered {
    match tab {
        Tab::Messages => messages(call, status),
        Tab::Context => plain(json_file(call, ".context.json", "context")),
        Tab::Stylesheet => plain(json_file(call, ".stylesheet.json", "stylesheet")),
        Tab::Source => plain(source(call)),
        Tab::Result => plain(text_file(call, ".result.txt")),
        Tab::Files => files(call, zone),
        // Not offered for POML calls; the first tab stands in.
        Tab::Detail | Tab::Input | Tab::Output | Tab::Raw => messages(call, status),
    }
}

fn plain(doc: Doc) -> Rendered {
    Rendered {
        doc,
        anchors: Vec::new(),
    }
}

/// What was sent (`.result.json`), then what came back (`.response.json`).
fn messages(call: &PomlCall, status: Status) -> Rendered {
    let mut out = Rendered::default();
    recorded(call, status, &mut out);
    if call.file(crate::formats::poml::call::RESPONSE).is_some() {
        if !out.doc.lines.last().is_none_or(|l| l.chunks.is_empty()) {
            out.doc.blank();
        }
        super::reply::append(call, &mut out);
    }
    out
}

fn recorded(call: &PomlCall, status: Status, out: &mut Rendered) {
    let Some(file) = call.file(".result.json") else {
        let (text, tone) = match status {
            Status::Running => (
                "Running: poml is still writing this call; its .result.json is not there yet.",
                Tone::Dim,
            ),
            _ => (
                "No .result.json: poml did not finish rendering this prompt.",
                Tone::Warn,
            ),
        };
        out.doc.line(&[(text, tone)]);
        return;
    };
    match read_result(&call.path_of(file)) {
        Ok(result) => prompt(&result, out),
        Err(e) => {
            out.doc
                .line(&[(&format!("{}: {e}", name(file)), Tone::Error)]);
            out.doc.blank();
            out.doc.append(text_file(call, ".result.json"));
        }
    }
}

/// A parsed result as a document, each message anchored.
pub fn prompt(result: &PomlResult, out: &mut Rendered) {
    let doc = &mut out.doc;
    for message in &result.messages {
        out.anchors.push(doc.lines.len());
        let speaker = if message.speaker.is_empty() {
            "(no speaker)"
        } else {
            &message.speaker
        };
        doc.line(&[(
            &format!("── {speaker} ──"),
            Tone::Speaker(Speaker::of(&message.speaker)),
        )]);
        content(doc, &message.content, "");
        doc.blank();
    }
    if let Some(content_value) = &result.content {
        out.anchors.push(doc.lines.len());
        doc.line(&[("── prompt (chat off) ──", Tone::Speaker(Speaker::Human))]);
        content(doc, content_value, "");
        doc.blank();
    }
    if result.messages.is_empty() && result.content.is_none() {
        doc.line(&[("(no messages)", Tone::Dim)]);
    }
    if let Some(tools) = &result.tools {
        let list = tools.as_array().map_or(&[][..], Vec::as_slice);
        super::tools::append(doc, list);
        if list.is_empty() && !tools.is_array() {
            json_text::append(doc, tools, "  ");
        }
        doc.blank();
    }
    if let Some(schema) = &result.schema {
        doc.heading("Output schema");
        json_text::append(doc, schema, "  ");
        doc.blank();
    }
    if let Some(runtime) = &result.runtime {
        doc.heading("Runtime");
        match runtime.as_object() {
            Some(obj) => {
                for (k, v) in obj {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    doc.field(&format!("  {k}"), &v);
                }
            }
            None => json_text::append(doc, runtime, "  "),
        }
    }
}

/// Rich content: text as is, images as one line, tool calls and JSON pretty.
pub(super) fn content(doc: &mut Doc, value: &Value, indent: &str) {
    for part in parts::parts(value) {
        match part {
            Part::Text(text) => {
                doc.indented(text, indent, Tone::Plain);
            }
            Part::Image { mime, base64, alt } => {
                let line = format!("{indent}[{}]", image::describe(mime, base64, alt));
                doc.line(&[(&line, Tone::Dim)]);
            }
            Part::Json(v) => json_text::append(doc, v, indent),
            Part::ToolRequest { id, name, args } => {
                doc.line(&[
                    (&format!("{indent}→ tool call "), Tone::Dim),
                    (name, Tone::Key),
                    (&format!("  id {id}"), Tone::Dim),
                ]);
                json_text::append(doc, args, &format!("{indent}  "));
            }
            Part::ToolResponse {
                id,
                name,
                content: c,
            } => {
                doc.line(&[
                    (&format!("{indent}← tool result "), Tone::Dim),
                    (name, Tone::Key),
                    (&format!("  id {id}"), Tone::Dim),
                ]);
                let inner = format!("{indent}  ");
                match c.as_str().and_then(json_text::embedded) {
                    Some(v) => json_text::append(doc, &v, &inner),
                    None => content(doc, c, &inner),
                }
            }
            Part::Other(v) => json_text::append(doc, v, indent),
        }
    }
}

fn name(file: &CallFile) -> String {
    file.name.to_string_lossy().into_owned()
}

fn json_file(call: &PomlCall, suffix: &str, what: &str) -> Doc {
    let mut doc = Doc::new();
    let Some(file) = call.file(suffix) else {
        doc.line(&[(
            &format!("No {suffix}: this call had no {what} (poml writes it only when non-empty)."),
            Tone::Dim,
        )]);
        return doc;
    };
    match file_text::read(&call.path_of(file)) {
        Ok(shown) => match (&shown.content, shown.cut_from) {
            (FileText::Text(text), None) => match crate::formats::json::parse(text.as_bytes()) {
                Ok(value) => json_text::append(&mut doc, &value, ""),
                Err(e) => {
                    doc.line(&[(&format!("{}: {e}", name(file)), Tone::Error)]);
                    doc.blank();
                    doc.text(text, Tone::Code);
                }
            },
            _ => {
                doc.append(text_file(call, suffix));
            }
        },
        Err(e) => {
            doc.line(&[(&format!("{}: {e}", name(file)), Tone::Error)]);
        }
    }
    doc
}

fn text_file(call: &PomlCall, suffix: &str) -> Doc {
    let mut doc = Doc::new();
    match call.file(suffix) {
        Some(file) => show_file(&mut doc, call, file, false),
        None => {
            doc.line(&[(&format!("No {suffix} for this call."), Tone::Dim)]);
        }
    }
    doc
}

fn show_file(doc: &mut Doc, call: &PomlCall, file: &CallFile, pretty_json: bool) {
    match file_text::read(&call.path_of(file)) {
        Err(e) => {
            doc.line(&[(&format!("{}: {e}", name(file)), Tone::Error)]);
        }
        Ok(shown) => {
            if let Some(total) = shown.cut_from {
                doc.line(&[(
                    &format!(
                        "Showing the first {} of {}.",
                        human_size(file_text::DISPLAY_LIMIT),
                        human_size(total)
                    ),
                    Tone::Warn,
                )]);
            }
            match shown.content {
                FileText::Text(text) => {
                    let parsed = (pretty_json && shown.cut_from.is_none())
                        .then(|| json_text::embedded(&text))
                        .flatten();
                    match parsed {
                        Some(value) => json_text::append(doc, &value, ""),
                        None => {
                            doc.text(&text, Tone::Plain);
                        }
                    }
                }
                FileText::Binary(bytes) => {
                    doc.line(&[(
                        &format!("binary, {}; the first bytes:", human_size(file.size)),
                        Tone::Dim,
                    )]);
                    for line in file_text::hex_dump(&bytes, 256) {
                        doc.line(&[(&line, Tone::Code)]);
                    }
                }
            }
        }
    }
}

fn source(call: &PomlCall) -> Doc {
    let mut doc = Doc::new();
    if let Some(path) = &call.source_path {
        doc.field("source", path);
    }
    if let Some(link) = call.file(".source.poml").and_then(|f| f.link.as_ref()) {
        let state = if link.dangling { " (dangling)" } else { "" };
        doc.field("link", &format!("→ {}{state}", link.target.display()));
    }
    let Some(file) = call.file(".poml") else {
        doc.line(&[("No .poml copy of the source for this call.", Tone::Dim)]);
        return doc;
    };
    doc.line(&[(
        &format!("{} (the source as it was when the call ran)", name(file)),
        Tone::Dim,
    )]);
    doc.blank();
    match file_text::read(&call.path_of(file)) {
        Ok(shown) => match shown.content {
            FileText::Text(text) => {
                let width = text.lines().count().max(1).to_string().len();
                for (i, line) in text.lines().enumerate() {
                    doc.line(&[
                        (&format!("{:>width$} │ ", i + 1), Tone::Gutter),
                        (line, Tone::Code),
                    ]);
                }
                if text.is_empty() {
                    doc.line(&[(
                        "(empty: poml has reserved the index but not written yet)",
                        Tone::Dim,
                    )]);
                }
            }
            FileText::Binary(_) => {
                doc.line(&[("not UTF-8 text", Tone::Error)]);
            }
        },
        Err(e) => {
            doc.line(&[(&format!("{}: {e}", name(file)), Tone::Error)]);
        }
    }
    doc
}

fn files(call: &PomlCall, zone: Zone) -> Rendered {
    let mut out = Rendered::default();
    let start = call.files.iter().map(|f| f.mtime_ns).min().unwrap_or(0);
    let doc = &mut out.doc;
    doc.heading("Files");
    for file in &call.files {
        let link = match &file.link {
            Some(l) if l.dangling => format!("  → {} (dangling)", l.target.display()),
            Some(l) => format!("  → {}", l.target.display()),
            None => String::new(),
        };
        doc.line(&[
            (&format!("  {:<18}", file.suffix), Tone::Key),
            (&format!("{:>9}", human_size(file.size)), Tone::Plain),
            (
                &format!(
                    "  {}  +{}",
                    zone.clock_ms(file.mtime_ns),
                    format_duration(file.mtime_ns - start)
                ),
                Tone::Dim,
            ),
            (&link, Tone::Dim),
        ]);
    }
    for file in &call.files {
        out.anchors.push(out.doc.lines.len());
        if matches!(&*file.suffix, ".poml" | ".source.poml" | ".result.json") {
            continue;
        }
        out.doc.blank();
        out.doc.heading(&format!("── {} ──", name(file)));
        show_file(&mut out.doc, call, file, true);
    }
    out
}
