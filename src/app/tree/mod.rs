//! The call tree's view state: which nodes are open, the selection, and the flattened
//! visible rows (rebuilt only for the sessions that changed: `rows.rs` builds them, `index.rs`
//! knows whose rows are where); the filter's matches in `matches.rs`.

mod index;
mod matches;
mod resume;
mod rows;

pub use rows::Row;

use super::node::{Node, sessions_open_by_default};
use crate::analysis::Matches;
use crate::model::{SessionId, SpanId, Store};
use index::Index;
use rows::{SessionView, push_session};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct TreeView {
    /// Open or closed by the user; everything else follows `Node::open_by_default`.
    overrides: HashMap<Node, bool>,
    selected: Option<Node>,
    /// Where the selection was last seen, to land nearby if it disappears.
    selected_row: usize,
    /// The first row drawn.
    pub offset: usize,
    rows: Vec<Row>,
    built_for: Option<(u64, u64, u64)>,
    /// Whose rows are where, and what they were built from.
    index: Option<Index>,
    /// Nodes opened or closed since the rows were built.
    reopened: Vec<Node>,
    /// Sessions matched again since the rows were built.
    rematched: Vec<SessionId>,
    /// Rows built so far, all told: work done, for tests that it stays in proportion.
    rows_built: u64,
    /// Each rebuild and the first row it changed (▸/▾ fixed in place aside), for views
    /// derived from the rows (the timeline) to follow.
    edits: Edits,
    open_generation: u64,
    /// The active filter's matches, and a counter bumped whenever they change.
    matches: Option<Matches>,
    filter_generation: u64,
    /// The wheel scrolled the view away from the selection: leave it there until the
    /// selection moves or a key is pressed.
    pinned: bool,
}

impl TreeView {
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn selected(&self) -> Option<Node> {
        self.selected
    }

    pub fn selected_row(&self) -> Option<usize> {
        self.selected.map(|_| self.selected_row)
    }

    pub fn open_generation(&self) -> u64 {
        self.open_generation
    }

    /// How many rows have been built since the view was made (each rebuild counts its rows).
    pub fn rows_built(&self) -> u64 {
        self.rows_built
    }

    /// The rebuilds so far (see `rows_changed_since`).
    pub fn edit_count(&self) -> u64 {
        self.edits.count
    }

    /// The first row that any rebuild after `edit` changed (nodes or depths; ▸/▾ may have
    /// changed above it), or `None` when that is no longer known.
    pub fn rows_changed_since(&self, edit: u64) -> Option<usize> {
        self.edits.since(edit)
    }

    /// Where session `sid`'s rows are, if it has a place.
    pub fn session_rows(&self, sid: SessionId) -> Option<std::ops::Range<usize>> {
        self.index.as_ref()?.rows_of(sid, self.rows.len())
    }

    /// One session's span rows as if the session itself were open (for the timeline).
    pub fn span_rows(&self, store: &Store, sid: SessionId) -> Vec<Row> {
        let mut rows = Vec::new();
        if let Some(session) = store.session(sid) {
            let is_open = |n| self.is_open(store, n);
            let view = SessionView {
                session,
                sid,
                matches: self.matches.as_ref(),
                is_open: &is_open,
            };
            view.push(&mut rows, session.roots(), 0, 0);
            view.push(&mut rows, session.orphans(), 0, 0);
        }
        rows.retain(|r| matches!(r.node, Node::Span(..)));
        rows
    }

    pub fn is_open(&self, store: &Store, node: Node) -> bool {
        self.overrides
            .get(&node)
            .copied()
            .unwrap_or_else(|| node.open_by_default(store))
    }

    pub fn set_open(&mut self, store: &Store, node: Node, open: bool) {
        if self.is_open(store, node) != open {
            self.overrides.insert(node, open);
            self.open_generation += 1;
            self.reopened.push(node);
        }
    }

