//! `dump --format json`: the schema documented in the README, streamed without building a
//! JSON tree of the whole store.

use super::ms_between;
use crate::analysis::Matches;
use crate::formats::bytes::WholeFiles;
use crate::formats::poml::call::read_result;
use crate::model::time::ns_to_ms;
use crate::model::{EventRef, Payload, PomlCall, Session, SessionId, Span, SpanId, Store};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::cell::RefCell;
use std::io::{self, Write};

/// Write the store; with `matches`, only matching spans and their ancestors (sessions
/// without a match are left out) and each span says whether it matched.
pub fn write(store: &Store, matches: Option<&Matches>, out: &mut impl Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::new(&mut *out);
    let files = RefCell::new(WholeFiles::default());
    Dump {
        store,
        files: &files,
        matches,
    }
    .serialize(&mut ser)
    .map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// What every level of the dump needs: the store, and event files read once each.
#[derive(Clone, Copy)]
struct Dump<'a> {
    store: &'a Store,
    files: &'a RefCell<WholeFiles>,
    matches: Option<&'a Matches>,
}

impl Serialize for Dump<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        let problems: Vec<String> = self.store.problems().map(ToString::to_string).collect();
        map.serialize_entry("problems", &problems)?;
        map.serialize_entry("sessions", &Sessions(*self))?;
        map.end()
    }
}

struct Sessions<'a>(Dump<'a>);

impl Serialize for Sessions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (sid, session) in self.0.store.sessions() {
            if self.0.matches.is_some_and(|m| !m.session_visible(sid)) {
                continue;
            }
            seq.serialize_element(&SessionDump {
                dump: self.0,
                sid,
                session,
            })?;
        }
        seq.end()
    }
}

struct SessionDump<'a> {
    dump: Dump<'a>,
    sid: SessionId,
    session: &'a Session,
}

impl Serialize for SessionDump<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let session = self.session;
        let mut order = session.spans_in_order();
        if let Some(m) = self.dump.matches {
            order.retain(|&id| m.is_visible(self.sid, id));
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &*session.id)?;
        map.serialize_entry("source", session.source.as_str())?;
        map.serialize_entry("path", &session.path.to_string_lossy())?;
        map.serialize_entry("start_ms", &session.start_ns().map(ns_to_ms))?;
        map.serialize_entry(
            "duration_ms",
            &session
                .start_ns()
                .zip(session.end_ns())
                .map(|(a, b)| ms_between(a, b)),
        )?;
        map.serialize_entry("span_count", &order.len())?;
        if let Some(note) = &session.note {
            map.serialize_entry("note", &**note)?;
        }
        let problems: Vec<String> = session.problems().map(ToString::to_string).collect();
        map.serialize_entry("problems", &problems)?;
        map.serialize_entry(
            "spans",
            &Spans {
                dump: self.dump,
                sid: self.sid,
                session,
                order: &order,
            },
        )?;
        map.end()
    }
}

struct Spans<'a> {
    dump: Dump<'a>,
    sid: SessionId,
    session: &'a Session,
    order: &'a [SpanId],
}

impl Serialize for Spans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.order.len()))?;
        for &id in self.order {
            let gap = self.session.gap_before(id);
            seq.serialize_element(&SpanDump {
                dump: self.dump,
                matched: self.dump.matches.map(|m| m.is_match(self.sid, id)),
                session: self.session,
                span: self.session.span(id),
                gap_ms: gap.map(|g| ms_between(0, g)),
            })?;
        }
        seq.end()
    }
}

struct SpanDump<'a> {
    dump: Dump<'a>,
    /// With a filter: whether this span matched (else it is an ancestor kept for context).
    matched: Option<bool>,
    session: &'a Session,
    span: &'a Span,
    gap_ms: Option<i64>,
}

impl Serialize for SpanDump<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let span = self.span;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &*span.key)?;
        let parent = span
            .parent
            .map(|p| &*self.session.span(p).key)
            .or(span.parent_key.as_deref());
        map.serialize_entry("parent", &parent)?;
        map.serialize_entry("kind", span.kind.as_str())?;
        let name = self.dump.store.name(span.name);
        map.serialize_entry("name", &(!name.is_empty()).then_some(name))?;
        map.serialize_entry("index", &span.index)?;
        map.serialize_entry("start_ms", &span.start_ns.map(ns_to_ms))?;
        map.serialize_entry(
            "duration_ms",
            &span
                .start_ns
                .zip(span.end_ns)
                .map(|(a, b)| ms_between(a, b)),
        )?;
        map.serialize_entry("gap_ms", &self.gap_ms)?;
        map.serialize_entry("status", span.status.as_str())?;
        if let Some(matched) = self.matched {
            map.serialize_entry("matched", &matched)?;
        }
        let problems: Vec<String> = span.problems.iter().map(ToString::to_string).collect();
        map.serialize_entry("problems", &problems)?;
        match &span.payload {
            Payload::Poml(call) => poml_fields(&mut map, call)?,
            Payload::Event(event) => event_fields(&mut map, event, self.dump.files)?,
            Payload::None => {}
        }
        map.end()
    }
}

fn poml_fields<M: SerializeMap>(map: &mut M, call: &PomlCall) -> Result<(), M::Error> {
    let files: Vec<&str> = call.files.iter().map(|f| &*f.suffix).collect();
    map.serialize_entry("files", &files)?;
    map.serialize_entry("source_path", &call.source_path)?;
    let result = call
        .file(".result.json")
        .and_then(|f| read_result(&call.path_of(f)).ok());
    let empty = Vec::new();
    let messages: Vec<Value> = result
        .as_ref()
        .map_or(&empty, |r| &r.messages)
        .iter()
        .map(|m| serde_json::json!({"speaker": m.speaker, "content": m.content}))
        .collect();
    map.serialize_entry("chat", &result.as_ref().map(|r| r.chat))?;
    map.serialize_entry("messages", &messages)?;
    if let Some(content) = result.as_ref().and_then(|r| r.content.as_ref()) {
        map.serialize_entry("content", content)?;
    }
    let tools = result
        .as_ref()
        .and_then(|r| r.tools.clone())
        .unwrap_or_else(|| Value::Array(Vec::new()));
    map.serialize_entry("tools", &tools)?;
    map.serialize_entry("schema", &result.as_ref().and_then(|r| r.schema.as_ref()))?;
    map.serialize_entry("runtime", &result.as_ref().and_then(|r| r.runtime.as_ref()))?;
    let summary = call.prompt.as_ref();
    map.serialize_entry("images", &summary.map_or(0, |p| p.images))?;
    map.serialize_entry("chars", &summary.map(|p| p.chars))?;
    Ok(())
}

fn event_fields<M: SerializeMap>(
    map: &mut M,
    event: &EventRef,
    files: &RefCell<WholeFiles>,
) -> Result<(), M::Error> {
    let body = crate::formats::pml::body::read(event, &mut *files.borrow_mut());
    map.serialize_entry("file", &event.file.to_string_lossy())?;
    map.serialize_entry("line", &event.first.or(event.end).map(|l| l.number))?;
    map.serialize_entry("input", &body.input)?;
    map.serialize_entry("output", &body.output)?;
    map.serialize_entry("error", &body.error)?;
    Ok(())
}
