//! Comparing two calls: their prompts as plain-text sections (`sections`), line diffs of
//! each (`diff`), which call pairs with which (`pair`), and the diff as a document for the
//! UI (`doc`) or as unified text for `tracetui diff` (`text`). UI-free.

pub mod diff;
pub mod doc;
pub mod pair;
pub mod sections;
pub mod text;

pub use diff::{CallDiff, Change};

use crate::formats::bytes::ByteSource;
use crate::model::{SessionId, SpanId, Store};

/// Two calls compared, with what to call each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// `20261121123900861020 › 0003.tool_caller`, or a path for `tracetui diff`.
    pub old_label: String,
    pub new_label: String,
    pub diff: CallDiff,
}

/// `session › span key`, as the diff view names a side (not sanitized).
pub fn label(store: &Store, sid: SessionId, id: SpanId) -> String {
    match store.session(sid) {
        Some(s) if s.get(id).is_some() => format!("{} › {}", s.id, span_name(store, s, id)),
        _ => "(gone)".into(),
    }
}

/// A POML call's key names it (`0003.planner`); other spans' keys are ids, so their name
/// comes first (`embed 9fdddb0d76fce98a`).
fn span_name(store: &Store, s: &crate::model::Session, id: SpanId) -> String {
    match s.source {
        crate::model::Source::Poml => s.key(id).to_string(),
        _ => format!("{} {}", store.name(s.span(id).name), s.key(id)),
    }
}

/// Where a call is on disk, as a person would type it for `tracetui diff`: the session
/// folder and the call's prefix for POML, the file and the span's id for events.
pub fn path_label(store: &Store, sid: SessionId, id: SpanId) -> String {
    match store.session(sid) {
        Some(s) if s.get(id).is_some() => match s.source {
            crate::model::Source::Poml => s.path.join(s.key(id)).display().to_string(),
            _ => format!("{} › {}", s.path.display(), span_name(store, s, id)),
        },
        _ => "(gone)".into(),
    }
}

/// A span's sections (none when the session or span is gone).
pub fn sections_of(
    store: &Store,
    sid: SessionId,
    id: SpanId,
    files: &mut dyn ByteSource,
) -> Vec<sections::Section> {
    store
        .session(sid)
        .map_or_else(Vec::new, |s| sections::of_span(s, id, files))
}

/// Compare span `old` with span `new` of one store (the UI's case).
pub fn spans(
    store: &Store,
    old: (SessionId, SpanId),
    new: (SessionId, SpanId),
    context: usize,
    files: &mut dyn ByteSource,
) -> Comparison {
    let a = sections_of(store, old.0, old.1, files);
    let b = sections_of(store, new.0, new.1, files);
    Comparison {
        old_label: label(store, old.0, old.1),
        new_label: label(store, new.0, new.1),
        diff: diff::compare(&a, &b, context),
    }
}
