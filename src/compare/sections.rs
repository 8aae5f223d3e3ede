//! A call as plain-text sections to compare: messages by speaker, context, source,
//! stylesheet, tools, schema, runtime (POML); input, output, error (events); messages,
//! input, output, attributes (MLflow and OTLP spans). The text is the
//! original (not sanitized, not cut): a difference past a display limit is still one.
//! Whoever shows it sanitizes.

use crate::formats::bytes::ByteSource;
use crate::formats::otel::chat::{self, ChatPart};
use crate::formats::poml::PomlResult;
use crate::formats::poml::call::{PARSE_LIMIT, read_result};
use crate::formats::poml::parts::{self, Part};
use crate::model::{Payload, PomlCall, Session, SpanId, SpanRef};
use crate::untrusted::fsread::{self, human_size};
use serde_json::Value;

/// One named part of a call, as lines of text. `present` is false when the call has none
/// (no context file, no tools), which reads differently from "present and empty".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: &'static str,
    pub present: bool,
    pub lines: Vec<String>,
}

impl Section {
    fn absent(name: &'static str) -> Self {
        Self {
            name,
            present: false,
            lines: Vec::new(),
        }
    }

    fn of_text(name: &'static str, text: &str) -> Self {
        Self {
            name,
            present: true,
            lines: split_lines(text),
        }
    }

    fn of_json(name: &'static str, value: Option<&Value>) -> Self {
        match value {
            Some(v) => Self::of_text(name, &pretty(v)),
            None => Self::absent(name),
        }
    }
}

/// The sections of a span, always the same names in the same order for a payload kind, so
/// two spans' lists line up.
pub fn of_span(session: &Session, id: SpanId, files: &mut dyn ByteSource) -> Vec<Section> {
    match session.get(id).map(|s| &s.payload) {
        Some(Payload::Poml(call)) => poml(call),
        Some(Payload::Event(event)) => {
            let body = crate::formats::pml::body::read(event, files);
            let mut sections = vec![
                Section::of_json("input", body.input.as_ref()),
                Section::of_json("output", body.output.as_ref()),
                Section::of_json("error", body.error.as_ref()),
            ];
            if !body.problems.is_empty() {
                sections.push(Section {
                    name: "unreadable",
                    present: true,
                    lines: body.problems,
                });
            }
            sections
        }
        Some(Payload::Span(span)) => otel_span(span, files),
        Some(Payload::None) | None => Vec::new(),
    }
}

/// An MLflow or OTLP span: its conversation, inputs, outputs and attributes.
fn otel_span(span_ref: &SpanRef, files: &mut dyn ByteSource) -> Vec<Section> {
    let span = match crate::formats::otel::load(span_ref, files) {
        Ok(span) => span,
        Err(e) => {
            return vec![Section::of_text(
                "messages",
                &format!("(cannot read the span back: {e})"),
            )];
        }
    };
    let mut lines = Vec::new();
    for m in chat::messages(&span) {
        lines.push(format!("── {} ──", m.role));
        for part in &m.parts {
            match part {
                ChatPart::Text(t) | ChatPart::Reasoning(t) | ChatPart::Media(t) => {
                    lines.extend(split_lines(t))
                }
                ChatPart::ToolCall {
                    id,
                    name,
                    arguments,
                } => {
                    lines.push(format!("→ tool call {name}  id {id}"));
                    push_json(arguments, "  ", &mut lines);
                }
                ChatPart::ToolResult { id, content } => {
                    lines.push(format!("← tool result  id {id}"));
                    push_json(content, "  ", &mut lines);
                }
                ChatPart::Other(v) => push_json(v, "", &mut lines),
            }
        }
        lines.push(String::new());
    }
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let messages = if lines.is_empty() {
        Section::absent("messages")
    } else {
        Section {
            name: "messages",
            present: true,
            lines,
        }
    };
    // The trace's own id differs in every run: no difference worth showing.
    let attributes: serde_json::Map<String, Value> = span
        .other_attributes()
        .filter(|(k, _)| k != "mlflow.traceRequestId")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    vec![
        messages,
        Section::of_json("input", span.inputs().as_deref()),
        Section::of_json("output", span.outputs().as_deref()),
        Section::of_json("attributes", Some(&Value::Object(attributes))),
    ]
}

fn poml(call: &PomlCall) -> Vec<Section> {
    let [messages, tools, schema, runtime] = match call.file(".result.json") {
        Some(file) => of_result(read_result(&call.path_of(file)), ".result.json"),
        None => [
            Section::absent("messages"),
            Section::absent("tools"),
            Section::absent("schema"),
            Section::absent("runtime"),
        ],
    };
    vec![
        messages,
        json_file(call, ".context.json", "context"),
        text_file(call, ".poml", "source"),
        json_file(call, ".stylesheet.json", "stylesheet"),
        tools,
        schema,
        runtime,
    ]
}