    /// Bring the rows up to date with the store, the open set and the filter, rebuilding
    /// only the rows from the first session that changed on, and keep the selection valid.
    pub fn refresh(&mut self, store: &Store) {
        let key = (
            store.generation,
            self.open_generation,
            self.filter_generation,
        );
        if self.built_for == Some(key) {
            return;
        }
        self.built_for = Some(key);
        let reopened = std::mem::take(&mut self.reopened);
        let stale = self.first_stale(store, &reopened);
        self.rematched.clear();
        let overrides = &self.overrides;
        let is_open = |n: Node| {
            overrides
                .get(&n)
                .copied()
                .unwrap_or_else(|| n.open_by_default(store))
        };
        let index = self.index.get_or_insert_with(Index::default);
        let order = store.session_ids();
        let mut from = stale.unwrap_or(0).min(order.len());
        let mut changed_from = usize::MAX;
        // The first stale session, if still in its place, keeps its rows up to the first
        // that changed (a live session grows at its end).
        if stale.is_some()
            && let Some((sid, old_slots)) = index.at(from)
            && order.get(from) == Some(&sid)
            && let Some(session) = store.session(sid)
            && let Some(block) = index.rows_of(sid, self.rows.len())
            && let Some(touched) = store.spans_changed_since(index.generation, sid)
        {
            let view = rows::SessionView {
                session,
                sid,
                matches: self.matches.as_ref(),
                is_open: &is_open,
            };
            let mine: Vec<Node> = reopened
                .iter()
                .copied()
                .filter(|n| n.session() == Some(sid))
                .collect();
            let changes = resume::Changes {
                touched,
                reopened: &mine,
                old_slots,
            };
            if let Some(r) = resume::first_changed_row(&mut self.rows, block, &view, changes) {
                // Later sessions' rows go too; they are built again below.
                index.truncate(from + 1, self.rows.len());
                self.rows.truncate(r);
                changed_from = r;
                if resume::resume(&mut self.rows, &view) {
                    index.set_slots(from, session.slots());
                    self.rows_built += (self.rows.len() - r) as u64;
                    from += 1;
                }
            }
        }
        // Otherwise (and after it) whole sessions, from `from` on.
        let first_row = index.truncate(from, self.rows.len());
        self.rows.truncate(first_row);
        let built_from = self.rows.len();
        self.edits.record(changed_from.min(built_from));
        for &sid in &order[from..] {
            if let Some(session) = store.session(sid) {
                index.place(sid, self.rows.len(), session.slots());
                push_session(
                    &mut self.rows,
                    session,
                    sid,
                    self.matches.as_ref(),
                    &is_open,
                );
            }
        }
        self.rows_built += (self.rows.len() - built_from) as u64;
        index.generation = store.generation;
        index.filter_generation = self.filter_generation;
        index.sessions_open = sessions_open_by_default(store);
        self.relocate_selection();
    }

    /// The first position in the store's session order whose rows must be built again;
    /// `None`: all of them, when what changed is not known or touches every session.
    fn first_stale(&self, store: &Store, reopened: &[Node]) -> Option<usize> {
        let mut changed: Vec<SessionId> = reopened.iter().filter_map(|n| n.session()).collect();
        changed.extend_from_slice(&self.rematched);
        let index = self.index.as_ref()?;
        if index.filter_generation != self.filter_generation
            || index.sessions_open != sessions_open_by_default(store)
        {
            return None;
        }
        changed.extend(store.changed_since(index.generation)?);
        Some(index.first_stale(store, &mut changed))
    }

    fn relocate_selection(&mut self) {
        if self.rows.is_empty() {
            self.selected = None;
            self.selected_row = 0;
            return;
        }
        let found = self.selected.and_then(|sel| self.find_row(sel));
        match found {
            Some(row) => self.selected_row = row,
            None => {
                let row = self.selected_row.min(self.rows.len() - 1);
                self.selected = Some(self.rows[row].node);
                self.selected_row = row;
            }
        }
    }

    /// The row of `node`: usually where the selection was; else searched for among its
    /// session's rows only.
    fn find_row(&self, node: Node) -> Option<usize> {
        if self.rows.get(self.selected_row).map(|r| r.node) == Some(node) {
            return Some(self.selected_row);
        }
        let range = match (node.session(), &self.index) {
            (Some(sid), Some(index)) => index.rows_of(sid, self.rows.len())?,
            _ => 0..self.rows.len(),
        };
        let start = range.start;
        // From the end: what moves is mostly the newest (follow mode).
        self.rows
            .get(range)?
            .iter()
            .rposition(|r| r.node == node)
            .map(|i| start + i)
    }

    pub fn select_row(&mut self, row: usize) -> bool {
        let Some(r) = self.rows.get(row) else {
            return false;
        };
        self.pinned = false;
        let changed = self.selected != Some(r.node);
        self.selected = Some(r.node);
        self.selected_row = row;
        changed
    }

    /// Select a node, opening its ancestors so it has a row. Needs a `refresh` after.
    pub fn select_node(&mut self, store: &Store, node: Node) {
        self.pinned = false;
        let mut up = parent_of(store, node);
        while let Some(p) = up {
            self.set_open(store, p, true);
            up = parent_of(store, p);
        }
        self.selected = Some(node);
        self.built_for = None;
        self.refresh(store);
    }

    /// A key was pressed: the selection is what matters again.
    pub fn unpin(&mut self) {
        self.pinned = false;
    }

    pub fn move_by(&mut self, delta: isize) -> bool {
        self.pinned = false;
        if self.rows.is_empty() {
            return false;
        }
        let current = self.selected_row().unwrap_or(0) as isize;
        let row = (current + delta).clamp(0, self.rows.len() as isize - 1) as usize;
        self.select_row(row)
    }

