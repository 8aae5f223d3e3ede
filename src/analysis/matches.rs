//! Which spans a filter selects, and which are shown because something below them matched.

use super::filter::Filter;
use crate::formats::bytes::ByteSource;
use crate::formats::poml::call::PARSE_LIMIT;
use crate::model::{Payload, Session, SessionId, SpanId, Store};
use crate::untrusted::fsread;
use std::collections::HashMap;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Matches {
    matched: HashMap<SessionId, Vec<bool>>,
    /// Matched, or an ancestor of a match.
    visible: HashMap<SessionId, Vec<bool>>,
    /// Matches per session, so one session can be matched again alone.
    counts: HashMap<SessionId, usize>,
    pub count: usize,
    /// Spans examined since these were first computed: work done, for tests that it stays
    /// in proportion to what changed.
    examined: u64,
    /// The store generation these were computed for.
    pub generation: u64,
}

impl Matches {
    pub fn compute(store: &Store, filter: &Filter, source: &mut dyn ByteSource) -> Self {
        let mut out = Matches {
            generation: store.generation,
            ..Default::default()
        };
        out.recompute(store, filter, source, store.session_ids());
        out
    }

    /// Match `sessions` again (spans came to them, or they went), leaving the rest as they
    /// were: a live trace changes a few sessions per batch, and matching every span of every
    /// session each time made the work grow with everything loaded.
    pub fn recompute(
        &mut self,
        store: &Store,
        filter: &Filter,
        source: &mut dyn ByteSource,
        sessions: &[SessionId],
    ) {
        self.generation = store.generation;
        for &sid in sessions {
            self.matched.remove(&sid);
            self.visible.remove(&sid);
            self.count -= self.counts.remove(&sid).unwrap_or(0);
            let Some(session) = store.session(sid) else {
                continue;
            };
            self.examined += session.span_count() as u64;
            if let Some((matched, visible, count)) = of_session(store, session, filter, source) {
                self.matched.insert(sid, matched);
                self.visible.insert(sid, visible);
                self.counts.insert(sid, count);
                self.count += count;
            }
        }
    }

    /// Spans examined since these matches were first computed.
    pub fn spans_matched(&self) -> u64 {
        self.examined
    }

    pub fn is_match(&self, sid: SessionId, id: SpanId) -> bool {
        self.matched
            .get(&sid)
            .and_then(|m| m.get(id.index()))
            .copied()
            .unwrap_or(false)
    }

    pub fn is_visible(&self, sid: SessionId, id: SpanId) -> bool {
        self.visible
            .get(&sid)
            .and_then(|m| m.get(id.index()))
            .copied()
            .unwrap_or(false)
    }

    pub fn session_visible(&self, sid: SessionId) -> bool {
        self.visible.contains_key(&sid)
    }
}

/// One session's matches and visible spans (by span index) and how many matched; `None`
/// when nothing did.
fn of_session(
    store: &Store,
    session: &Session,
    filter: &Filter,
    source: &mut dyn ByteSource,
) -> Option<(Vec<bool>, Vec<bool>, usize)> {
    let n = session.slots();
    let mut matched = vec![false; n];
    let mut visible = vec![false; n];
    let mut count = 0;
    for id in session.spans_in_order() {
        if !filter.matches_structure(store, session, id)
            || !filter
                .texts()
                .all(|t| mentions(store, session, id, t, source))
        {
            continue;
        }
        count += 1;
        matched[id.index()] = true;
        let mut at = Some(id);
        while let Some(cur) = at {
            if std::mem::replace(&mut visible[cur.index()], true) && cur != id {
                break;
            }
            at = session.span(cur).parent;
        }
    }
    (count > 0).then_some((matched, visible, count))
}

/// Whether a span mentions `text` (lowercase): its name, id, session, or payload.
fn mentions(
    store: &Store,
    session: &Session,
    id: SpanId,
    text: &str,
    source: &mut dyn ByteSource,
) -> bool {
    let span = session.span(id);
    if store.name(span.name).to_lowercase().contains(text)
        || session.key(id).to_lowercase().contains(text)
        || session.id.to_lowercase().contains(text)
    {
        return true;
    }
    match &span.payload {
        Payload::Poml(call) => call
            .files
            .iter()
            .filter(|f| !f.suffix.ends_with(".poml"))
            .any(|f| {
                fsread::read_prefix(&call.path_of(f), PARSE_LIMIT).is_ok_and(|p| {
                    String::from_utf8_lossy(&p.bytes)
                        .to_lowercase()
                        .contains(text)
                })
            }),
        Payload::Event(event) => [event.first, event.end].into_iter().flatten().any(|at| {
            source
                .read(&event.file, at)
                .is_ok_and(|b| String::from_utf8_lossy(&b).to_lowercase().contains(text))
        }),
        Payload::Span(span) => {
            let has = |b: &[u8]| String::from_utf8_lossy(b).to_lowercase().contains(text);
            crate::formats::otel::raw_bytes(span, source).is_ok_and(|b| has(&b))
                // Its conversation may be in log records (GenAI events).
                || span.logs.iter().any(|record| match record {
                    crate::model::SpanSource::File { file, at } => {
                        source.read(file, *at).is_ok_and(|b| has(&b))
                    }
                    crate::model::SpanSource::Memory(bytes) => has(bytes),
                })
        }
        Payload::None => false,
    }
}
