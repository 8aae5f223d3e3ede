//! The tree links of a session: a span under its parent, among the roots, or waiting as an
//! orphan until its parent arrives; sibling lists kept in order; no cycles.

use super::Session;
use crate::model::ids::SpanId;

impl Session {
    /// Put a span where `parent_key` says: under its parent, among the roots, or waiting
    /// (only then is the key kept).
    pub(super) fn attach(&mut self, id: SpanId, parent_key: Option<Box<str>>) {
        let Some(parent_key) = parent_key else {
            self.insert_into(Placement::Roots, id);
            return;
        };
        match self.find(&parent_key) {
            Some(parent) if !self.is_ancestor_or_self(id, parent) => {
                // Resolved: the parent's own key says it from now on.
                self.spans[id.index()].parent = Some(parent);
                self.insert_into(Placement::Children(parent), id);
            }
            // A missing parent, or one that would close a cycle: keep it visible as an orphan.
            _ => self.wait_for_parent(id, parent_key),
        }
    }

    pub(super) fn wait_for_parent(&mut self, id: SpanId, parent_key: Box<str>) {
        self.parent_keys.insert(id, parent_key.clone());
        self.waiting.entry(parent_key).or_default().push(id);
        self.insert_into(Placement::Orphans, id);
    }

    pub(super) fn detach(&mut self, id: SpanId) {
        let span = &self.spans[id.index()];
        match (span.parent, self.parent_keys.get(&id)) {
            (Some(parent), _) => self.remove_from(Placement::Children(parent), id),
            (None, None) => self.remove_from(Placement::Roots, id),
            (None, Some(parent_key)) => {
                let parent_key = parent_key.clone();
                if let Some(list) = self.waiting.get_mut(&parent_key) {
                    list.retain(|&c| c != id);
                    if list.is_empty() {
                        self.waiting.remove(&parent_key);
                    }
                }
                self.remove_from(Placement::Orphans, id);
            }
        }
        self.spans[id.index()].parent = None;
    }

    /// True when `candidate` is `id` itself or lies below it, so making it `id`'s parent
    /// would make a cycle.
    fn is_ancestor_or_self(&self, id: SpanId, candidate: SpanId) -> bool {
        // A span without children (a new one, nearly always) is nobody's ancestor: the walk
        // up from `candidate`, as long as the chain is deep, is needed only for a span that
        // is already a parent.
        if candidate != id && self.children(id).is_empty() {
            return false;
        }
        let mut at = Some(candidate);
        let mut steps = 0usize;
        while let Some(cur) = at {
            if cur == id || steps > self.spans.len() {
                return true;
            }
            at = self.spans[cur.index()].parent;
            steps += 1;
        }
        false
    }

    fn list_mut(&mut self, placement: Placement) -> &mut Vec<SpanId> {
        match placement {
            Placement::Roots => &mut self.roots,
            Placement::Orphans => &mut self.orphans,
            Placement::Children(parent) => self.children[parent.index()].get_or_insert_default(),
        }
    }

    pub(super) fn insert_into(&mut self, placement: Placement, id: SpanId) {
        self.touch(placement, id);
        let key = self.spans[id.index()].order_key();
        let spans = std::mem::take(&mut self.spans);
        let list = self.list_mut(placement);
        // Appends are the common case (calls and events mostly arrive in order).
        let at = if list
            .last()
            .is_none_or(|last| spans[last.index()].order_key() <= key)
        {
            list.len()
        } else {
            list.partition_point(|s| spans[s.index()].order_key() <= key)
        };
        list.insert(at, id);
        self.spans = spans;
    }

    pub(super) fn remove_from(&mut self, placement: Placement, id: SpanId) {
        self.touch(placement, id);
        let list = self.list_mut(placement);
        if let Some(pos) = list.iter().rposition(|&s| s == id) {
            list.remove(pos);
        }
    }
}

impl Session {
    /// A span moved in or out of a list: its row may change, and its parent's ▸/▾.
    fn touch(&mut self, placement: Placement, id: SpanId) {
        self.touched_spans.push((id, true));
        if let Placement::Children(parent) = placement {
            self.touched_spans.push((parent, false));
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Placement {
    Roots,
    Orphans,
    Children(SpanId),
}
