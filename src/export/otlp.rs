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
    // An OpenTelemetry-shaped span (MLflow, OTLP) goes out as it came in: its kind,
    // attributes, events and status message, so reading the export back gives the same dump.
    let original = match &s.payload {
        crate::model::Payload::Span(span_ref) => {
            crate::formats::otel::load(span_ref, &mut crate::formats::bytes::Pread).ok()
        }
        _ => None,
    };
    w.begin_object()?;
    w.field("traceId", trace_id)?;
    w.field("spanId", &span_id(session, session.key(id)))?;
    let parent = session.parent_key(id).map(|p| span_id(session, p));
    w.field("parentSpanId", parent.as_deref().unwrap_or(""))?;
    w.field("name", &f.name)?;
    // A span that had no kind (MLflow's) keeps none: SPAN_KIND_UNSPECIFIED.
    let kind = match (&original, s.kind) {
        (Some(o), _) => o.otel_kind.unwrap_or(0),
        (None, SpanKind::Llm | SpanKind::ChatModel) => i64::from(KIND_CLIENT),
        (None, _) => i64::from(KIND_INTERNAL),
    };
    w.field("kind", &kind)?;
    w.field("startTimeUnixNano", &start.to_string())?;
    w.field("endTimeUnixNano", &end.to_string())?;
    w.key("attributes")?;
    w.begin_array()?;
    match &original {
        Some(o) => {
            for (key, value) in &o.attributes {
                any_attr(w, key, value)?;
            }
        }
        None => derived_attributes(w, session, id, &f)?,
    }
    w.end_array()?;
    if let Some(o) = &original
        && !o.events.is_empty()
    {
        w.key("events")?;
        w.begin_array()?;
        for e in &o.events {
            w.begin_object()?;
            w.field("name", &e.name)?;
            if let Some(t) = e.time_ns {
                w.field("timeUnixNano", &t.to_string())?;
            }
            w.key("attributes")?;
            w.begin_array()?;
            for (key, value) in &e.attributes {
                any_attr(w, key, value)?;
            }
            w.end_array()?;
            w.end_object()?;
        }
        w.end_array()?;
    }
    w.key("status")?;
    w.begin_object()?;
    let code = match (&original, s.status) {
        (Some(o), _) => match o.status {
            crate::formats::otel::StatusCode::Unset => STATUS_UNSET,
            crate::formats::otel::StatusCode::Ok => STATUS_OK,
            crate::formats::otel::StatusCode::Error => STATUS_ERROR,
        },
        (None, Status::Ok) => STATUS_OK,
        (None, Status::Error) => STATUS_ERROR,
        (None, Status::Incomplete | Status::Running) => STATUS_UNSET,
    };
    w.field("code", &code)?;
    match &original {
        Some(o) if !o.status_message.is_empty() => w.field("message", &o.status_message)?,
        Some(_) => {}
        None if s.status == Status::Error => {
            let message = s
                .problems
                .first()
                .map_or_else(|| "error".to_string(), |p| p.message.to_string());
            w.field("message", &message)?;
        }
        None => {}
    }
    w.end_object()?;
    w.end_object()
}

/// What tracetui knows of a span that was not OpenTelemetry-shaped (a POML call, a PML
/// event): its key, kind, status, index, problems, size and usage, and the POML source.
fn derived_attributes<W: Write>(
    w: &mut JsonWriter<W>,
    session: &Session,
    id: SpanId,
    f: &super::Facts,
) -> io::Result<()> {
    let s = session.span(id);
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
    Ok(())
}

/// An attribute with any JSON value, as OTLP's `AnyValue`: objects as key-value lists,
/// arrays as arrays, integers as strings (int64 does not fit a JSON number everywhere).
fn any_attr<W: Write>(
    w: &mut JsonWriter<W>,
    key: &str,
    value: &serde_json::Value,
) -> io::Result<()> {
    w.begin_object()?;
    w.field("key", key)?;
    w.key("value")?;
    any_value(w, value)?;
    w.end_object()
}

fn any_value<W: Write>(w: &mut JsonWriter<W>, value: &serde_json::Value) -> io::Result<()> {
    use serde_json::Value;
    w.begin_object()?;
    match value {
        Value::Null => {}
        Value::Bool(b) => w.field("boolValue", b)?,
        Value::Number(n) => match n.as_i64() {
            Some(i) => w.field("intValue", &i.to_string())?,
            None => w.field("doubleValue", &n.as_f64().unwrap_or(0.0))?,
        },
        Value::String(s) => w.field("stringValue", s)?,
        Value::Array(items) => {
            w.key("arrayValue")?;
            w.begin_object()?;
            w.key("values")?;
            w.begin_array()?;
            for item in items {
                any_value(w, item)?;
            }
            w.end_array()?;
            w.end_object()?;
        }
        Value::Object(map) => {
            w.key("kvlistValue")?;
            w.begin_object()?;
            w.key("values")?;
            w.begin_array()?;
            for (k, v) in map {
                any_attr(w, k, v)?;
            }
            w.end_array()?;
            w.end_object()?;
        }
    }
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
