//! `dump --format text`: a readable tree with times, safe to print to a terminal.

use crate::analysis::Matches;
use crate::formats::poml::call::read_reply;
use crate::model::time::{Zone, format_duration};
use crate::model::{Payload, Session, SessionId, SpanKind, Store};
use crate::untrusted::sanitize;
use std::io::{self, Write};

const MESSAGE_PREVIEW: usize = 100;

/// With `matches`, only matching spans (marked `*`) and their ancestors.
/// Times are in UTC, so the same traces dump the same in any zone.
pub fn write(store: &Store, matches: Option<&Matches>, out: &mut impl Write) -> io::Result<()> {
    for problem in store.problems() {
        writeln!(out, "! {}", sanitize::label(&problem.to_string()))?;
    }
    for (sid, session) in store.sessions() {
        if matches.is_some_and(|m| !m.session_visible(sid)) {
            continue;
        }
        session_block(store, matches.map(|m| (m, sid)), session, out)?;
    }
    Ok(())
}

/// A model call's conversation, a line per message as for POML calls: the role, then the
/// first line of its text or the tools it called (`→ search_flights`).
fn span_messages(
    span_ref: &crate::model::SpanRef,
    indent: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    use crate::formats::otel::chat::{self, ChatPart};
    let span = match crate::formats::otel::load(span_ref, &mut crate::formats::bytes::Pread) {
        Ok(span) => span,
        Err(e) => {
            return writeln!(
                out,
                "{indent}    (messages could not be read: {})",
                sanitize::label(&e)
            );
        }
    };
    let list = chat::messages(&span);
    let called = chat::called_tools(&list);
    for m in &list {
        let text = m.parts.iter().find_map(|p| match p {
            ChatPart::Text(t) => t.lines().find(|l| !l.trim().is_empty()).map(String::from),
            _ => None,
        });
        let calls: Vec<String> = m
            .parts
            .iter()
            .filter_map(|p| match p {
                ChatPart::ToolCall { name, .. } => Some(format!("→ {name}")),
                ChatPart::ToolResult { id, .. } => Some(match called.get(id.as_str()) {
                    Some(name) => format!("← {name} {id}"),
                    None => format!("← {id}"),
                }),
                _ => None,
            })
            .collect();
        // Text first, then every call it makes: a reply that says something and calls
        // tools does both.
        let line = match (text, calls.is_empty()) {
            (Some(text), true) => text,
            (Some(text), false) => format!("{text}  {}", calls.join("  ")),
            (None, false) => calls.join("  "),
            (None, true) if m.parts.is_empty() => "(its content was not recorded)".into(),
            (None, true) => String::new(),
        };
        let line: String = line.chars().take(MESSAGE_PREVIEW).collect();
        writeln!(
            out,
            "{indent}    {}: {}",
            sanitize::label(&m.role),
            sanitize::label(&line)
        )?;
    }
    Ok(())
}

/// `1 span`, `2 spans`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Levels of nesting the text dump indents; deeper spans are marked `⋯<depth>`.
const MAX_INDENT: usize = 32;

