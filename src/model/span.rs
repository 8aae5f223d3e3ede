//! Spans: one timed unit of work (a POML call, a tool call, an LLM call, ...).

use super::intern::Sym;
use super::payload::Payload;
use super::problem::Problem;
use super::time::Nanos;

/// Which input format a session came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Poml,
    Pml,
    Mlflow,
    Otlp,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Poml => "poml",
            Source::Pml => "pml",
            Source::Mlflow => "mlflow",
            Source::Otlp => "otlp",
        }
    }
}

/// What a span stands for; `as_str` is the `kind` in `dump --format json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanKind {
    PomlCall,
    Execution,
    Capability,
    ToolCall,
    Task,
    Llm,
    ChatModel,
    Chain,
    Agent,
    Tool,
    Retriever,
    Embedding,
    /// An error event.
    Error,
    Span,
}

/// The tool a tool span calls, from its name as the conventions make it: GenAI names the
/// span `execute_tool {gen_ai.tool.name}`, the Traceloop SDK `{name}.tool`; other names are
/// the tool's own (OpenInference, MLflow, PML's `server:tool`).
pub fn tool_name(kind: SpanKind, name: &str) -> &str {
    if kind != SpanKind::Tool {
        return name;
    }
    let name = name.strip_prefix("execute_tool ").unwrap_or(name);
    match name.strip_suffix(".tool") {
        Some(tool) if !tool.is_empty() => tool,
        _ => name,
    }
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::PomlCall => "poml_call",
            SpanKind::Execution => "execution",
            SpanKind::Capability => "capability",
            SpanKind::ToolCall => "tool_call",
            SpanKind::Task => "task",
            SpanKind::Llm => "llm",
            SpanKind::ChatModel => "chat_model",
            SpanKind::Chain => "chain",
            SpanKind::Agent => "agent",
            SpanKind::Tool => "tool",
            SpanKind::Retriever => "retriever",
            SpanKind::Embedding => "embedding",
            SpanKind::Error => "error",
            SpanKind::Span => "span",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Status {
    #[default]
    Ok,
    Error,
    /// It stopped without finishing (no result, no end) and nothing is writing it any more.
    Incomplete,
    /// Started and not finished yet: drawn in flight.
    Running,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Incomplete => "incomplete",
            Status::Running => "running",
        }
    }
}

/// A span as a format reports it; the store turns it into a `Span`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    /// The source's own id, unique within the session (`0003.planner`, an event id, a span id).
    pub key: Box<str>,
    /// The source's id of the parent, which may not have arrived yet.
    pub parent: Option<Box<str>>,
    pub kind: SpanKind,
    pub name: Box<str>,
    /// The POML call index; orders siblings before time does.
    pub index: Option<u64>,
    pub start_ns: Option<Nanos>,
    pub end_ns: Option<Nanos>,
    pub status: Status,
    pub problems: Vec<Problem>,
    pub payload: Payload,
}

impl SpanRecord {
    pub fn new(key: impl Into<Box<str>>, kind: SpanKind, name: impl Into<Box<str>>) -> Self {
        Self {
            key: key.into(),
            parent: None,
            kind,
            name: name.into(),
            index: None,
            start_ns: None,
            end_ns: None,
            status: Status::Ok,
            problems: Vec::new(),
            payload: Payload::None,
        }
    }
}

/// Where a span's key lies in its session's key arena (eight bytes; a boxed string would
/// cost sixteen plus a heap block of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct KeyRef {
    pub(super) start: u32,
    pub(super) len: u32,
}

/// A span in a session. Its key is `Session::key`.
#[derive(Debug)]
pub struct Span {
    pub(super) key: KeyRef,
    /// The parent once it has arrived; `None` for roots and for children still waiting
    /// (`Session::parent_key` has the key they wait for).
    pub parent: Option<super::SpanId>,
    pub kind: SpanKind,
    pub name: Sym,
    /// The POML call index (`index()` gives it back whole).
    pub(super) index: Option<u32>,
    /// Start and end, `NO_TIME` when unknown (an `Option` each would take twice the room,
    /// times a million spans).
    pub(super) start: Nanos,
    pub(super) end: Nanos,
    pub status: Status,
    pub problems: Box<[Problem]>,
    pub payload: Payload,
    /// Arrival order; the last tie-breaker when ordering siblings.
    pub seq: u32,
    /// Set when the source deleted it; its slot stays so ids remain stable.
    pub removed: bool,
    /// Bumped whenever the span is replaced, so views know to render it again.
    pub version: u32,
}

