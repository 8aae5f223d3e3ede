//! Tree node identifiers: stable across rebuilds, so open and selected rows survive live
//! updates (they double as tui-tree-widget identifiers).

use crate::model::{SessionId, SpanId};

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

    /// Open unless the user closed it: sessions and orphan groups; spans start closed.
    pub fn open_by_default(self) -> bool {
        matches!(self, Node::Session(_) | Node::Orphans(_))
    }
}
