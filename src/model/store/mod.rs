//! The store: every session, in start order, built only by applying updates. `order.rs`
//! keeps the order; `changes.rs` what each batch touched and the store-wide counts.

mod changes;
mod order;

use super::ids::{SessionId, SpanId};
use super::intern::{Interner, Sym};
use super::problem::Problem;
use super::session::Session;
use super::span::Source;
use super::time::Nanos;
use super::update::{SessionKey, SessionRecord, Update};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct Store {
    sessions: Vec<Option<Session>>,
    by_key: HashMap<SessionKey, SessionId>,
    /// Live sessions by start time, then key.
    order: Vec<SessionId>,
    names: Interner,
    problems: BTreeMap<Box<str>, Vec<Problem>>,
    touched: HashSet<SessionId>,
    /// Sessions that are new or whose start moved: their place in `order` is to be found.
    unplaced: Vec<SessionId>,
    /// By session index: the start each was placed in `order` by.
    placed_by: Vec<Nanos>,
    /// Sessions touched, by generation: the last 4,096 batches.
    changes: changes::ChangeLog<SessionId, 4_096>,
    /// Spans whose place or row may have changed (new, moved, replaced, removed, their
    /// parents), by generation: at 2,000 events a second, the last half minute.
    span_changes: changes::ChangeLog<(SessionId, SpanId, bool), 65_536>,
    totals: changes::Totals,
    /// Log records of sessions not announced yet, by session and span key: they wait for
    /// their spans' session rather than make an empty one.
    pending_logs: HashMap<SessionKey, Vec<(Box<str>, super::payload::SpanSource)>>,
    /// The session the last span went to: spans come in runs of the same session.
    last: Option<(SessionKey, SessionId)>,
    /// Bumped on every applied batch that changed something.
    pub generation: u64,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply a batch, then settle derived state (time bounds, session order) once.
    /// Apply a batch; returns whether anything changed (a rescan sends what is already
    /// known again, and that is not news).
    pub fn apply_all(&mut self, updates: impl IntoIterator<Item = Update>) -> bool {
        let mut changed = false;
        for update in updates {
            changed |= self.apply_one(update);
        }
        if changed {
            self.finish();
        }
        changed
    }

    pub fn apply(&mut self, update: Update) {
        self.apply_one(update);
        self.finish();
    }

    fn apply_one(&mut self, update: Update) -> bool {
        match update {
            Update::Session(record) => {
                self.upsert_session(record);
            }
            Update::RemoveSession { key } => {
                self.last = None;
                if let Some(id) = self.by_key.remove(&key) {
                    self.sessions[id.index()] = None;
                    self.order.retain(|&s| s != id);
                    // Touched, so views learn it is gone.
                    self.touched.insert(id);
                }
            }
            Update::Span { session, span } => {
                let new = !self.by_key.contains_key(&session);
                let id = self.session_or_placeholder(session);
                let name = self.names.intern(&span.name);
                let changed = new
                    | self.sessions[id.index()]
                        .as_mut()
                        .is_some_and(|s| s.upsert(span, name).1);
                if !changed {
                    return false;
                }
                self.touched.insert(id);
            }
            Update::RemoveSpan { session, key } => {
                if let Some(&id) = self.by_key.get(&session) {
                    if let Some(s) = self.sessions[id.index()].as_mut() {
                        s.remove(&key);
                    }
                    self.touched.insert(id);
                }
            }
            Update::Log {
                session,
                span,
                record,
            } => {
                let Some(&id) = self.by_key.get(&session) else {
                    let waiting = self.pending_logs.entry(session).or_default();
                    if waiting.iter().any(|(k, r)| *k == span && *r == record) {
                        return false;
                    }
                    waiting.push((span, record));
                    // Nothing shown changed.
                    return false;
                };
                let changed = self.sessions[id.index()]
                    .as_mut()
                    .is_some_and(|s| s.add_log(span, record));
                if !changed {
                    return false;
                }
                self.touched.insert(id);
            }
            Update::RemoveLogs { file } => {
                let from = |r: &super::payload::SpanSource| matches!(r, super::payload::SpanSource::File { file: f, .. } if *f == file);
                for waiting in self.pending_logs.values_mut() {
                    waiting.retain(|(_, r)| !from(r));
                }
                self.pending_logs.retain(|_, w| !w.is_empty());
                let mut changed = false;
                for (i, session) in self.sessions.iter_mut().enumerate() {
                    if let Some(s) = session
                        && s.remove_logs(&file)
                    {
                        self.touched
                            .insert(SessionId(u32::try_from(i).unwrap_or(u32::MAX)));
                        changed = true;
                    }
                }
                return changed;
            }
            Update::Problems {
                session: Some(session),
                origin,
                problems,
            } => {
                let new = !self.by_key.contains_key(&session);
                let id = self.session_or_placeholder(session);
                let changed = new
                    | self.sessions[id.index()]
                        .as_mut()
                        .is_some_and(|s| s.set_problems(origin, problems));
                if !changed {
                    return false;
                }
                self.touched.insert(id);
            }
            Update::Problems {
                session: None,
                origin,
                problems,
            } => {
                if self.problems.get(&origin).map_or(&[][..], Vec::as_slice) == problems.as_slice()
                {
                    return false;
                }
                if problems.is_empty() {
                    self.problems.remove(&origin);
                } else {
                    self.problems.insert(origin, problems);
                }
            }
        }
        true
    }

    fn finish(&mut self) {
        self.generation += 1;
        for id in self.touched.drain() {
            let share = self.sessions[id.index()].as_mut().map(|session| {
                session.refresh_bounds();
                // Spans widen the start as they are applied: compare with where it stands.
                if self.placed_by.get(id.index()) != Some(&order::sort_start(session)) {
                    self.unplaced.push(id);
                }
                for (span, itself) in session.take_touched_spans() {
                    self.span_changes
                        .record(self.generation, (id, span, itself));
                }
                changes::Share::of(session)
            });
            self.totals.set(id, share);
            self.changes.record(self.generation, id);
        }
        self.place_unplaced();
    }

    fn upsert_session(&mut self, mut record: SessionRecord) -> SessionId {
        record.start_ns = record.start_ns.map(super::time::clamp_time);
        if let Some(&id) = self.by_key.get(&record.key) {
            if let Some(s) = self.sessions[id.index()].as_mut() {
                s.id = record.id;
                s.note = record.note;
                s.source = record.source;
                s.path = record.path;
                if s.named_start_ns != record.start_ns {
                    s.named_start_ns = record.start_ns;
                    self.unplaced.push(id);
                }
                s.generation += 1;
            }
            self.touched.insert(id);
            return id;
        }
        let id = SessionId(u32::try_from(self.sessions.len()).unwrap_or(u32::MAX));
        let mut session = Session::new(
            record.key.clone(),
            record.id,
            record.source,
            record.path,
            record.start_ns,
        );
        session.note = record.note;
        for (span, log) in self.pending_logs.remove(&record.key).unwrap_or_default() {
            session.add_log(span, log);
        }
        self.sessions.push(Some(session));
        self.by_key.insert(record.key, id);
        self.unplaced.push(id);
        self.touched.insert(id);
        id
    }

    /// Spans may name a session that was never announced; keep them rather than drop them.
    fn session_or_placeholder(&mut self, key: SessionKey) -> SessionId {
        if let Some((last, id)) = &self.last
            && std::sync::Arc::ptr_eq(last, &key)
        {
            return *id;
        }
        if let Some(&id) = self.by_key.get(&*key) {
            self.last = Some((key, id));
            return id;
        }
        self.upsert_session(SessionRecord {
            id: (*key).into(),
            key,
            source: Source::Poml,
            path: PathBuf::new(),
            start_ns: None,
            note: None,
        })
    }

    /// Give back the room left by growth, after a large load.
    pub fn shrink_to_fit(&mut self) {
        for session in self.sessions.iter_mut().flatten() {
            session.shrink_to_fit();
        }
        self.sessions.shrink_to_fit();
        self.order.shrink_to_fit();
    }

    /// Live sessions in start order.
    pub fn sessions(&self) -> impl DoubleEndedIterator<Item = (SessionId, &Session)> + '_ {
        self.order
            .iter()
            .filter_map(|&id| Some((id, self.session(id)?)))
    }

    pub fn session_ids(&self) -> &[SessionId] {
        &self.order
    }

    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.get(id.index())?.as_ref()
    }

    pub fn find_session(&self, key: &str) -> Option<SessionId> {
        self.by_key.get(key).copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        self.names.resolve(sym)
    }

    pub fn names(&self) -> &Interner {
        &self.names
    }

    pub fn session_count(&self) -> usize {
        self.order.len()
    }

    /// What to call spans in counts: "calls" when everything is POML, "spans" otherwise.
    pub fn span_noun(&self) -> &'static str {
        if self.totals.not_poml_sessions == 0 {
            "calls"
        } else {
            "spans"
        }
    }

    /// Whether any span anywhere is still running (its bar must keep growing).
    pub fn any_running(&self) -> bool {
        self.totals.running_sessions > 0
    }

    pub fn span_count(&self) -> usize {
        self.totals.spans
    }

    /// Sessions showing one row for spans not read yet (an MLflow trace not opened): each
    /// is one of `span_count`'s spans.
    pub fn stand_in_count(&self) -> usize {
        self.totals.stand_ins
    }

    /// The sessions changed (added, changed or removed) by batches after store generation
    /// `generation`, with repeats; `None` when that is too far back to be known.
    pub fn changed_since(&self, generation: u64) -> Option<Vec<SessionId>> {
        if generation > self.generation {
            return None; // from another store
        }
        Some(self.changes.since(generation)?.collect())
    }

    /// The spans of session `sid` whose place or row may have changed after store generation
    /// `generation`, with repeats: true for a span that is new, moved, replaced or removed,
    /// false for one whose children changed. `None` when that is too far back to be known.
    pub fn spans_changed_since(
        &self,
        generation: u64,
        sid: SessionId,
    ) -> Option<Vec<(SpanId, bool)>> {
        if generation > self.generation {
            return None;
        }
        Some(
            self.span_changes
                .since(generation)?
                .filter(|&(s, _, _)| s == sid)
                .map(|(_, id, itself)| (id, itself))
                .collect(),
        )
    }

    /// Problems that belong to no session (an unreadable path, say).
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.values().flatten()
    }

    pub fn problem_count(&self) -> usize {
        self.problems().count() + self.totals.problems
    }
}