    /// Left: close an open node, else go to its parent.
    pub fn collapse(&mut self, store: &Store) -> bool {
        let Some(row) = self.selected_row().and_then(|r| self.rows.get(r).copied()) else {
            return false;
        };
        if row.expandable && row.open {
            self.set_open(store, row.node, false);
            return true;
        }
        match row.parent_row {
            Some(parent) => self.select_row(parent as usize),
            None => false,
        }
    }

    /// Right: open a closed node, else step to its first child.
    pub fn expand(&mut self, store: &Store) -> bool {
        let Some(row) = self.selected_row().and_then(|r| self.rows.get(r).copied()) else {
            return false;
        };
        if !row.expandable {
            return false;
        }
        if !row.open {
            self.set_open(store, row.node, true);
            return true;
        }
        self.move_by(1)
    }

    /// `*`: open the selected node and everything below it (a session: all its spans).
    pub fn expand_all(&mut self, store: &Store) -> bool {
        let Some(node) = self.selected else {
            return false;
        };
        let Some((sid, session)) = node
            .session()
            .and_then(|sid| Some((sid, store.session(sid)?)))
        else {
            return false;
        };
        let mut stack: Vec<SpanId> = match node {
            Node::Session(_) => session
                .roots()
                .iter()
                .chain(session.orphans())
                .copied()
                .collect(),
            Node::Orphans(_) => session.orphans().to_vec(),
            Node::Span(_, id) => vec![id],
            _ => return false,
        };
        let before = self.open_generation;
        self.set_open(store, node, true);
        while let Some(id) = stack.pop() {
            let children = session.children(id);
            // A POML call has no child spans, but its messages and files open under it.
            if !children.is_empty() || !rows::extra_rows(session, sid, id).is_empty() {
                self.set_open(store, Node::Span(sid, id), true);
                stack.extend_from_slice(children);
            }
        }
        self.open_generation != before
    }

    pub fn toggle(&mut self, store: &Store) -> bool {
        let Some(row) = self.selected_row().and_then(|r| self.rows.get(r).copied()) else {
            return false;
        };
        if row.expandable {
            self.set_open(store, row.node, !row.open);
        }
        row.expandable
    }

    /// The header row of the next session, or of the previous one (`forward == false`).
    pub fn session_row(&self, forward: bool) -> Option<usize> {
        let at = self.selected_row()?.min(self.rows.len().checked_sub(1)?);
        let is_session = |r: &Row| matches!(r.node, Node::Session(_));
        if forward {
            let next = self.rows[at + 1..].iter().position(is_session)?;
            return Some(at + 1 + next);
        }
        let current = self.rows[..=at].iter().rposition(is_session)?;
        self.rows[..current]
            .iter()
            .rposition(is_session)
            .or(Some(current))
    }

    /// Keep the selection between `offset` and `offset + height`.
    /// Keep the selection on screen (unless the wheel scrolled away from it).
    pub fn scroll_into_view(&mut self, height: usize) {
        let max_offset = self.rows.len().saturating_sub(height.max(1));
        if let Some(row) = self.selected_row().filter(|_| !self.pinned) {
            if row < self.offset {
                self.offset = row;
            } else if height > 0 && row >= self.offset + height {
                self.offset = row + 1 - height;
            }
        }
        self.offset = self.offset.min(max_offset);
    }

    /// The wheel: move the view, not the selection.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        self.pinned = true;
        let max_offset = self.rows.len().saturating_sub(height.max(1)) as isize;
        self.offset = (self.offset as isize + delta).clamp(0, max_offset.max(0)) as usize;
    }
}

/// The last rebuilds and the first row each changed.
#[derive(Debug, Default)]
struct Edits {
    count: u64,
    recent: std::collections::VecDeque<(u64, usize)>,
}

impl Edits {
    const KEPT: usize = 64;

    fn record(&mut self, from: usize) {
        self.count += 1;
        if self.recent.len() == Self::KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back((self.count, from));
    }

    fn since(&self, edit: u64) -> Option<usize> {
        if edit == self.count {
            return Some(usize::MAX);
        }
        let oldest = self.recent.front()?.0;
        (edit + 1 >= oldest).then(|| {
            self.recent
                .iter()
                .filter(|&&(n, _)| n > edit)
                .map(|&(_, from)| from)
                .min()
                .unwrap_or(usize::MAX)
        })
    }
}

/// The node above `node` in the tree.
pub fn parent_of(store: &Store, node: Node) -> Option<Node> {
    match node {
        Node::Session(_) | Node::Placeholder => None,
        Node::Orphans(s) => Some(Node::Session(s)),
        Node::Message(s, id, _) | Node::File(s, id, _) => Some(Node::Span(s, id)),
        Node::Span(s, id) => {
            let session = store.session(s)?;
            let span = session.get(id)?;
            Some(match span.parent {
                Some(p) => Node::Span(s, p),
                None if session.is_orphan(id) => Node::Orphans(s),
                None => Node::Session(s),
            })
        }
    }
}

#[cfg(test)]
mod tests;
