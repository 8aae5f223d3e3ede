//! Flattening the tree into the rows drawn: sessions, their spans depth first as far as
//! they are open, a POML call's messages and files under it; with a filter, only matches
//! and the rows above them.

use crate::analysis::Matches;
use crate::app::node::Node;
use crate::model::{Payload, Session, SessionId, SpanId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub node: Node,
    pub depth: u32,
    /// The row of the parent node, for drawing a window without walking back.
    pub parent_row: Option<u32>,
    pub expandable: bool,
    pub open: bool,
    /// Shown only because something below it matches the filter.
    pub context: bool,
}

/// Push one session's rows: its header, then (when open) its spans and orphans.
pub(super) fn push_session(
    rows: &mut Vec<Row>,
    session: &Session,
    sid: SessionId,
    matches: Option<&Matches>,
    is_open: &impl Fn(Node) -> bool,
) {
    if matches.is_some_and(|m| !m.session_visible(sid)) {
        return;
    }
    let node = Node::Session(sid);
    let expandable = session.span_count() > 0;
    let open = expandable && is_open(node);
    rows.push(Row {
        node,
        depth: 0,
        parent_row: None,
        expandable,
        open,
        context: matches.is_some(),
    });
    if !open {
        return;
    }
    let session_row = (rows.len() - 1) as u32;
    let view = SessionView {
        session,
        sid,
        matches,
        is_open,
    };
    view.push(rows, session.roots(), 1, session_row);
    view.push_orphans(rows, session_row);
}

/// What building one session's rows needs.
pub(super) struct SessionView<'a, F: Fn(Node) -> bool> {
    pub session: &'a Session,
    pub sid: SessionId,
    pub matches: Option<&'a Matches>,
    pub is_open: &'a F,
}

impl<F: Fn(Node) -> bool> SessionView<'_, F> {
    /// Push `spans` and their open descendants, depth first, without recursion; with a
    /// filter, only matches and their ancestors.
    pub(super) fn push(&self, rows: &mut Vec<Row>, spans: &[SpanId], depth: u32, parent_row: u32) {
        let stack = spans
            .iter()
            .rev()
            .filter(|&&id| self.shown(id))
            .map(|&id| (id, depth, parent_row))
            .collect();
        self.push_stack(rows, stack);
    }

    /// Whether the filter (if any) shows span `id`.
    pub(super) fn shown(&self, id: SpanId) -> bool {
        self.matches.is_none_or(|m| m.is_visible(self.sid, id))
    }

    /// The orphans group after the roots, when it shows any span, and its spans when open.
    pub(super) fn push_orphans(&self, rows: &mut Vec<Row>, session_row: u32) {
        if !self.session.orphans().iter().any(|&o| self.shown(o)) {
            return;
        }
        let node = Node::Orphans(self.sid);
        let open = (self.is_open)(node);
        rows.push(Row {
            node,
            depth: 1,
            parent_row: Some(session_row),
            expandable: true,
            open,
            context: self.matches.is_some(),
        });
        if open {
            let orphans_row = (rows.len() - 1) as u32;
            self.push(rows, self.session.orphans(), 2, orphans_row);
        }
    }

    /// Push what `stack` holds (span, depth, parent row; the next on top) and the open
    /// descendants of each, depth first.
    pub(super) fn push_stack(&self, rows: &mut Vec<Row>, mut stack: Vec<(SpanId, u32, u32)>) {
        let (session, sid) = (self.session, self.sid);
        let shown = |id: SpanId| self.shown(id);
        while let Some((id, depth, parent_row)) = stack.pop() {
            let node = Node::Span(sid, id);
            let children = session.children(id);
            let extras = extra_rows(session, sid, id);
            let expandable = children.iter().any(|&c| shown(c)) || !extras.is_empty();
            let open = expandable && (self.is_open)(node);
            rows.push(Row {
                node,
                depth,
                parent_row: Some(parent_row),
                expandable,
                open,
                context: self.matches.is_some_and(|m| !m.is_match(sid, id)),
            });
            if !open {
                continue;
            }
            let me = (rows.len() - 1) as u32;
            for extra in extras {
                rows.push(Row {
                    node: extra,
                    depth: depth + 1,
                    parent_row: Some(me),
                    expandable: false,
                    open: false,
                    context: false,
                });
            }
            stack.extend(
                children
                    .iter()
                    .rev()
                    .filter(|&&c| shown(c))
                    .map(|&c| (c, depth + 1, me)),
            );
        }
    }
}

/// A POML call's messages and files, shown under it when opened.
pub(super) fn extra_rows(session: &Session, sid: SessionId, id: SpanId) -> Vec<Node> {
    match &session.span(id).payload {
        Payload::Poml(call) => {
            let messages = call.prompt.as_ref().map_or(0, |p| p.messages.len()) as u32;
            (0..messages)
                .map(|i| Node::Message(sid, id, i))
                .chain((0..call.files.len() as u32).map(|i| Node::File(sid, id, i)))
                .collect()
        }
        _ => Vec::new(),
    }
}
