//! `dump --format json`: the schema documented in the README, streamed as the store is
//! walked. Event fields are copied from the trace files where ingest recorded their place.

use super::ms_between;
use super::span::Ahead;
use super::writer::JsonWriter;
use crate::analysis::Matches;
use crate::formats::bytes::{ByteSource, WholeFiles};
use crate::formats::poml::call::{read_reply, read_result};
use crate::model::time::ns_to_ms;
use crate::model::{
    EventRef, Payload, PomlCall, Session, SessionId, Source, SpanId, SpanRef, SpanSource, Store,
};
use serde_json::Value;
use std::io::{self, Write};

/// Write the store; with `matches`, only matching spans and their ancestors (sessions
/// without a match are left out) and each span says whether it matched.
pub fn write(store: &Store, matches: Option<&Matches>, out: &mut impl Write) -> io::Result<()> {
    let plan = plan(store, matches);
    let span_refs: Vec<&SpanRef> = plan
        .iter()
        .flat_map(|(_, session, order)| order.iter().map(|&id| &session.span(id).payload))
        .filter_map(|payload| match payload {
            Payload::Span(span_ref) => Some(&**span_ref),
            _ => None,
        })
        .collect();
    // The spans' files, read once and shared by the threads that render them.
    let mut span_files = WholeFiles::default();
    let mut last: Option<&std::path::Path> = None;
    for span_ref in &span_refs {
        // Log records usually lie in a file of their own, beside the spans'.
        let records = span_ref.logs.iter();
        for source in std::iter::once(&span_ref.source).chain(records) {
            if let SpanSource::File { file, .. } = source
                && last != Some(&**file)
            {
                span_files.preload(file);
                last = Some(file);
            }
        }
    }
    std::thread::scope(|scope| {
        let mut files = Files {
            // POML calls and their MLflow spans; MLflow spans and the same spans over OTLP.
            pairs: {
                let has = |src: Source| store.sessions().any(|(_, s)| s.source == src);
                has(Source::Mlflow) && (has(Source::Poml) || has(Source::Otlp))
            },
            bytes: WholeFiles::default(),
            path: None,
            ahead: Ahead::start(scope, &span_refs, span_files.loaded()),
        };
        let mut w = JsonWriter::new(out);
        w.begin_object()?;
        let problems: Vec<String> = store.problems().map(ToString::to_string).collect();
        w.field("problems", &problems)?;
        w.key("sessions")?;
        w.begin_array()?;
        for (sid, session, order) in &plan {
            write_session(&mut w, store, matches, (*sid, session), order, &mut files)?;
        }
        w.end_array()?;
        w.end_object()?;
        w.newline()
    })
}

/// The sessions written and, for each, its spans in the order written.
fn plan<'a>(
    store: &'a Store,
    matches: Option<&Matches>,
) -> Vec<(SessionId, &'a Session, Vec<SpanId>)> {
    store
        .sessions()
        .filter(|&(sid, _)| matches.is_none_or(|m| m.session_visible(sid)))
        .map(|(sid, session)| {
            let mut order = session.spans_in_order();
            if let Some(m) = matches {
                order.retain(|&id| m.is_visible(sid, id));
            }
            (sid, session, order)
        })
        .collect()
}

fn write_session<W: Write>(
    w: &mut JsonWriter<W>,
    store: &Store,
    matches: Option<&Matches>,
    (sid, session): (SessionId, &Session),
    order: &[SpanId],
    files: &mut Files<'_>,
) -> io::Result<()> {
    w.begin_object()?;
    w.field("id", &*session.id)?;
    w.field("source", session.source.as_str())?;
    w.field("path", &session.path.to_string_lossy())?;
    w.field("start_ms", &session.start_ns().map(ns_to_ms))?;
    let duration = session
        .start_ns()
        .zip(session.end_ns())
        .map(|(a, b)| ms_between(a, b));
    w.field("duration_ms", &duration)?;
    w.field("span_count", &order.len())?;
    if let Some(note) = &session.note {
        w.field("note", &**note)?;
    }
    let problems: Vec<String> = session.problems().map(ToString::to_string).collect();
    w.field("problems", &problems)?;
    w.field(
        "tokens_est",
        &crate::analysis::size::session_tokens(session),
    )?;
    write_usage(w, crate::analysis::size::session_usage(session))?;
    w.key("spans")?;
    w.begin_array()?;
    for &id in order {
        let matched = matches.map(|m| m.is_match(sid, id));
        write_span(w, store, (sid, session), id, matched, files)?;
    }
    w.end_array()?;
    w.end_object()
}

