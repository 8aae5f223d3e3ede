//! What a span points at to show its content: file lists, byte ranges, small summaries.
//! Bodies are read and parsed only when a pane shows them (see `crate::detail`).

use super::time::Nanos;
use std::ffi::OsString;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Payload {
    #[default]
    None,
    Poml(Box<PomlCall>),
    /// Events in a JSON Lines, JSON array or SSE file (PML, ...).
    Event(EventRef),
    /// An OpenTelemetry-shaped span (MLflow, OTLP), read back when shown.
    Span(Box<SpanRef>),
}

/// Where an OpenTelemetry-shaped span is, and the little the tree needs without reading it.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRef {
    pub format: SpanFormat,
    pub source: SpanSource,
    pub usage: Option<Usage>,
    /// Log records that belong to the span (OTLP logs: GenAI events), in arrival order;
    /// read back as its events when it is shown. Set by the session, not by the reader.
    pub logs: LogRefs,
}

/// A span's log records: eight bytes for the many spans that have none.
#[derive(Clone, Debug, PartialEq, Default)]
#[allow(clippy::box_collection)]
pub struct LogRefs(Option<Box<Vec<SpanSource>>>);

impl LogRefs {
    pub fn as_slice(&self) -> &[SpanSource] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, SpanSource> {
        self.as_slice().iter()
    }

    pub fn push(&mut self, record: SpanSource) {
        self.0.get_or_insert_with(Default::default).push(record);
    }

    /// Keep the records `keep` says to; none left is the same as none ever.
    pub fn retain(&mut self, keep: impl FnMut(&SpanSource) -> bool) {
        if let Some(list) = &mut self.0 {
            list.retain(keep);
            if list.is_empty() {
                self.0 = None;
            }
        }
    }

    pub fn set(&mut self, records: &[SpanSource]) {
        self.0 = (!records.is_empty()).then(|| Box::new(records.to_vec()));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanFormat {
    /// A span object of MLflow's `traces.json` (3.x or the legacy 2.x form).
    Mlflow,
    /// A span object of OTLP/JSON.
    Otlp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SpanSource {
    /// The span object's bytes in a file (`at.number()` is its line).
    File { file: Arc<Path>, at: LineRef },
    /// Received over the network: the span object's JSON, kept in memory.
    Memory(Arc<[u8]>),
}

impl Payload {
    /// Tokens the model reported for this span (a response's `usage`, MLflow's token usage,
    /// OpenTelemetry's `gen_ai.usage.*`), when the trace carries them.
    pub fn usage(&self) -> Option<Usage> {
        match self {
            Payload::Poml(call) => call.prompt.as_ref().and_then(|p| p.usage),
            Payload::Span(span) => span.usage,
            Payload::None | Payload::Event(_) => None,
        }
    }

    /// Characters of the rendered prompt the model was sent, when the span holds one (a
    /// POML call's messages); the size and growth columns are built on it.
    pub fn prompt_chars(&self) -> Option<u64> {
        match self {
            Payload::Poml(call) => call.prompt.as_ref().map(|p| p.chars),
            // A span's messages are read only when it is shown.
            Payload::None | Payload::Event(_) | Payload::Span(_) => None,
        }
    }
}

/// Token counts as a provider reported them; any may be missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Usage {
    pub input: Option<u64>,
    pub output: Option<u64>,
    pub total: Option<u64>,
}

impl Usage {
    /// The total as reported, else input plus output.
    pub fn total(self) -> Option<u64> {
        self.total.or(match (self.input, self.output) {
            (None, None) => None,
            (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
        })
    }
}

/// Where a span's events are in their file; bodies are read back only when shown.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRef {
    pub file: Arc<Path>,
    /// The event (or the start event of a start/end pair).
    pub first: Option<LineRef>,
    /// The end event of a start/end pair.
    pub end: Option<LineRef>,
    /// For a task of an execution trace: its index in `taskResults`, plus one (the niche
    /// keeps `Option` at four bytes); see `task()`.
    pub task: Option<NonZeroU32>,
    /// Where input, output and error are inside their events, when known: `dump` copies
    /// them without parsing the events again.
    pub fields: Fields,
}

impl EventRef {
    /// The task's index in its trace's `taskResults`, for a task.
    pub fn task(&self) -> Option<usize> {
        self.task.map(|t| t.get() as usize - 1)
    }
}

/// A JSON value's place in a file: 1-based line (or array element) number and byte range.
/// Sixteen bytes, and `Option<LineRef>` too: a million spans carry two each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineRef {
    pub offset: u64,
    pub len: u32,
    number: NonZeroU32,
}

impl LineRef {
    /// Line numbers start at 1; past `u32::MAX` they saturate.
    pub fn new(number: u64, offset: u64, len: usize) -> Self {
        Self {
            offset,
            len: u32::try_from(len).unwrap_or(u32::MAX),
            number: NonZeroU32::new(u32::try_from(number.max(1)).unwrap_or(u32::MAX))
                .unwrap_or(NonZeroU32::MIN),
        }
    }

