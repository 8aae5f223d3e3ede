//! Rebuilding one session's rows from the first that can differ, keeping those before it. A
//! live session grows at its end: the rows of its first hundred thousand spans stand while
//! the newest are added, so one long execution costs a frame no more than a short one
//! (issue 14 item 13). Used without a filter only (a match can bring ancestors into view
//! anywhere); with one, or when anything is not as expected, the whole session is rebuilt.

use super::rows::{Row, SessionView, extra_rows};
use crate::app::node::Node;
use crate::model::{Session, SessionId, SpanId};
use std::ops::Range;

/// What changed in one session since its rows were built.
pub(super) struct Changes<'a> {
    /// Spans whose place or row may have changed (the store's log), with repeats: true for
    /// the span itself, false for its children only.
    pub touched: Vec<(SpanId, bool)>,
    /// Nodes of this session opened or closed.
    pub reopened: &'a [Node],
    /// Span ids at or past this did not exist when the rows were built: they had no row.
    pub old_slots: usize,
}

/// The first row of `block` (this session's rows) that can differ after `changes`; rows
/// before it are brought up to date in place (a parent's ▸ when its first child came).
/// `None`: rebuild the whole session.
pub(super) fn first_changed_row<F: Fn(Node) -> bool>(
    rows: &mut [Row],
    block: Range<usize>,
    view: &SessionView<'_, F>,
    mut changes: Changes<'_>,
) -> Option<usize> {
    let (session, sid) = (view.session, view.sid);
    let (a, b) = (block.start, block.end);
    let was_open = rows.get(a).filter(|r| r.node == Node::Session(sid))?.open;
    let expandable = session.span_count() > 0;
    let open = expandable && (view.is_open)(Node::Session(sid));
    if open != was_open || view.matches.is_some() {
        return None;
    }
    rows[a].expandable = expandable;
    if !open {
        return Some(a + 1);
    }
    // Searched from the end: what changes in a live session is mostly its newest spans.
    // Rows near the top (a long execution's root) are reached through parent links instead.
    let old_slots = changes.old_slots;
    let old_row = |rows: &[Row], node: Node| -> Option<usize> {
        if let Node::Span(_, id) = node
            && id.index() >= old_slots
        {
            return None;
        }
        rows[a..b]
            .iter()
            .rposition(|r| r.node == node)
            .map(|i| a + i)
    };
    let mut r = b;
    for &node in changes.reopened {
        if let Some(at) = old_row(rows, node) {
            r = r.min(at);
        }
    }
    // The orphans group, if the session had one: the top of the last row's ancestors.
    let group = top_of(rows, b - 1).filter(|&g| g > a && rows[g].node == Node::Orphans(sid));
    if let Some(g) = group
        && session.orphans().is_empty()
    {
        r = r.min(g); // its last orphan was adopted
    }
    let mut parents = Vec::new();
    changes.touched.sort_unstable();
    changes.touched.dedup();
    for &(id, itself) in &changes.touched {
        session.get(id)?; // removed: rare, rebuild it all
        let node = Node::Span(sid, id);
        let had_child = |p: SpanId| session.children(p).iter().any(|c| c.index() < old_slots);
        if !itself {
            // Only its children changed: its ▸/▾ may, unless a child it had is still there.
            if !had_child(id)
                && let Some(at) = old_row(rows, node)
            {
                parents.push(at);
            }
            continue;
        }
        if let Some(at) = old_row(rows, node) {
            r = r.min(at);
        }
        let (parent, siblings) = place_of(session, sid, id);
        // The nearest earlier sibling that had a row: the new place is after it, and its
        // parent row is the parent's.
        let at = siblings.iter().rposition(|&s| s == id)?;
        let earlier = siblings[..at]
            .iter()
            .rev()
            .find(|s| s.index() < old_slots)
            .and_then(|&s| old_row(rows, Node::Span(sid, s)));
        // Only if it was under the same parent then (it may have moved too).
        let earlier = earlier.filter(|&e| {
            rows[e]
                .parent_row
                .is_some_and(|p| rows[p as usize].node == parent)
        });
        let parent_row = match (parent, earlier) {
            (Node::Session(_), _) => Some(a),
            (_, Some(e)) => rows[e].parent_row.map(|p| p as usize),
            (Node::Orphans(_), None) => group,
            (_, None) => old_row(rows, parent),
        };
        let Some(p) = parent_row.filter(|&p| rows[p].node == parent) else {
            if parent == Node::Orphans(sid) {
                r = r.min(b); // a new orphans group, after everything else
            }
            continue; // under a node that had no row: its own change says where
        };
        if earlier.is_none() {
            parents.push(p); // its first child, maybe: its ▸ may change
        }
        if !rows[p].open {
            continue; // not shown; if the parent opens now, its flags say so below
        }
        r = r.min(earlier.map_or(p + 1, |e| e + 1));
    }
    // Parents above the cut keep their row; their ▸/▾ may change, and if they open or close,
    // what is below them does.
    let flags: Vec<(usize, bool, bool)> = parents
        .into_iter()
        .filter(|&p| p != a)
        .map(|p| {
            let (expandable, open) = flags_of(rows[p].node, view);
            (p, expandable, open)
        })
        .collect();
    for &(p, _, open) in &flags {
        if open != rows[p].open {
            r = r.min(p + 1);
        }
    }
    for (p, expandable, open) in flags {
        if p < r {
            rows[p].expandable = expandable;
            rows[p].open = open;
        }
    }
    Some(r.max(a + 1))
}