fn write_span<W: Write>(
    w: &mut JsonWriter<W>,
    store: &Store,
    (sid, session): (SessionId, &Session),
    id: SpanId,
    matched: Option<bool>,
    files: &mut Files<'_>,
) -> io::Result<()> {
    let span = session.span(id);
    w.begin_object()?;
    w.field("id", session.key(id))?;
    w.field("parent", &session.parent_key(id))?;
    w.field("kind", span.kind.as_str())?;
    let name = store.name(span.name);
    w.field("name", &(!name.is_empty()).then_some(name))?;
    w.field("index", &span.index())?;
    w.field("start_ms", &span.start_ns().map(ns_to_ms))?;
    let times = span.start_ns().zip(span.end_ns());
    if matches!(span.payload, Payload::Span(_)) {
        // Nanosecond clocks: to the microsecond, as MLflow and OpenTelemetry tools show it.
        let precise = times.map(|(a, b)| ((b - a) as f64 / 1_000.0).round() / 1_000.0);
        w.field("duration_ms", &precise)?;
    } else {
        w.field("duration_ms", &times.map(|(a, b)| ms_between(a, b)))?;
    }
    w.field("gap_ms", &session.gap_before(id).map(|g| ms_between(0, g)))?;
    w.field("status", span.status.as_str())?;
    if let Some(matched) = matched {
        w.field("matched", &matched)?;
    }
    let problems: Vec<String> = span.problems.iter().map(ToString::to_string).collect();
    w.field("problems", &problems)?;
    let size = crate::analysis::size::of_span(session, id);
    w.field("tokens_est", &size.map(|s| s.tokens))?;
    w.field(
        "tokens_growth",
        &size.and_then(|s| s.growth).map(|(g, _)| g),
    )?;
    write_usage(w, span.payload.usage())?;
    if files.pairs
        && let Some(r) = crate::analysis::relate::related(store, sid, id)
        && let Some(other) = store.session(r.session)
    {
        w.field(
            "related",
            &serde_json::json!({
                "session": &*other.id,
                "span": other.key(r.span),
                "span_started_after_call_ms": r.offset_ns as f64 / 1e6,
            }),
        )?;
    }
    match &span.payload {
        Payload::Poml(call) => poml_fields(w, call)?,
        Payload::Event(event) => event_fields(w, event, files)?,
        Payload::Span(span_ref) => match files.ahead.next() {
            Some(fields) => w.raw_fields(&fields)?,
            // A worker is gone (it panicked, which its scope reports): render here.
            None => w.raw_fields(&super::span::render(span_ref, &mut files.bytes))?,
        },
        Payload::None => {}
    }
    w.end_object()
}

/// `"usage": {"input": 632, "output": 75, "total": 707}` (missing sides null), or null.
fn write_usage<W: Write>(
    w: &mut JsonWriter<W>,
    usage: Option<crate::model::Usage>,
) -> io::Result<()> {
    w.key("usage")?;
    match usage {
        None => w.value(&None::<()>),
        Some(u) => {
            w.begin_object()?;
            w.field("input", &u.input)?;
            w.field("output", &u.output)?;
            w.field("total", &u.total())?;
            w.end_object()
        }
    }
}