/// A POML result's messages, tools, schema and runtime sections; `what` names where an
/// unreadable one came from.
pub fn of_result(result: Result<PomlResult, String>, what: &str) -> [Section; 4] {
    let result = match result {
        Ok(result) => result,
        Err(e) => {
            return [
                Section::of_text("messages", &format!("({what}: {e})")),
                Section::absent("tools"),
                Section::absent("schema"),
                Section::absent("runtime"),
            ];
        }
    };
    let mut lines = Vec::new();
    for m in &result.messages {
        lines.push(format!("── {} ──", m.speaker));
        content_lines(&m.content, "", &mut lines);
        lines.push(String::new());
    }
    if let Some(content) = &result.content {
        lines.push("── prompt (chat off) ──".into());
        content_lines(content, "", &mut lines);
    }
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    [
        Section {
            name: "messages",
            present: true,
            lines,
        },
        Section::of_json("tools", result.tools.as_ref()),
        Section::of_json("schema", result.schema.as_ref()),
        Section::of_json("runtime", result.runtime.as_ref()),
    ]
}

/// Rich content as text lines: images as one line with a fingerprint of their bytes (so a
/// changed image is a changed line), tool calls and JSON pretty.
fn content_lines(value: &Value, indent: &str, out: &mut Vec<String>) {
    for part in parts::parts(value) {
        match part {
            Part::Text(text) => out.extend(
                split_lines(text)
                    .into_iter()
                    .map(|l| indent_line(indent, &l)),
            ),
            Part::Image { mime, base64, alt } => {
                let mut line = format!(
                    "{indent}[{}",
                    crate::detail::image::describe(mime, base64, alt)
                );
                line.push_str(&format!(
                    " · #{:08x}]",
                    crate::model::fingerprint::fnv1a64(0, base64.as_bytes()) >> 32
                ));
                out.push(line);
            }
            Part::Json(v) | Part::Other(v) => push_json(v, indent, out),
            Part::ToolRequest { id, name, args } => {
                out.push(format!("{indent}→ tool call {name}  id {id}"));
                push_json(args, &format!("{indent}  "), out);
            }
            Part::ToolResponse { id, name, content } => {
                out.push(format!("{indent}← tool result {name}  id {id}"));
                let inner = format!("{indent}  ");
                match content
                    .as_str()
                    .and_then(crate::detail::json_text::embedded)
                {
                    Some(v) => push_json(&v, &inner, out),
                    None => content_lines(content, &inner, out),
                }
            }
        }
    }
}

fn indent_line(indent: &str, line: &str) -> String {
    if indent.is_empty() {
        line.to_string()
    } else {
        format!("{indent}{line}")
    }
}

fn push_json(value: &Value, indent: &str, out: &mut Vec<String>) {
    out.extend(pretty(value).lines().map(|l| indent_line(indent, l)));
}

/// Pretty JSON in the key order the model saw.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Lines of `text` (`\r\n` as `\n`); an empty text is no lines.
fn split_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

/// A file's text, or a line saying why it cannot be compared.
fn read_text(call: &PomlCall, suffix: &str) -> Option<Result<String, String>> {
    let file = call.file(suffix)?;
    Some(
        fsread::read_prefix(&call.path_of(file), PARSE_LIMIT)
            .map_err(|e| fsread::describe(&e))
            .and_then(|p| {
                if p.truncated() {
                    return Err(format!("too large to compare ({})", human_size(p.len)));
                }
                String::from_utf8(p.bytes).map_err(|_| "not UTF-8 text".to_string())
            }),
    )
}

fn text_file(call: &PomlCall, suffix: &str, name: &'static str) -> Section {
    match read_text(call, suffix) {
        None => Section::absent(name),
        Some(Ok(text)) => Section::of_text(name, &text),
        Some(Err(e)) => Section::of_text(name, &format!("({suffix}: {e})")),
    }
}

/// A JSON file pretty-printed (so formatting alone is no difference); not JSON: as text.
fn json_file(call: &PomlCall, suffix: &str, name: &'static str) -> Section {
    match read_text(call, suffix) {
        None => Section::absent(name),
        Some(Ok(text)) => match crate::formats::json::parse(text.as_bytes()) {
            Ok(value) => Section::of_text(name, &pretty(&value)),
            Err(_) => Section::of_text(name, &text),
        },
        Some(Err(e)) => Section::of_text(name, &format!("({suffix}: {e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_as_lines() {
        let value: Value = serde_json::from_str(
            r#"["Hello\nworld", {"type":"application/vnd.poml.toolrequest","id":"c1","name":"add","content":{"a":2}},
                {"type":"image/png","base64":"aGk="}]"#,
        )
        .expect("json");
        let mut lines = Vec::new();
        content_lines(&value, "", &mut lines);
        assert_eq!(lines[0], "Hello");
        assert_eq!(lines[1], "world");
        assert_eq!(lines[2], "→ tool call add  id c1");
        assert_eq!(lines[3], "  {");
        assert_eq!(lines[4], "    \"a\": 2");
        assert!(lines[6].starts_with("[image/png · 2 B · #"), "{}", lines[6]);
        assert_eq!(split_lines("a\r\nb\n"), vec!["a", "b"]);
        assert!(split_lines("").is_empty());
    }
}
