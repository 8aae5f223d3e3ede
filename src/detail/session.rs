//! The prompt pane when a session row is selected: where it is, when, and what went wrong.

use super::doc::{Doc, Tone};
use crate::model::time::{Zone, format_duration};
use crate::model::{Session, Status};

pub fn overview(session: &Session, zone: Zone) -> Doc {
    let mut doc = Doc::new();
    doc.heading(&format!("Session {}", session.id));
    doc.field("source", session.source.as_str());
    doc.field("path", &session.path.display().to_string());
    if let Some(note) = &session.note {
        doc.field("note", note);
    }
    if let Some(start) = session.start_ns() {
        doc.field("started", &zone.datetime(start));
    }
    if let Some(d) = session.duration_ns() {
        doc.field("duration", &format_duration(d));
    }
    let spans = session.spans_in_order();
    let count = |status: Status| {
        spans
            .iter()
            .filter(|&&id| session.span(id).status == status)
            .count()
    };
    doc.field(
        session.span_noun(),
        &format!(
            "{} ({} ok, {} error, {} incomplete, {} running)",
            spans.len(),
            count(Status::Ok),
            count(Status::Error),
            count(Status::Incomplete),
            count(Status::Running)
        ),
    );
    if let Some(tokens) = crate::analysis::size::session_tokens(session) {
        doc.field(
            "prompts",
            &format!(
                "~{} tokens in all (estimated, 4 chars a token)",
                crate::analysis::size::thousands(tokens)
            ),
        );
    }
    if let Some(usage) = crate::analysis::size::session_usage(session) {
        let mut text = crate::analysis::size::usage_text(usage);
        if let (Some(_), Some(_), Some(total)) = (usage.input, usage.output, usage.total()) {
            text.push_str(&format!(
                " · {} total",
                crate::analysis::size::thousands(total)
            ));
        }
        doc.field("usage", &format!("{text} (reported)"));
    }
    let problems: Vec<String> = session
        .problems()
        .map(ToString::to_string)
        .chain(
            spans
                .iter()
                .flat_map(|&id| session.span(id).problems.iter().map(ToString::to_string)),
        )
        .collect();
    doc.blank();
    if problems.is_empty() {
        doc.line(&[("No problems.", Tone::Dim)]);
    } else {
        doc.heading(&format!("Problems ({})", problems.len()));
        for p in problems {
            doc.line(&[("⚠ ", Tone::Error), (&p, Tone::Error)]);
        }
    }
    doc
}