    pub fn number(self) -> u64 {
        u64::from(self.number.get())
    }
}

/// A value's byte range inside its event (input in the first event; output and error in
/// the end event when there is one, else in the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub offset: u32,
    pub len: NonZeroU32,
}

impl Field {
    /// The range of `value` inside `event`, when it lies there.
    pub fn within(event: &[u8], value: &[u8]) -> Option<Field> {
        let start = (value.as_ptr() as usize).checked_sub(event.as_ptr() as usize)?;
        if start + value.len() > event.len() {
            return None;
        }
        Some(Field {
            offset: u32::try_from(start).ok()?,
            len: NonZeroU32::new(u32::try_from(value.len()).ok()?)?,
        })
    }

    pub fn slice(self, event: &[u8]) -> Option<&[u8]> {
        let start = self.offset as usize;
        event.get(start..start + self.len.get() as usize)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Fields {
    pub input: Option<Field>,
    pub output: Option<Field>,
    pub error: Option<Field>,
    /// The events were looked at: a missing field is absent, not unknown.
    pub located: bool,
}

/// The files of one POML call and what the tree needs without opening them again.
#[derive(Clone, Debug, PartialEq)]
pub struct PomlCall {
    pub dir: Arc<Path>,
    /// `0003.planner`: the file-name prefix every file of the call starts with.
    pub prefix: OsString,
    /// Standard files first in poml's write order, then artifacts by suffix.
    pub files: Vec<CallFile>,
    /// `SOURCE_PATH` from the `.env` file.
    pub source_path: Option<Box<str>>,
    /// From `.result.json`, when it parsed.
    pub prompt: Option<PromptSummary>,
}

impl PomlCall {
    pub fn path_of(&self, file: &CallFile) -> PathBuf {
        self.dir.join(&file.name)
    }

    pub fn file(&self, suffix: &str) -> Option<&CallFile> {
        self.files.iter().find(|f| &*f.suffix == suffix)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CallFile {
    /// The full file name, as on disk (it need not be UTF-8).
    pub name: OsString,
    /// `.result.json`, `.response.json`, ... (lossy UTF-8).
    pub suffix: Box<str>,
    pub size: u64,
    /// lstat time: a symlink's own time, not its target's.
    pub mtime_ns: Nanos,
    pub link: Option<LinkInfo>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkInfo {
    pub target: PathBuf,
    pub dangling: bool,
}

/// The shape of a rendered prompt, enough for tree rows, counts and the timeline.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PromptSummary {
    /// False when poml ran with chat off: `messages` in result.json is the content itself.
    pub chat: bool,
    pub messages: Vec<MessageSummary>,
    pub images: u32,
    pub tool_names: Vec<Box<str>>,
    /// The tool calls the messages carry (the model's earlier requests, as `(id, name)`),
    /// in order: a session's calls repeat them as the conversation grows, so counting them
    /// goes by id.
    pub tool_calls: Vec<(Box<str>, Box<str>)>,
    pub has_schema: bool,
    pub has_runtime: bool,
    /// Characters of message text the model was sent (images and tool parts count as JSON).
    pub chars: u64,
    /// What the provider reported using, when an artifact of the call says.
    pub usage: Option<Usage>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageSummary {
    pub speaker: Box<str>,
    /// The first non-empty line, cut for display.
    pub first_line: Box<str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_records_cost_a_pointer_until_a_span_has_some() {
        assert_eq!(std::mem::size_of::<LogRefs>(), 8);
        let record = SpanSource::Memory(Arc::from(&b"{}"[..]));
        let mut logs = LogRefs::default();
        logs.push(record.clone());
        assert_eq!(logs.as_slice(), std::slice::from_ref(&record));
        logs.retain(|_| false);
        assert_eq!(logs, LogRefs::default(), "none left is none");
        logs.set(&[]);
        assert_eq!(logs, LogRefs::default());
    }
}