/// A row's ▸/▾ as it would be built now (no filter).
fn flags_of<F: Fn(Node) -> bool>(node: Node, view: &SessionView<'_, F>) -> (bool, bool) {
    match node {
        Node::Span(sid, id) => {
            let expandable = !view.session.children(id).is_empty()
                || !extra_rows(view.session, sid, id).is_empty();
            (expandable, expandable && (view.is_open)(node))
        }
        Node::Orphans(_) => (true, (view.is_open)(node)),
        _ => (false, false),
    }
}

/// The node a span hangs under and the list it is one of.
fn place_of(session: &Session, sid: SessionId, id: SpanId) -> (Node, &[SpanId]) {
    match session.span(id).parent {
        Some(p) => (Node::Span(sid, p), session.children(p)),
        None if session.is_orphan(id) => (Node::Orphans(sid), session.orphans()),
        None => (Node::Session(sid), session.roots()),
    }
}

/// Push the session's rows that follow the last row of `rows` (one of this session's, its
/// header at the earliest) in depth-first order: what is left under that row, its later
/// siblings and those of each ancestor, then the orphans group. False when the rows and the
/// session disagree (the caller rebuilds the session).
pub(super) fn resume<F: Fn(Node) -> bool>(rows: &mut Vec<Row>, view: &SessionView<'_, F>) -> bool {
    let (session, sid) = (view.session, view.sid);
    let Some(q) = rows.len().checked_sub(1) else {
        return false;
    };
    let last = rows[q];
    // Later siblings, deepest level first.
    let mut levels: Vec<(&[SpanId], u32, u32)> = Vec::new();
    let mut orphans_group_after = false;
    let start = match last.node {
        Node::Session(_) => {
            if last.open {
                view.push(rows, session.roots(), 1, q as u32);
                view.push_orphans(rows, q as u32);
            }
            return true;
        }
        Node::Orphans(_) => {
            if last.open {
                view.push(rows, session.orphans(), 2, q as u32);
            }
            return true;
        }
        Node::Span(_, id) => {
            if last.open {
                let depth = last.depth + 1;
                push_extras(rows, extra_rows(session, sid, id), depth, q as u32);
                levels.push((session.children(id), depth, q as u32));
            }
            (id, q)
        }
        Node::Message(_, id, _) | Node::File(_, id, _) => {
            let Some(parent) = last.parent_row.map(|p| p as usize) else {
                return false;
            };
            let extras = extra_rows(session, sid, id);
            let Some(at) = extras.iter().position(|&e| e == last.node) else {
                return false;
            };
            push_extras(rows, extras[at + 1..].to_vec(), last.depth, parent as u32);
            levels.push((session.children(id), last.depth, parent as u32));
            (id, parent)
        }
        Node::Placeholder => return false,
    };
    let (mut id, mut row) = start;
    loop {
        let Some(parent_row) = rows[row].parent_row.map(|p| p as usize) else {
            return false;
        };
        let siblings = match rows[parent_row].node {
            Node::Span(_, p) => session.children(p),
            Node::Orphans(_) => session.orphans(),
            Node::Session(_) => {
                orphans_group_after = true;
                session.roots()
            }
            _ => return false,
        };
        let Some(at) = siblings.iter().rposition(|&s| s == id) else {
            return false;
        };
        levels.push((&siblings[at + 1..], rows[row].depth, parent_row as u32));
        match rows[parent_row].node {
            Node::Span(_, p) => (id, row) = (p, parent_row),
            _ => break,
        }
    }
    let session_row = row_of_header(rows, row);
    // The top level at the bottom of the stack, so the deepest comes off first.
    let mut stack = Vec::new();
    for &(spans, depth, parent) in levels.iter().rev() {
        stack.extend(
            spans
                .iter()
                .rev()
                .filter(|&&s| view.shown(s))
                .map(|&s| (s, depth, parent)),
        );
    }
    view.push_stack(rows, stack);
    if orphans_group_after {
        let Some(header) = session_row else {
            return false;
        };
        view.push_orphans(rows, header as u32);
    }
    true
}

/// The row at depth 1 above `row` (or `row` itself): a top-level span or the orphans group.
fn top_of(rows: &[Row], mut row: usize) -> Option<usize> {
    while rows.get(row)?.depth > 1 {
        row = rows[row].parent_row? as usize;
    }
    (rows[row].depth == 1).then_some(row)
}

/// The session header above `row` (its parent, for a top-level span).
fn row_of_header(rows: &[Row], row: usize) -> Option<usize> {
    let parent = rows[row].parent_row? as usize;
    matches!(rows[parent].node, Node::Session(_)).then_some(parent)
}

fn push_extras(rows: &mut Vec<Row>, extras: Vec<Node>, depth: u32, parent_row: u32) {
    rows.extend(extras.into_iter().map(|node| Row {
        node,
        depth,
        parent_row: Some(parent_row),
        expandable: false,
        open: false,
        context: false,
    }));
}
