//! A session: the spans of one run, their tree, and children still waiting for a parent.
//! This file holds the session and what can be read from it; `update.rs` how spans come,
//! change and go; `links.rs` the tree links and the children waiting for a parent.

mod links;
mod logs;
mod update;

use super::ids::SpanId;
use super::problem::Problem;
use super::span::{Source, Span};
use super::time::Nanos;
use super::update::SessionKey;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::path::PathBuf;

/// The key of the one span that stands in for a trace's spans until they are read.
pub const STAND_IN_KEY: &str = "(pending)";

#[derive(Debug)]
pub struct Session {
    pub key: SessionKey,
    pub id: Box<str>,
    pub source: Source,
    pub path: PathBuf,
    pub named_start_ns: Option<Nanos>,
    pub note: Option<Box<str>>,
    spans: Vec<Span>,
    /// Every span's key, end to end (spans point into it).
    keys: String,
    /// Span ids by their key; the keys live in the arena, not twice.
    by_key: HashTable<SpanId>,
    hasher: DefaultHashBuilder,
    /// The parent key of spans whose parent has not arrived (for the rest it is the
    /// parent's own key).
    parent_keys: HashMap<SpanId, Box<str>>,
    /// Per span, its children in order; `None` for the many leaves: eight bytes each, not
    /// 24 (17 MB less with a million spans, measured).
    #[allow(clippy::box_collection)]
    children: Vec<Option<Box<Vec<SpanId>>>>,
    roots: Vec<SpanId>,
    /// Spans whose parent has not arrived (or never will), in sibling order.
    orphans: Vec<SpanId>,
    /// Parent key -> the spans waiting for it.
    waiting: HashMap<Box<str>, Vec<SpanId>>,
    problems: BTreeMap<Box<str>, Vec<Problem>>,
    /// Log records by the key of the span they belong to (`logs.rs`).
    logs: HashMap<Box<str>, Vec<super::payload::SpanSource>>,
    live: usize,
    /// Live spans whose status is `Running`.
    running: usize,
    /// Live spans whose status is `Error`.
    failed: usize,
    span_problems: usize,
    min_start: Option<Nanos>,
    max_end: Option<Nanos>,
    /// The span that started last (ties: arrived last).
    latest: Option<SpanId>,
    bounds_dirty: bool,
    /// Spans whose place or row may have changed since the store last took them: true for
    /// the span itself (new, moved, replaced, removed), false when only its children did.
    touched_spans: Vec<(SpanId, bool)>,
    /// Bumped on every change, so views can cache what they derive from the session.
    pub generation: u64,
}

impl Session {
    pub fn new(
        key: SessionKey,
        id: Box<str>,
        source: Source,
        path: PathBuf,
        start: Option<Nanos>,
    ) -> Self {
        Self {
            key,
            id,
            source,
            path,
            named_start_ns: start,
            note: None,
            spans: Vec::new(),
            keys: String::new(),
            by_key: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            parent_keys: HashMap::new(),
            children: Vec::new(),
            roots: Vec::new(),
            orphans: Vec::new(),
            waiting: HashMap::new(),
            problems: BTreeMap::new(),
            logs: HashMap::new(),
            live: 0,
            running: 0,
            failed: 0,
            span_problems: 0,
            min_start: None,
            max_end: None,
            latest: None,
            bounds_dirty: false,
            touched_spans: Vec::new(),
            generation: 0,
        }
    }

    pub fn span(&self, id: SpanId) -> &Span {
        &self.spans[id.index()]
    }

    pub fn get(&self, id: SpanId) -> Option<&Span> {
        self.spans.get(id.index()).filter(|s| !s.removed)
    }

    /// The session shows one row standing in for spans not read (an MLflow trace not
    /// opened yet, or whose spans were never exported): not a span to count.
    pub fn is_stand_in(&self) -> bool {
        self.live == 1 && self.find(STAND_IN_KEY).is_some()
    }

    pub fn find(&self, key: &str) -> Option<SpanId> {
        let hash = self.hasher.hash_one(key);
        self.by_key.find(hash, |&id| self.key(id) == key).copied()
    }

    /// A span's key: the source's own id for it.
    pub fn key(&self, id: SpanId) -> &str {
        key_in(&self.keys, &self.spans[id.index()])
    }

    /// The key of a span's parent: the parent's own, or the one it waits for.
    pub fn parent_key(&self, id: SpanId) -> Option<&str> {
        match self.spans[id.index()].parent {
            Some(p) => Some(self.key(p)),
            None => self.parent_keys.get(&id).map(|k| &**k),
        }
    }

    /// Waiting for a parent that has not arrived (or never will): shown among the orphans.
    pub fn is_orphan(&self, id: SpanId) -> bool {
        self.spans[id.index()].parent.is_none() && self.parent_keys.contains_key(&id)
    }

    fn index_key(&mut self, id: SpanId) {
        let (spans, keys, hasher) = (&self.spans, &self.keys, &self.hasher);
        let hash = hasher.hash_one(key_in(keys, &spans[id.index()]));
        self.by_key.insert_unique(hash, id, |&other| {
            hasher.hash_one(key_in(keys, &spans[other.index()]))
        });
    }

    fn unindex_key(&mut self, id: SpanId) {
        let hash = self.hasher.hash_one(self.key(id));
        if let Ok(entry) = self.by_key.find_entry(hash, |&other| other == id) {
            entry.remove();
        }
    }

    pub fn roots(&self) -> &[SpanId] {
        &self.roots
    }

