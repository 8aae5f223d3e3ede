//! What the prompt pane shows for a selection, as a UI-free `Doc`: built on demand from a
//! span's payload, so bodies are read only when someone looks at them.

pub mod attachment;
pub mod doc;
pub mod event;
pub mod file_text;
pub mod image;
pub mod json_text;
pub mod poml;
pub mod reply;
pub mod session;
pub mod span;
pub mod tools;

pub use doc::{Doc, Speaker, Tone};

use crate::model::Session;
use crate::model::time::{Zone, format_duration};
use crate::model::{Payload, SessionId, SpanId, Status, Store};

/// The prompt pane's tabs. Which ones a selection has depends on its payload; keys 1-6
/// pick them by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Messages,
    Context,
    Source,
    Stylesheet,
    Result,
    Files,
    Detail,
    Input,
    Output,
    Raw,
}

impl Tab {
    pub const POML: [Tab; 6] = [
        Tab::Messages,
        Tab::Context,
        Tab::Source,
        Tab::Stylesheet,
        Tab::Result,
        Tab::Files,
    ];
    pub const EVENT: [Tab; 4] = [Tab::Detail, Tab::Input, Tab::Output, Tab::Raw];
    /// A model call (MLflow LLM or chat span, GenAI span): the conversation first.
    pub const CHAT_SPAN: [Tab; 5] = [
        Tab::Messages,
        Tab::Detail,
        Tab::Input,
        Tab::Output,
        Tab::Raw,
    ];
    /// Any other OpenTelemetry-shaped span.
    pub const SPAN: [Tab; 5] = [
        Tab::Detail,
        Tab::Messages,
        Tab::Input,
        Tab::Output,
        Tab::Raw,
    ];
    pub const OVERVIEW: [Tab; 1] = [Tab::Detail];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Messages => "Messages",
            Tab::Context => "Context",
            Tab::Source => "Source",
            Tab::Stylesheet => "Stylesheet",
            Tab::Result => "Result",
            Tab::Files => "Files",
            Tab::Detail => "Detail",
            Tab::Input => "Input",
            Tab::Output => "Output",
            Tab::Raw => "Raw JSON",
        }
    }
}

/// The tabs a selection offers, in key order.
pub fn tabs_for(store: &Store, subject: Subject) -> &'static [Tab] {
    let Subject::Span(sid, id) = subject else {
        return &Tab::OVERVIEW;
    };
    match store
        .session(sid)
        .and_then(|s| s.get(id))
        .map(|s| &s.payload)
    {
        Some(Payload::Poml(_)) => &Tab::POML,
        Some(Payload::Event(_)) => &Tab::EVENT,
        Some(Payload::Span(_)) => {
            let kind = store.session(sid).and_then(|s| s.get(id)).map(|s| s.kind);
            match kind {
                Some(crate::model::SpanKind::Llm | crate::model::SpanKind::ChatModel) => {
                    &Tab::CHAT_SPAN
                }
                _ => &Tab::SPAN,
            }
        }
        _ => &Tab::OVERVIEW,
    }
}

/// What is selected, as far as the prompt pane cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Session(SessionId),
    Span(SessionId, SpanId),
}

/// A document and where its parts begin, so a tree row can scroll the pane to them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    pub doc: Doc,
    /// First line of each message (Messages tab) or each file (Files tab).
    pub anchors: Vec<usize>,
}

pub fn render(store: &Store, subject: Subject, tab: Tab, zone: Zone) -> Rendered {
    match subject {
        Subject::Session(sid) => match store.session(sid) {
            Some(session) => Rendered {
                doc: session::overview(session, zone),
                anchors: Vec::new(),
            },
            None => Rendered::default(),
        },
        Subject::Span(sid, span_id) => {
            let Some(span) = store.session(sid).and_then(|s| s.get(span_id)) else {
                return Rendered::default();
            };
            let mut doc = Doc::new();
            if let Some(session) = store.session(sid) {
                doc.line(&[(&timing(session, span_id, zone), Tone::Dim)]);
                size_line(&mut doc, session, span_id);
            }
            if let Some(line) = related_line(store, sid, span_id) {
                doc.line(&[(&line, Tone::Key)]);
            }
            for problem in &span.problems {
                doc.line(&[("⚠ ", Tone::Error), (&problem.to_string(), Tone::Error)]);
            }
            if !span.problems.is_empty() {
                doc.blank();
            }
            let offset = doc.lines.len();
            let mut rendered = match &span.payload {
                Payload::Poml(call) => poml::render(call, span.status, tab, zone),
                Payload::Event(event) => match store.session(sid) {
                    Some(session) => event::render(store, session, span_id, event, tab),
                    None => Rendered::default(),
                },
                Payload::Span(span_ref) => span::render(span_ref, tab, zone),
                Payload::None => Rendered::default(),
            };
            rendered.anchors.iter_mut().for_each(|a| *a += offset);
            doc.append(rendered.doc);
            rendered.doc = doc;
            rendered
        }
    }
}