/// Marks an unknown start or end inside `Span`.
pub(super) const NO_TIME: Nanos = Nanos::MIN;

/// Known times are clamped into ±`TIME_LIMIT`, so durations, gaps and offsets computed from
/// spans never overflow, and no time is mistaken for `NO_TIME`.
pub(super) fn pack_time(t: Option<Nanos>) -> Nanos {
    t.map_or(NO_TIME, super::time::clamp_time)
}

impl Span {
    pub fn start_ns(&self) -> Option<Nanos> {
        (self.start != NO_TIME).then_some(self.start)
    }

    pub fn end_ns(&self) -> Option<Nanos> {
        (self.end != NO_TIME).then_some(self.end)
    }

    pub fn index(&self) -> Option<u64> {
        self.index.map(u64::from)
    }

    pub fn duration_ns(&self) -> Option<Nanos> {
        Some(self.end_ns()? - self.start_ns()?)
    }

    /// Still being written or still running: its bar grows with the clock.
    pub fn in_flight(&self) -> bool {
        self.status == Status::Running
    }

    /// Sibling order: POML index first, then start time, then arrival.
    pub fn order_key(&self) -> (u64, Nanos, u32) {
        (
            self.index().unwrap_or(u64::MAX),
            self.start_ns().unwrap_or(Nanos::MAX),
            self.seq,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::time::TIME_LIMIT;
    use super::super::{SessionRecord, Source, SpanKind, SpanRecord, Store, Update};
    use super::tool_name;

    #[test]
    fn a_tool_span_names_its_tool_as_its_convention_does() {
        assert_eq!(
            tool_name(SpanKind::Tool, "execute_tool get_weather"),
            "get_weather"
        );
        assert_eq!(tool_name(SpanKind::Tool, "get_weather.tool"), "get_weather");
        assert_eq!(tool_name(SpanKind::Tool, "get_weather"), "get_weather");
        assert_eq!(tool_name(SpanKind::Tool, ".tool"), ".tool");
        assert_eq!(
            tool_name(SpanKind::Agent, "execute_tool x"),
            "execute_tool x"
        );
    }

    /// Found by fuzzing: a start near `i64::MIN` and an end near `i64::MAX` in one trace
    /// overflowed every duration, gap and offset computed from them.
    #[test]
    fn extreme_times_are_clamped_so_differences_fit() {
        let mut store = Store::new();
        let session: super::super::SessionKey = "s".into();
        let mut a = SpanRecord::new("a", SpanKind::ToolCall, "a");
        a.start_ns = Some(i64::MIN + 1);
        a.end_ns = Some(i64::MAX);
        let mut b = SpanRecord::new("b", SpanKind::ToolCall, "b");
        b.start_ns = Some(i64::MAX);
        store.apply_all([
            Update::Session(SessionRecord {
                key: session.clone(),
                id: "s".into(),
                source: Source::Pml,
                path: "x".into(),
                start_ns: Some(i64::MIN),
                note: None,
            }),
            Update::Span {
                session: session.clone(),
                span: a,
            },
            Update::Span { session, span: b },
        ]);
        let (_, s) = store.sessions().next().expect("session");
        let ids = s.spans_in_order();
        assert_eq!(s.span(ids[0]).start_ns(), Some(-TIME_LIMIT));
        assert_eq!(s.span(ids[0]).duration_ns(), Some(2 * TIME_LIMIT));
        assert_eq!(s.duration_ns(), Some(2 * TIME_LIMIT));
        assert_eq!(s.gap_before(ids[1]), Some(0));
    }
}