    /// Every span's depth below its root (an orphan is a root here), by index, in one walk
    /// down from the top: a parent chain thousands deep costs no more than a flat list.
    pub fn depths(&self) -> Vec<u32> {
        let mut depths = vec![0; self.spans.len()];
        let mut stack: Vec<(SpanId, u32)> = self
            .roots()
            .iter()
            .chain(self.orphans())
            .map(|&id| (id, 0))
            .collect();
        while let Some((id, depth)) = stack.pop() {
            depths[id.index()] = depth;
            stack.extend(self.children(id).iter().map(|&c| (c, depth + 1)));
        }
        depths
    }

    pub fn children(&self, id: SpanId) -> &[SpanId] {
        self.children
            .get(id.index())
            .and_then(Option::as_deref)
            .map_or(&[], Vec::as_slice)
    }

    /// The span before `id` among its siblings (same parent, or both roots or orphans).
    pub fn previous_sibling(&self, id: SpanId) -> Option<SpanId> {
        let span = self.get(id)?;
        let siblings = match span.parent {
            Some(parent) => self.children(parent),
            None if self.is_orphan(id) => self.orphans(),
            None => self.roots(),
        };
        let at = siblings.iter().position(|&s| s == id)?;
        at.checked_sub(1).map(|i| siblings[i])
    }

    /// Time from the previous sibling's end (or start) to this span's start.
    pub fn gap_before(&self, id: SpanId) -> Option<Nanos> {
        let previous = self.span(self.previous_sibling(id)?);
        Some(self.span(id).start_ns()? - previous.end_ns().or(previous.start_ns())?)
    }

    /// Spans whose parent is not (yet) in the session.
    pub fn orphans(&self) -> &[SpanId] {
        &self.orphans
    }

    /// Live spans, parents before children, siblings in order, orphans (and their subtrees) last.
    pub fn spans_in_order(&self) -> Vec<SpanId> {
        let mut out = Vec::with_capacity(self.live);
        let mut stack: Vec<SpanId> = Vec::new();
        for top in [&self.roots, &self.orphans] {
            stack.extend(top.iter().rev());
            while let Some(id) = stack.pop() {
                out.push(id);
                stack.extend(self.children(id).iter().rev());
            }
        }
        out
    }

    pub fn span_count(&self) -> usize {
        self.live
    }

    /// Give back the room growth left over (vectors double as they grow; thousands of small
    /// sessions leave a third of their storage unused).
    pub fn shrink_to_fit(&mut self) {
        self.spans.shrink_to_fit();
        self.children.shrink_to_fit();
        for list in self.children.iter_mut().flatten() {
            list.shrink_to_fit();
        }
        self.roots.shrink_to_fit();
        self.orphans.shrink_to_fit();
        self.keys.shrink_to_fit();
        let (spans, keys, hasher) = (&self.spans, &self.keys, &self.hasher);
        self.by_key
            .shrink_to_fit(|&id| hasher.hash_one(key_in(keys, &spans[id.index()])));
    }

    /// Bytes held by this session's span storage, and how many of them are in use
    /// (a diagnostic for memory work).
    pub fn storage_bytes(&self) -> (usize, usize) {
        let span = std::mem::size_of::<Span>();
        let held = self.spans.capacity() * span
            + self.children.capacity() * std::mem::size_of::<Option<Box<Vec<SpanId>>>>()
            + self
                .children
                .iter()
                .flatten()
                .map(|c| 24 + c.capacity() * 4)
                .sum::<usize>();
        let used = self.spans.len() * span
            + self.children.len() * std::mem::size_of::<Option<Box<Vec<SpanId>>>>()
            + self
                .children
                .iter()
                .flatten()
                .map(|c| 24 + c.len() * 4)
                .sum::<usize>();
        (held, used)
    }

    /// One more than the largest span id ever given out (removed spans keep their slot).
    pub fn slots(&self) -> usize {
        self.spans.len()
    }

    /// "calls" for POML sessions, "spans" for the rest.
    pub fn span_noun(&self) -> &'static str {
        if self.source == Source::Poml {
            "calls"
        } else {
            "spans"
        }
    }

    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.values().flatten()
    }

    /// Live spans that failed.
    pub fn failed_count(&self) -> usize {
        self.failed
    }

    /// Problems of the session itself and of all its spans.
    pub fn problem_count(&self) -> usize {
        self.problems.values().map(Vec::len).sum::<usize>() + self.span_problems
    }

    pub fn start_ns(&self) -> Option<Nanos> {
        match (self.named_start_ns, self.min_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The latest end (or start, for spans still running) of any span.
    pub fn end_ns(&self) -> Option<Nanos> {
        self.max_end.or(self.start_ns())
    }

    pub fn duration_ns(&self) -> Option<Nanos> {
        Some(self.end_ns()? - self.start_ns()?)
    }

    /// The span that started last: what follow mode selects.
    pub fn latest_span(&self) -> Option<SpanId> {
        self.latest
    }

    pub fn any_running(&self) -> bool {
        self.running > 0
    }

    /// The spans touched since the last call (the store logs them per batch); the list is
    /// given away, so the thousands of finished sessions hold no room for it.
    pub(in crate::model) fn take_touched_spans(&mut self) -> Vec<(SpanId, bool)> {
        std::mem::take(&mut self.touched_spans)
    }
}

/// A key read from the arena (empty if the reference is out of range, which would be a bug).
fn key_in<'a>(keys: &'a str, span: &Span) -> &'a str {
    let start = span.key.start as usize;
    keys.get(start..start + span.key.len as usize).unwrap_or("")
}
