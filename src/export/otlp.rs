//! OpenTelemetry OTLP/JSON (formats.md section 4): one document on stdout,
//! `{"resourceSpans": [...]}` with one resource per session (its id, source and path as
//! resource attributes). Ids are the source's own where it has OpenTelemetry-shaped ones
//! (32 hex digits for a trace, 16 for a span), otherwise derived from the session and span
//! keys by a stable hash, so the same trace exports to the same ids every time. Times are
//! decimal strings of nanoseconds, enums integers, as the OTLP/JSON mapping asks.

use super::{facts, finished, sessions, spans_of};
use crate::analysis::Matches;
use crate::dump::writer::JsonWriter;
use crate::model::fingerprint;
use crate::model::{Session, SpanId, SpanKind, Status, Store};
use std::io::{self, Write};

/// OTLP span kinds and status codes.
const KIND_INTERNAL: u8 = 1;
const KIND_CLIENT: u8 = 3;
const STATUS_UNSET: u8 = 0;
const STATUS_OK: u8 = 1;
const STATUS_ERROR: u8 = 2;

pub fn write(store: &Store, matches: Option<&Matches>, out: &mut impl Write) -> io::Result<()> {
    let mut w = JsonWriter::new(out);
    w.begin_object()?;
    w.key("resourceSpans")?;
    w.begin_array()?;
    for (sid, session) in sessions(store, matches) {
        w.begin_object()?;
        w.key("resource")?;
        w.begin_object()?;
        w.key("attributes")?;
        w.begin_array()?;
        string_attr(&mut w, "service.name", "tracetui")?;
        string_attr(&mut w, "tracetui.session.id", &session.id)?;
        string_attr(&mut w, "tracetui.source", session.source.as_str())?;
        string_attr(
            &mut w,
            "tracetui.session.path",
            &session.path.to_string_lossy(),
        )?;
        w.end_array()?;
        w.end_object()?;
        w.key("scopeSpans")?;
        w.begin_array()?;
        w.begin_object()?;
        w.key("scope")?;
        w.begin_object()?;
        w.field("name", "tracetui")?;
        w.field("version", env!("CARGO_PKG_VERSION"))?;
        w.end_object()?;
        w.key("spans")?;
        w.begin_array()?;
        let trace_id = trace_id(session);
        for id in spans_of(session, sid, matches) {
            span(&mut w, store, session, id, &trace_id)?;
        }
        w.end_array()?;
        w.end_object()?;
        w.end_array()?;
        w.end_object()?;
    }
    w.end_array()?;
    w.end_object()?;
    w.newline()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.bytes().any(|b| b != b'0')
}

/// The session's own trace id when it is one (`5b8e...`, MLflow's `tr-5b8e...`), else a
/// hash of its key.
pub fn trace_id(session: &Session) -> String {
    let own = session.id.strip_prefix("tr-").unwrap_or(&session.id);
    if is_hex(own, 32) {
        own.to_ascii_lowercase()
    } else {
        fingerprint::hex128(&[&session.key])
    }
}

/// The span's own id when it is one, else a hash of the session and span keys.
pub fn span_id(session: &Session, key: &str) -> String {
    if is_hex(key, 16) {
        key.to_ascii_lowercase()
    } else {
        fingerprint::hex64(0, &[&session.key, key])
    }
}

fn span<W: Write>(
    w: &mut JsonWriter<W>,
    store: &Store,
    session: &Session,
    id: SpanId,
    trace_id: &str,
) -> io::Result<()> {
    let s = session.span(id);
    let Some(start) = s.start_ns() else {
        // OTLP needs a start time; a span without one cannot be placed.
        return Ok(());
    };
    let end = finished(s).map_or(start, |(_, e)| e);
    let f = facts(store, session, id);
    w.begin_object()?;
    w.field("traceId", trace_id)?;
    w.field("spanId", &span_id(session, session.key(id)))?;
    let parent = session.parent_key(id).map(|p| span_id(session, p));
    w.field("parentSpanId", parent.as_deref().unwrap_or(""))?;
    w.field("name", &f.name)?;
    let kind = match s.kind {
        SpanKind::Llm | SpanKind::ChatModel => KIND_CLIENT,
        _ => KIND_INTERNAL,
    };
    w.field("kind", &kind)?;
    w.field("startTimeUnixNano", &start.to_string())?;
    w.field("endTimeUnixNano", &end.to_string())?;
    w.key("attributes")?;
    w.begin_array()?;
    string_attr(w, "tracetui.key", session.key(id))?;
    string_attr(w, "tracetui.kind", s.kind.as_str())?;
    string_attr(w, "tracetui.status", s.status.as_str())?;
    if let Some(i) = s.index() {
        int_attr(w, "tracetui.index", i as i64)?;
    }
    if !s.problems.is_empty() {
        int_attr(w, "tracetui.problems", s.problems.len() as i64)?;
    }
    if let Some(t) = f.tokens_est {
        int_attr(w, "tracetui.tokens_estimated", t as i64)?;
    }
    if let Some(g) = f.tokens_growth {
        int_attr(w, "tracetui.tokens_growth", g)?;
    }
    if let Some(u) = f.usage {
        if let Some(i) = u.input {
            int_attr(w, "gen_ai.usage.input_tokens", i as i64)?;
        }
        if let Some(o) = u.output {
            int_attr(w, "gen_ai.usage.output_tokens", o as i64)?;
        }
    }
    if let crate::model::Payload::Poml(call) = &s.payload
        && let Some(path) = &call.source_path
    {
        string_attr(w, "poml.source_path", path)?;
    }
    w.end_array()?;
    w.key("status")?;
    w.begin_object()?;
    let code = match s.status {
        Status::Ok => STATUS_OK,
        Status::Error => STATUS_ERROR,
        Status::Incomplete | Status::Running => STATUS_UNSET,
    };
    w.field("code", &code)?;
    if s.status == Status::Error {
        let message = s
            .problems
            .first()
            .map_or_else(|| "error".to_string(), |p| p.message.to_string());
        w.field("message", &message)?;
    }
    w.end_object()?;
    w.end_object()
}

fn string_attr<W: Write>(w: &mut JsonWriter<W>, key: &str, value: &str) -> io::Result<()> {
    w.begin_object()?;
    w.field("key", key)?;
    w.key("value")?;
    w.begin_object()?;
    w.field("stringValue", value)?;
    w.end_object()?;
    w.end_object()
}

/// Integers are strings in OTLP/JSON (int64 does not fit a JSON number everywhere).
fn int_attr<W: Write>(w: &mut JsonWriter<W>, key: &str, value: i64) -> io::Result<()> {
    w.begin_object()?;
    w.field("key", key)?;
    w.key("value")?;
    w.begin_object()?;
    w.field("intValue", &value.to_string())?;
    w.end_object()?;
    w.end_object()
}
