//! Dense, copyable ids for sessions and spans; they double as tree-widget identifiers.

/// Index of a session in `Store::sessions`; stable for the life of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u32);

/// Index of a span in its session's span arena; stable for the life of the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(pub u32);

impl SessionId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SpanId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