fn poml_fields<W: Write>(w: &mut JsonWriter<W>, call: &PomlCall) -> io::Result<()> {
    let files: Vec<&str> = call.files.iter().map(|f| &*f.suffix).collect();
    w.field("files", &files)?;
    w.field("source_path", &call.source_path)?;
    let result = call
        .file(".result.json")
        .and_then(|f| read_result(&call.path_of(f)).ok());
    w.field("chat", &result.as_ref().map(|r| r.chat))?;
    w.key("messages")?;
    w.begin_array()?;
    for m in result.as_ref().map_or(&[][..], |r| &r.messages) {
        w.begin_object()?;
        w.field("speaker", &m.speaker)?;
        w.field("content", &m.content)?;
        w.end_object()?;
    }
    w.end_array()?;
    if let Some(content) = result.as_ref().and_then(|r| r.content.as_ref()) {
        w.field("content", content)?;
    }
    let empty = Value::Array(Vec::new());
    let tools = result
        .as_ref()
        .and_then(|r| r.tools.as_ref())
        .unwrap_or(&empty);
    w.field("tools", tools)?;
    w.field("schema", &result.as_ref().and_then(|r| r.schema.as_ref()))?;
    w.field("runtime", &result.as_ref().and_then(|r| r.runtime.as_ref()))?;
    let summary = call.prompt.as_ref();
    w.field("images", &summary.map_or(0, |p| p.images))?;
    w.field("chars", &summary.map(|p| p.chars))?;
    write_reply(w, call)
}

/// `"reply"`: the model's answer from `.response.json` in `messages`' own shape, or null
/// without that file; `error` says why a file there could not be read.
fn write_reply<W: Write>(w: &mut JsonWriter<W>, call: &PomlCall) -> io::Result<()> {
    w.key("reply")?;
    let Some(read) = read_reply(call) else {
        return w.value(&None::<()>);
    };
    let (reply, error) = match read {
        Ok(reply) => (Some(reply), None),
        Err(e) => (None, Some(e)),
    };
    w.begin_object()?;
    w.key("messages")?;
    w.begin_array()?;
    for m in reply.as_ref().map_or(&[][..], |r| &r.messages) {
        w.begin_object()?;
        w.field("speaker", &m.speaker)?;
        w.field("content", &m.content)?;
        w.end_object()?;
    }
    w.end_array()?;
    w.field(
        "finish_reason",
        &reply.as_ref().and_then(|r| r.finish_reason.as_ref()),
    )?;
    w.field("error", &error)?;
    w.end_object()
}

/// Event files read once each, and the last file's path already escaped (a million spans
/// name the same file).
struct Files<'a> {
    /// POML and MLflow sessions are both loaded: calls may have their twin recorded.
    pairs: bool,
    bytes: WholeFiles,
    path: Option<(std::sync::Arc<std::path::Path>, Vec<u8>)>,
    /// The spans' fields, in the order they are written.
    ahead: Ahead<'a>,
}

impl Files<'_> {
    fn path_json(&mut self, file: &std::sync::Arc<std::path::Path>) -> &[u8] {
        let fresh = !matches!(&self.path, Some((p, _)) if std::sync::Arc::ptr_eq(p, file));
        if fresh {
            let json = serde_json::to_vec(&file.to_string_lossy()).unwrap_or_default();
            self.path = Some((file.clone(), json));
        }
        self.path.as_ref().map_or(&[], |(_, json)| json)
    }
}

fn event_fields<W: Write>(
    w: &mut JsonWriter<W>,
    event: &EventRef,
    files: &mut Files<'_>,
) -> io::Result<()> {
    w.key("file")?;
    w.raw(files.path_json(&event.file))?;
    let files = &mut files.bytes;
    w.field("line", &event.first.or(event.end).map(|l| l.number()))?;
    let f = event.fields;
    if f.located && event.task().is_none() {
        // Where ingest found them: copied as they are, no parsing.
        for (key, field, output) in [
            ("input", f.input, false),
            ("output", f.output, true),
            ("error", f.error, true),
        ] {
            w.key(key)?;
            // Input is in the first event; output and error in the end event, if any.
            let at = if output {
                event.end.or(event.first)
            } else {
                event.first
            };
            let line = field
                .zip(at)
                .and_then(|(_, at)| files.read(&event.file, at).ok());
            match field
                .zip(line.as_deref())
                .and_then(|(field, line)| field.slice(line))
            {
                Some(json) => w.raw(json)?,
                None => w.value(&None::<()>)?,
            }
        }
        return Ok(());
    }
    let body = crate::formats::pml::body::read(event, files);
    w.field("input", &body.input)?;
    w.field("output", &body.output)?;
    w.field("error", &body.error)
}