fn session_block(
    store: &Store,
    matches: Option<(&Matches, SessionId)>,
    session: &Session,
    out: &mut impl Write,
) -> io::Result<()> {
    let start = session.start_ns();
    let mut order = session.spans_in_order();
    if let Some((m, sid)) = matches {
        order.retain(|&id| m.is_visible(sid, id));
    }
    writeln!(
        out,
        "{}  [{}]  {}  {}  {}  {}  {}",
        sanitize::label(&session.id),
        session.source.as_str(),
        start.map_or_else(|| "-".into(), |s| format!("{} UTC", Zone::Utc.datetime(s))),
        count(order.len(), "span"),
        session
            .duration_ns()
            .map_or_else(|| "-".into(), format_duration),
        count(session.problem_count(), "problem"),
        sanitize::label(&session.path.to_string_lossy()),
    )?;
    if let Some(note) = &session.note {
        writeln!(out, "  note: {}", sanitize::label(note))?;
    }
    if let Some(u) = crate::analysis::size::session_usage(session) {
        writeln!(out, "  usage: {}", crate::analysis::size::usage_text(u))?;
    }
    for problem in session.problems() {
        writeln!(out, "  ! {}", sanitize::label(&problem.to_string()))?;
    }
    let depths = session.depths();
    // The label column is as wide as the deepest span needs, so the times line up.
    let deepest = order
        .iter()
        .map(|id| (depths[id.index()] as usize).min(MAX_INDENT))
        .max()
        .unwrap_or(0);
    for &id in &order {
        let gap = session.gap_before(id);
        let span = session.span(id);
        let depth = depths[id.index()] as usize;
        let mark = match matches {
            Some((m, sid)) if m.is_match(sid, id) => "*",
            _ => " ",
        };
        // Indentation stops at MAX_INDENT (a chain thousands deep would print gigabytes of
        // spaces); deeper spans say their depth instead.
        let indent = format!(
            "{mark}{}",
            "  ".repeat(depth.min(MAX_INDENT) + 1).split_off(1)
        );
        let deeper = if depth > MAX_INDENT {
            format!("⋯{depth} ")
        } else {
            String::new()
        };
        let label = match span.index() {
            Some(i) => format!("{deeper}{i:04} {}", store.name(span.name)),
            None => format!("{deeper}{}", store.name(span.name)),
        };
        let offset = match (span.start_ns(), start) {
            (Some(s), Some(t)) => format!("+{}", format_duration(s - t)),
            _ => "-".into(),
        };
        let mut size = String::new();
        if let Some(s) = crate::analysis::size::of_span(session, id) {
            size.push_str(&format!(
                "  ~{} tok",
                crate::analysis::size::thousands(s.tokens)
            ));
            if let Some((g, _)) = s.growth {
                size.push_str(&format!(" {}", crate::analysis::size::signed(g)));
            }
        }
        if let Some(u) = span.payload.usage() {
            size.push_str(&format!("  used {}", crate::analysis::size::usage_text(u)));
        }
        let label_w = 28 + 2 * (deepest - depth.min(MAX_INDENT));
        writeln!(
            out,
            "{indent}{:<label_w$} {:>9} {:>8} {:>9}  {}{size}",
            sanitize::label(&label),
            offset,
            span.duration_ns()
                .map_or_else(|| "-".into(), format_duration),
            gap.map_or_else(String::new, |g| if g < 0 {
                format!("overlap {}", format_duration(-g))
            } else {
                format!("gap {}", format_duration(g))
            }),
            span.status.as_str(),
        )?;
        if let Payload::Poml(call) = &span.payload
            && let Some(prompt) = &call.prompt
        {
            for m in &prompt.messages {
                let line: String = m.first_line.chars().take(MESSAGE_PREVIEW).collect();
                writeln!(
                    out,
                    "{indent}    {}: {}",
                    sanitize::label(&m.speaker),
                    sanitize::label(&line)
                )?;
            }
        }
        if let Payload::Span(span_ref) = &span.payload
            && matches!(span.kind, SpanKind::Llm | SpanKind::ChatModel)
        {
            span_messages(span_ref, &indent, out)?;
        }
        if let Payload::Poml(call) = &span.payload
            && let Some(read) = read_reply(call)
        {
            let line = match read {
                Ok(reply) => reply.summary(),
                Err(e) => format!("could not be read: {e}"),
            };
            writeln!(out, "{indent}    reply: {}", sanitize::label(&line))?;
        }
        if span.status == crate::model::Status::Error
            && let Some(why) = error_line(&span.payload)
        {
            let line: String = why.chars().take(MESSAGE_PREVIEW).collect();
            writeln!(out, "{indent}    error: {}", sanitize::label(&line))?;
        }
        for problem in &span.problems {
            writeln!(out, "{indent}  ! {}", sanitize::label(&problem.to_string()))?;
        }
    }
    Ok(())
}

/// Why a span failed, in a line, as its source recorded it: an event's `error`, a span's
/// exception or status message.
fn error_line(payload: &Payload) -> Option<String> {
    let text = match payload {
        Payload::Event(event) => {
            let error =
                crate::formats::pml::body::read(event, &mut crate::formats::bytes::Pread).error?;
            match error {
                serde_json::Value::String(s) => s,
                serde_json::Value::Object(ref map) => map
                    .get("message")
                    .and_then(serde_json::Value::as_str)
                    .map_or_else(|| error.to_string(), str::to_string),
                other => other.to_string(),
            }
        }
        Payload::Span(span_ref) => {
            crate::formats::otel::load(span_ref, &mut crate::formats::bytes::Pread)
                .ok()?
                .error_text()?
        }
        Payload::Poml(_) | Payload::None => return None,
    };
    text.lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
}
