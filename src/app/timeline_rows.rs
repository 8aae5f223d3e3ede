//! The timeline's rows: the selected session's spans in tree order, as if the session were
//! open. While the session is open in the tree (follow mode opens it), they are the tree's
//! rows of that session less the headers and file rows, and are taken again only from the
//! first tree row a rebuild changed: a long session growing at its end costs a frame what
//! its newest spans cost, not its whole list (issue 14 item 13). Otherwise they are listed
//! whole. The timeline reads each row's node and depth only.

use super::Node;
use super::tree::{Row, TreeView};
use crate::model::{SessionId, Store};
use std::cell::Cell;

/// What the rows were listed for: a session, its generation and the open set.
pub type Key = (SessionId, u64, u64);

#[derive(Debug, Default)]
pub struct TimelineRows {
    key: Option<Key>,
    rows: Vec<Row>,
    /// Set while the rows are taken from the tree's.
    derived: Option<Derived>,
    /// The selected span's row, as last found (checked before it is trusted).
    selected: Cell<Option<(Node, usize)>>,
    /// Rows listed or taken so far, all told: work done, for tests that it stays in
    /// proportion.
    built: u64,
}

/// Where the session's tree rows started, the tree row each of ours came from, the orphans
/// group's row once passed, and the tree rebuild the rows are current with.
#[derive(Debug)]
struct Derived {
    block_start: usize,
    sources: Vec<u32>,
    orphans_group: Option<usize>,
    edit: u64,
}

impl TimelineRows {
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn clear(&mut self) {
        *self = Self {
            built: self.built,
            ..Self::default()
        };
    }

    /// Rows listed or taken since the app started.
    pub fn built(&self) -> u64 {
        self.built
    }

    /// Bring the rows up to date for session `sid` (whose key is `key`): nothing to do while
    /// the key is the same (a filter set since leaves them as they were listed).
    pub fn refresh(&mut self, tree: &TreeView, store: &Store, sid: SessionId, key: Key) {
        if self.key == Some(key) {
            return;
        }
        let same_session = self.key.is_some_and(|k| k.0 == sid);
        self.key = Some(key);
        let Some(block) = tree
            .session_rows(sid)
            .filter(|b| follows_the_tree(tree, store, sid, b.start))
        else {
            self.rows = tree.span_rows(store, sid);
            self.built += self.rows.len() as u64;
            self.derived = None;
            return;
        };
        // The first tree row that may differ from what these rows were taken from.
        let from = match &self.derived {
            Some(d) if same_session && d.block_start == block.start => tree
                .rows_changed_since(d.edit)
                .unwrap_or(0)
                .max(block.start),
            _ => block.start,
        };
        let derived = self.derived.get_or_insert_with(|| Derived {
            block_start: block.start,
            sources: Vec::new(),
            orphans_group: None,
            edit: 0,
        });
        derived.edit = tree.edit_count();
        if from == block.start {
            derived.block_start = block.start;
            derived.sources.clear();
            derived.orphans_group = None;
            self.rows.clear();
        }
        // Ours from `from` on go (and any past the session's end).
        let cut = from.min(block.end);
        let keep = derived.sources.partition_point(|&s| (s as usize) < cut);
        derived.sources.truncate(keep);
        self.rows.truncate(keep);
        if derived.orphans_group.is_some_and(|g| g >= cut) {
            derived.orphans_group = None;
        }
        let rows = tree.rows();
        for (at, row) in rows.iter().enumerate().take(block.end).skip(cut) {
            match row.node {
                Node::Orphans(_) => derived.orphans_group = Some(at),
                Node::Span(..) => {
                    // Depth below the session (roots) or below the orphans group.
                    let above = if derived.orphans_group.is_some() {
                        2
                    } else {
                        1
                    };
                    self.rows.push(Row {
                        depth: row.depth.saturating_sub(above),
                        ..*row
                    });
                    derived.sources.push(at as u32);
                    self.built += 1;
                }
                _ => {}
            }
        }
    }

    /// The row of `node`: where it was last found if it is still there, else searched for
    /// from the end (follow mode selects the newest).
    pub fn row_of(&self, node: Node) -> Option<usize> {
        if let Some((n, at)) = self.selected.get()
            && n == node
            && self.rows.get(at).is_some_and(|r| r.node == node)
        {
            return Some(at);
        }
        let at = self.rows.iter().rposition(|r| r.node == node)?;
        self.selected.set(Some((node, at)));
        Some(at)
    }
}

/// Whether the tree's rows of session `sid` (starting at `start`) list what the timeline
/// shows: the session is open, and so is its orphans group if it has orphans (the timeline
/// shows them either way).
fn follows_the_tree(tree: &TreeView, store: &Store, sid: SessionId, start: usize) -> bool {
    let header_open = tree
        .rows()
        .get(start)
        .is_some_and(|h| h.node == Node::Session(sid) && h.open);
    header_open
        && store
            .session(sid)
            .is_some_and(|s| s.orphans().is_empty() || tree.is_open(store, Node::Orphans(sid)))
}
