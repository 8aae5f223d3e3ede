//! The one way the model changes: formats emit `Update`s, the store applies them.

use super::payload::SpanSource;
use super::problem::Problem;
use super::span::{Source, SpanRecord};
use super::time::Nanos;
use std::path::PathBuf;

/// A session's key in updates: shared, as thousands of spans name the same session.
pub type SessionKey = std::sync::Arc<str>;

#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// Unique across the store: the format and what identifies the session in it.
    pub key: SessionKey,
    /// What people and `dump` call it: a folder name, a root id, a trace id.
    pub id: Box<str>,
    pub source: Source,
    pub path: PathBuf,
    /// A start time the session states itself (a POML session folder's name).
    pub start_ns: Option<Nanos>,
    /// Something to know when reading it (times inferred, ...).
    pub note: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// Create a session or update its header; its spans are kept.
    Session(SessionRecord),
    RemoveSession {
        key: SessionKey,
    },
    /// Create or replace a span, matched by its key within the session.
    Span {
        session: SessionKey,
        span: SpanRecord,
    },
    RemoveSpan {
        session: SessionKey,
        key: Box<str>,
    },
    /// A log record that belongs to span `span` of `session`: kept whether or not the span
    /// (or the session) has arrived, and shown with the span once it has.
    Log {
        session: SessionKey,
        span: Box<str>,
        record: SpanSource,
    },
    /// Forget every log record read from `file` (it is being read again from the start).
    RemoveLogs {
        file: std::sync::Arc<std::path::Path>,
    },
    /// Replace every problem that one origin (a file, a folder listing) reported; attached to
    /// a session, or to the whole store when `session` is `None`.
    Problems {
        session: Option<SessionKey>,
        origin: Box<str>,
        problems: Vec<Problem>,
    },
}