/// `~1,912 tok +312 · used 632→75`, as the timeline writes it: the estimated prompt size
/// (`~`, 4 characters a token), its growth since the previous call, and what the provider
/// reported using (in→out). One short line, so a small pane keeps its rows for the prompt.
fn size_line(doc: &mut Doc, session: &Session, id: SpanId) {
    use crate::analysis::size;
    let mut chunks: Vec<(String, Tone)> = Vec::new();
    if let Some(s) = size::of_span(session, id) {
        chunks.push((format!("~{} tok", size::thousands(s.tokens)), Tone::Dim));
        if let Some((growth, _)) = s.growth {
            chunks.push((
                format!(" {}", size::signed(growth)),
                if growth > 0 { Tone::Warn } else { Tone::Dim },
            ));
        }
    }
    if let Some(usage) = session.get(id).and_then(|s| s.payload.usage()) {
        let sep = if chunks.is_empty() { "" } else { " · " };
        chunks.push((format!("{sep}used "), Tone::Dim));
        chunks.push((size::usage_arrow(usage), Tone::Key));
    }
    if !chunks.is_empty() {
        let refs: Vec<(&str, Tone)> = chunks.iter().map(|(t, tone)| (t.as_str(), *tone)).collect();
        doc.line(&refs);
    }
}

/// Where the same call was recorded by the other side (POML folder or MLflow), and `o`.
fn related_line(store: &Store, sid: SessionId, id: SpanId) -> Option<String> {
    let r = crate::analysis::relate::related(store, sid, id)?;
    let other = store.session(r.session)?;
    let when = format_duration(r.offset_ns.abs());
    let here_is_poml = matches!(store.session(sid)?.get(id)?.payload, Payload::Poml(_));
    let there_is_poml = matches!(other.span(r.span).payload, Payload::Poml(_));
    if !here_is_poml && !there_is_poml {
        return Some(format!(
            "↔ also recorded as {} ({}) › {} (o goes there)",
            other.id,
            other.source.as_str(),
            store.name(other.span(r.span).name)
        ));
    }
    Some(if here_is_poml {
        format!(
            "↔ MLflow {} › {} (its span started {when} after this call; o goes there)",
            other.id,
            store.name(other.span(r.span).name)
        )
    } else {
        format!(
            "↔ POML call {} › {} (written {when} before this span; o goes there)",
            other.id,
            other.key(r.span)
        )
    })
}

/// `took 41ms · +4.21s · gap 1.12s · 12:39:05.070`: what matters most first, short
/// enough for one row of a small pane.
fn timing(session: &Session, id: SpanId, zone: Zone) -> String {
    let span = session.span(id);
    let Some(start) = span.start_ns() else {
        return "no start time".into();
    };
    let mut parts = Vec::new();
    // The same words as the status: running while something still writes it, incomplete
    // once it stopped without an end.
    match (span.status, span.duration_ns()) {
        (Status::Running, _) => parts.push("running".into()),
        (Status::Incomplete, _) => parts.push("incomplete: stopped without an end".into()),
        (_, Some(d)) if !span.in_flight() => parts.push(format!("took {}", format_duration(d))),
        _ => parts.push("running".into()),
    }
    if let Some(origin) = session.start_ns() {
        parts.push(format!("+{}", format_duration(start - origin)));
    }
    if let Some(gap) = session.gap_before(id) {
        parts.push(if gap >= 0 {
            format!("gap {}", format_duration(gap))
        } else {
            format!("overlaps the previous by {}", format_duration(-gap))
        });
    }
    parts.push(zone.clock_ms(start));
    parts.join(" · ")
}
