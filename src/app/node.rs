//! Tree node identifiers: stable across rebuilds, so open and selected rows survive live
//! updates (they double as tui-tree-widget identifiers).

use crate::model::{SessionId, SpanId, Store};

/// Sessions with more spans than this start with their top-level spans closed.
const OPEN_SESSIONS_UP_TO: usize = 2_000;
/// With more sessions than this, sessions start closed: a list of executions to pick from.
const OPEN_UP_TO_SESSIONS: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Session(SessionId),
    Span(SessionId, SpanId),
    /// The n-th message of a POML call.
    Message(SessionId, SpanId, u32),
    /// The n-th file of a POML call.
    File(SessionId, SpanId, u32),
    /// Spans of a session whose parent never arrived.
    Orphans(SessionId),
    /// Stands in for children that are not drawn (keeps the ▶/▼ marker honest).
    Placeholder,
}

impl Node {
    pub fn session(self) -> Option<SessionId> {
        match self {
            Node::Session(s)
            | Node::Span(s, _)
            | Node::Message(s, _, _)
            | Node::File(s, _, _)
            | Node::Orphans(s) => Some(s),
            Node::Placeholder => None,
        }
    }

    /// The span this row is about (a message or file row is about its call).
    pub fn span(self) -> Option<(SessionId, SpanId)> {
        match self {
            Node::Span(s, id) | Node::Message(s, id, _) | Node::File(s, id, _) => Some((s, id)),
            _ => None,
        }
    }

    /// Open unless the user closed it: sessions (while there are few of them), orphan
    /// groups, and top-level spans that have child spans (executions) in sessions small
    /// enough to show whole. POML calls (whose children are messages and files) and deeper
    /// spans start closed.
    pub fn open_by_default(self, store: &Store) -> bool {
        match self {
            Node::Session(_) => sessions_open_by_default(store),
            Node::Orphans(_) => true,
            Node::Span(sid, id) => store.session(sid).is_some_and(|s| {
                s.span_count() <= OPEN_SESSIONS_UP_TO
                    && s.get(id).is_some_and(|span| span.parent.is_none())
                    && !s.children(id).is_empty()
            }),
            _ => false,
        }
    }
}

/// Whether sessions start open: while there are few of them.
pub fn sessions_open_by_default(store: &Store) -> bool {
    store.session_count() <= OPEN_UP_TO_SESSIONS
}
