//! Exporting the model for other tools: Chrome trace event JSON (Perfetto, chrome://tracing)
//! and OpenTelemetry OTLP/JSON. UI-free; `tracetui export` streams either to stdout.

pub mod chrome;
pub mod lanes;
pub mod otlp;

use crate::analysis::Matches;
use crate::analysis::size;
use crate::model::{Session, SessionId, Span, SpanId, Store, Usage};

/// What both formats say about a span besides its times.
pub struct Facts {
    /// `0003 tool_caller` for POML calls, else the span's name (its key when unnamed).
    pub name: String,
    pub tokens_est: Option<u64>,
    pub tokens_growth: Option<i64>,
    pub usage: Option<Usage>,
}

pub fn facts(store: &Store, session: &Session, id: SpanId) -> Facts {
    let span = session.span(id);
    let name = store.name(span.name);
    let name = match (span.index(), name.is_empty()) {
        (Some(i), false) => format!("{i:04} {name}"),
        (_, false) => name.to_string(),
        (_, true) => session.key(id).to_string(),
    };
    let size = size::of_span(session, id);
    Facts {
        name,
        tokens_est: size.map(|s| s.tokens),
        tokens_growth: size.and_then(|s| s.growth).map(|(g, _)| g),
        usage: span.payload.usage(),
    }
}

/// The spans to export from a session, in tree order: all of them, or with a filter the
/// matches and their ancestors.
pub fn spans_of(session: &Session, sid: SessionId, matches: Option<&Matches>) -> Vec<SpanId> {
    let mut order = session.spans_in_order();
    if let Some(m) = matches {
        order.retain(|&id| m.is_visible(sid, id));
    }
    order
}

/// Sessions to export, in start order.
pub fn sessions<'a>(
    store: &'a Store,
    matches: Option<&'a Matches>,
) -> impl Iterator<Item = (SessionId, &'a Session)> + 'a {
    store
        .sessions()
        .filter(move |(sid, _)| matches.is_none_or(|m| m.session_visible(*sid)))
}

/// A span has ended when it has an end and is not still running.
pub fn finished(span: &Span) -> Option<(i64, i64)> {
    match (span.start_ns(), span.end_ns()) {
        (Some(s), Some(e)) if !span.in_flight() => Some((s, e.max(s))),
        _ => None,
    }
}
