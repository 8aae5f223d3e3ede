//! How a session changes: spans arriving, replaced and removed, problems set, and the
//! time bounds kept up to date.

use super::links::Placement;
use super::{Session, key_in};
use crate::model::ids::SpanId;
use crate::model::intern::Sym;
use crate::model::problem::Problem;
use crate::model::span::{KeyRef, Span, SpanRecord, Status, pack_time};
use crate::model::time::Nanos;

impl Session {
    /// Returns whether anything changed: a rescan sends every origin's problems again.
    pub(in crate::model) fn set_problems(
        &mut self,
        origin: Box<str>,
        problems: Vec<Problem>,
    ) -> bool {
        if self.problems.get(&origin).map_or(&[][..], Vec::as_slice) == problems.as_slice() {
            return false;
        }
        if problems.is_empty() {
            self.problems.remove(&origin);
        } else {
            self.problems.insert(origin, problems);
        }
        self.generation += 1;
        true
    }

    /// Whether `record` says nothing new about span `id` (a rescan sends spans again).
    fn unchanged(&self, id: SpanId, record: &SpanRecord, name: Sym) -> bool {
        let span = &self.spans[id.index()];
        !span.removed
            && span.kind == record.kind
            && span.name == name
            && span.status == record.status
            && span.index() == record.index
            && span.start_ns() == record.start_ns
            && span.end_ns() == record.end_ns
            && *span.problems == *record.problems
            && self.parent_key(id) == record.parent.as_deref()
            && span.payload == record.payload
    }

    /// Returns the span's id and whether anything changed.
    pub(in crate::model) fn upsert(&mut self, record: SpanRecord, name: Sym) -> (SpanId, bool) {
        let record = self.with_logs(record);
        if let Some(id) = self.find(&record.key) {
            if self.unchanged(id, &record, name) {
                return (id, false);
            }
            self.generation += 1;
            self.replace(id, record, name);
            return (id, true);
        }
        self.generation += 1;
        let id = SpanId(u32::try_from(self.spans.len()).unwrap_or(u32::MAX));
        let SpanRecord {
            key,
            parent,
            kind,
            name: _,
            index,
            start_ns,
            end_ns,
            status,
            problems,
            payload,
        } = record;
        self.span_problems += problems.len();
        self.running += usize::from(status == Status::Running);
        self.failed += usize::from(status == Status::Error);
        let key_ref = KeyRef {
            start: u32::try_from(self.keys.len()).unwrap_or(u32::MAX),
            len: u32::try_from(key.len()).unwrap_or(u32::MAX),
        };
        self.keys.push_str(&key);
        self.spans.push(Span {
            key: key_ref,
            parent: None,
            kind,
            name,
            index: index.and_then(|i| u32::try_from(i).ok()),
            start: pack_time(start_ns),
            end: pack_time(end_ns),
            status,
            problems: problems.into_boxed_slice(),
            payload,
            seq: id.0,
            removed: false,
            version: 0,
        });
        self.children.push(None);
        self.index_key(id);
        self.live += 1;
        self.widen_bounds(id);
        self.attach(id, parent);
        let waiting = if self.waiting.is_empty() {
            None
        } else {
            let key = key_in(&self.keys, &self.spans[id.index()]);
            self.waiting.remove(key)
        };
        if let Some(waiting) = waiting {
            for child in waiting {
                self.remove_from(Placement::Orphans, child);
                let wanted = self.parent_keys.remove(&child);
                self.attach(child, wanted);
            }
        }
        (id, true)
    }

    fn replace(&mut self, id: SpanId, record: SpanRecord, name: Sym) {
        // Its payload may bring rows under it (a POML call's messages and files).
        self.touched_spans.push((id, true));
        let moved = self.parent_key(id) != record.parent.as_deref();
        let span = &self.spans[id.index()];
        let reordered = span.index() != record.index || span.start_ns() != record.start_ns;
        let shrinks = span.start_ns() != record.start_ns || span.end_ns() != record.end_ns;
        if moved || reordered {
            self.detach(id);
        }
        self.span_problems -= self.spans[id.index()].problems.len();
        self.span_problems += record.problems.len();
        self.running -= usize::from(self.spans[id.index()].status == Status::Running);
        self.running += usize::from(record.status == Status::Running);
        self.failed -= usize::from(self.spans[id.index()].status == Status::Error);
        self.failed += usize::from(record.status == Status::Error);
        // Detached above: the key it now wants is the record's.
        let wanted = if moved || reordered {
            self.parent_keys.remove(&id);
            record.parent
        } else {
            None
        };
        let span = &mut self.spans[id.index()];
        span.kind = record.kind;
        span.name = name;
        span.index = record.index.and_then(|i| u32::try_from(i).ok());
        span.start = pack_time(record.start_ns);
        span.end = pack_time(record.end_ns);
        span.status = record.status;
        span.problems = record.problems.into_boxed_slice();
        span.payload = record.payload;
        span.version = span.version.wrapping_add(1);
        if moved || reordered {
            self.attach(id, wanted);
        }
        if shrinks {
            self.bounds_dirty = true;
        }
        self.widen_bounds(id);
    }

    pub(in crate::model) fn remove(&mut self, key: &str) -> bool {
        let Some(id) = self.find(key) else {
            return false;
        };
        self.unindex_key(id);
        self.generation += 1;
        self.detach(id);
        self.parent_keys.remove(&id);
        // Its children wait again: the parent may come back (a rewritten file).
        for child in self.children[id.index()]
            .take()
            .map_or_else(Vec::new, |b| *b)
        {
            self.spans[child.index()].parent = None;
            self.wait_for_parent(child, key.into());
        }
        let span = &mut self.spans[id.index()];
        self.span_problems -= span.problems.len();
        self.running -= usize::from(span.status == Status::Running);
        self.failed -= usize::from(span.status == Status::Error);
        span.problems = Box::default();
        span.payload = Default::default();
        span.removed = true;
        self.live -= 1;
        self.bounds_dirty = true;
        true
    }

    fn widen_bounds(&mut self, id: SpanId) {
        let span = &self.spans[id.index()];
        let key = |s: &Span| (s.start_ns().unwrap_or(Nanos::MIN), s.seq);
        if self
            .latest
            .is_none_or(|l| key(&self.spans[l.index()]) <= key(span))
        {
            self.latest = Some(id);
        }
        if let Some(start) = span.start_ns() {
            self.min_start = Some(self.min_start.map_or(start, |m| m.min(start)));
        }
        if let Some(end) = span.end_ns().or(span.start_ns()) {
            self.max_end = Some(self.max_end.map_or(end, |m| m.max(end)));
        }
    }

    /// Recompute time bounds after spans were removed or moved earlier.
    pub(in crate::model) fn refresh_bounds(&mut self) {
        if !self.bounds_dirty {
            return;
        }
        self.bounds_dirty = false;
        self.min_start = None;
        self.max_end = None;
        self.latest = None;
        for i in 0..self.spans.len() {
            if !self.spans[i].removed {
                self.widen_bounds(SpanId(i as u32));
            }
        }
    }
}
