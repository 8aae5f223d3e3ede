//! The UI-free trace model: sessions of spans, changed only by applying `Update`s.
//!
//! Every input format turns what it reads into the same `Update`s, so a folder loaded at once
//! and the same folder arriving file by file end in the same `Store`.

pub mod fingerprint;
pub mod ids;
pub mod intern;
pub mod payload;
pub mod problem;
pub mod session;
pub mod span;
pub mod store;
pub mod time;
pub mod update;

pub use ids::{SessionId, SpanId};
pub use payload::{
    CallFile, EventRef, Field, Fields, LineRef, LinkInfo, LogRefs, MessageSummary, Payload,
    PomlCall, PromptSummary, SpanFormat, SpanRef, SpanSource, Usage,
};
pub use problem::Problem;
pub use session::Session;
pub use span::{Source, Span, SpanKind, SpanRecord, Status};
pub use store::Store;
pub use time::Nanos;
pub use update::{SessionKey, SessionRecord, Update};
