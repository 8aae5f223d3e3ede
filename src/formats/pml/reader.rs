//! Turning PML events into spans, line by line: pairing start and end events, closing
//! executions, placing every span in the session of its root execution, and keeping
//! children whose parent has not arrived in the file's orphans session until it does.

use super::raw::{Millis, RawEvent, RawTask};
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{
    EventRef, LineRef, Payload, Problem, SessionRecord, Source, SpanKind, SpanRecord, Status,
    Update,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// A span with a start and no end counts as running while its file changed this recently;
/// after that it stopped without finishing.
pub const ACTIVE_WINDOW_NS: Nanos = 300 * 1_000_000_000;
/// At most this many problems are kept per file; the rest are counted.
const MAX_PROBLEMS: usize = 200;

#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub now_ns: Nanos,
    /// When the file last changed.
    pub file_mtime_ns: Nanos,
}

/// A span made of two events (start and end), while it waits for the other one.
#[derive(Debug)]
struct Pair {
    record: SpanRecord,
    root: Option<Box<str>>,
    has_start: bool,
    has_end: bool,
}

#[derive(Debug)]
pub struct PmlReader {
    file: Arc<Path>,
    orphans: Box<str>,
    announced: HashSet<Box<str>>,
    pairs: HashMap<Box<str>, Pair>,
    /// Span key -> session key, for shapes that do not name the root on every event.
    session_of: HashMap<Box<str>, Box<str>>,
    /// Parent key -> spans kept in the orphans session until that parent arrives.
    held: HashMap<Box<str>, Vec<Box<str>>>,
    held_records: HashMap<Box<str>, SpanRecord>,
    /// Documented shape: root id -> the key of its `execution_start` event, when they differ.
    executions: HashMap<Box<str>, Box<str>>,
    problems: BTreeMap<u64, Problem>,
    dropped_problems: u64,
    problems_changed: bool,
    /// Every session this file has put spans in.
    pub sessions: HashSet<Box<str>>,
    /// SSE frames carry no timestamps: a clock inferred from durations (ms).
    clock_ms: f64,
    pub inferred_times: bool,
    /// The newest time any event of this file stated.
    latest_ns: Nanos,
    /// Said of every session of this file (SSE: times are inferred).
    note: Option<Box<str>>,
}

impl PmlReader {
    /// A reader for an SSE capture: its frames carry no timestamps.
    pub fn for_sse(file: Arc<Path>) -> Self {
        let mut reader = Self::new(file);
        reader.note = Some(
            "SSE frames carry no timestamps: times are inferred from durations, counted from 0"
                .into(),
        );
        reader
    }

    pub fn new(file: Arc<Path>) -> Self {
        let orphans = format!("pml-orphans:{}", file.display()).into();
        Self {
            file,
            orphans,
            announced: HashSet::new(),
            pairs: HashMap::new(),
            session_of: HashMap::new(),
            held: HashMap::new(),
            held_records: HashMap::new(),
            executions: HashMap::new(),
            problems: BTreeMap::new(),
            dropped_problems: 0,
            problems_changed: false,
            sessions: HashSet::new(),
            clock_ms: 0.0,
            inferred_times: false,
            latest_ns: Nanos::MIN,
            note: None,
        }
    }

    fn name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// One JSON value (a JSONL line, an array element, an SSE data payload).
    pub fn value(&mut self, bytes: &[u8], at: LineRef, ctx: Context, out: &mut Vec<Update>) {
        self.clear_problem(at.number);
        let event: RawEvent = match serde_json::from_slice(bytes) {
            Ok(e) => e,
            Err(e) => {
                let what = if std::str::from_utf8(bytes).is_err() {
                    "not UTF-8".to_string()
                } else {
                    crate::formats::json::describe(e)
                };
                self.problem(at.number, what);
                return;
            }
        };
        self.event(event, at, ctx, out);
    }

    /// A value that was cut (longer than the line limit): keep it visible as a problem.
    pub fn cut(&mut self, at: LineRef, full: u64) {
        self.problem(
            at.number,
            format!(
                "event of {} is too large to read; skipped",
                crate::fsread::human_size(full)
            ),
        );
    }

    fn event(&mut self, e: RawEvent<'_>, at: LineRef, ctx: Context, out: &mut Vec<Update>) {
        let kind = e.kind.as_deref().unwrap_or("");
        match kind {
            "tool_start" | "capability_start" | "tool.start" | "capability.start" => {
                self.start(&e, at, ctx, out)
            }
            "tool_end" | "capability_end" | "tool.end" | "capability.end" => {
                self.end(&e, at, ctx, out)
            }
            "execution_start" => self.execution_start(&e, at, ctx, out),
            "execution_end" => self.execution_end(&e, at, ctx, out),
            "tool_call" | "capability_invoke" | "error" => self.documented(&e, at, out),
            _ if e.task_results.is_some()
                || (e.trace_id.is_some() || e.id.is_some())
                    && e.duration_ms.is_some()
                    && kind.is_empty() =>
            {
                self.execution_trace(&e, at, out)
            }
            _ if e.root_id.is_some() && e.id.is_some() => self.documented(&e, at, out),
            // Stream housekeeping (heartbeat, system.startup, ...).
            "heartbeat" | "system.startup" | "connected" => {}
            _ if kind.contains('.') => {}
            _ => self.problem(
                at.number,
                "not a PML event (no known type, trace id or root id)".into(),
            ),
        }
    }

    /// The documented shape: one event is one finished span.
    fn documented(&mut self, e: &RawEvent<'_>, at: LineRef, out: &mut Vec<Update>) {
        let Some(id) = e.id.as_ref() else {
            self.problem(at.number, "event without an id".into());
            return;
        };
        let kind = match e.kind.as_deref() {
            Some("capability_invoke") => SpanKind::Capability,
            Some("error") => SpanKind::Error,
            _ => SpanKind::ToolCall,
        };
        let name = match kind {
            SpanKind::Error => "error".to_string(),
            SpanKind::Capability => label(e).unwrap_or_else(|| "capability".into()),
            _ => label(e).unwrap_or_else(|| "tool".into()),
        };
        let mut record = SpanRecord::new(&*id.0, kind, name);
        let root = e.root_id.as_ref().map(|r| Box::<str>::from(&*r.0));
        record.parent = e.parent_id.as_ref().map(|p| {
            let p: Box<str> = p.0.as_ref().into();
            // Children may name the root id where the execution_start event has its own id.
            self.executions.get(&p).cloned().unwrap_or(p)
        });
        record.start_ns = e.timestamp.map(Millis::ns);
        record.end_ns = record
            .start_ns
            .map(|s| s + ms_ns(e.duration_ms.unwrap_or(0.0)));
        record.status = if kind == SpanKind::Error || failed(e) {
            Status::Error
        } else {
            Status::Ok
        };
        record.payload = self.payload(Some(at), None, None);
        self.place(record, root, out);
    }

    fn execution_start(
        &mut self,
        e: &RawEvent<'_>,
        at: LineRef,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let Some(key) =
            e.id.as_ref()
                .or(e.root_id.as_ref())
                .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(at.number, "execution_start without an id".into());
            return;
        };
        let root: Box<str> = e
            .root_id
            .as_ref()
            .map_or_else(|| key.clone(), |r| (&*r.0).into());
        if root != key {
            self.executions.insert(root.clone(), key.clone());
        }
        let mut record = SpanRecord::new(
            key,
            SpanKind::Execution,
            label(e).unwrap_or_else(|| "execution".into()),
        );
        record.start_ns = e.timestamp.map(Millis::ns);
        self.pair(root.clone(), record, Some(root), at, ctx, out);
    }

    fn execution_end(
        &mut self,
        e: &RawEvent<'_>,
        at: LineRef,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let Some(root) = e
            .root_id
            .as_ref()
            .or(e.id.as_ref())
            .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(at.number, "execution_end without a root id".into());
            return;
        };
        let key = self
            .executions
            .get(&root)
            .cloned()
            .unwrap_or_else(|| root.clone());
        let mut record = SpanRecord::new(
            key,
            SpanKind::Execution,
            label(e).unwrap_or_else(|| "execution".into()),
        );
        record.end_ns = e.timestamp.map(Millis::ns);
        record.status = if failed(e) { Status::Error } else { Status::Ok };
        let duration = e.duration_ms.map(ms_ns);
        self.pair_end(root.clone(), record, Some(root), at, duration, ctx, out);
    }

    /// `tool_start` / `capability_start` (and their SSE forms).
    fn start(&mut self, e: &RawEvent<'_>, at: LineRef, ctx: Context, out: &mut Vec<Update>) {
        let Some(key) = e.trace_id.as_ref().map(|i| Box::<str>::from(&*i.0)) else {
            self.problem(at.number, "start event without a traceId".into());
            return;
        };
        let kind = if e
            .kind
            .as_deref()
            .is_some_and(|k| k.starts_with("capability"))
        {
            SpanKind::Capability
        } else {
            SpanKind::ToolCall
        };
        let mut record = SpanRecord::new(key.clone(), kind, label(e).unwrap_or_else(|| "?".into()));
        record.parent = e.parent_trace_id.as_ref().map(|p| (&*p.0).into());
        record.start_ns = Some(self.time(e));
        self.pair(key, record, None, at, ctx, out);
    }

    fn end(&mut self, e: &RawEvent<'_>, at: LineRef, ctx: Context, out: &mut Vec<Update>) {
        let Some(key) = e.trace_id.as_ref().map(|i| Box::<str>::from(&*i.0)) else {
            self.problem(at.number, "end event without a traceId".into());
            return;
        };
        let kind = if e
            .kind
            .as_deref()
            .is_some_and(|k| k.starts_with("capability"))
        {
            SpanKind::Capability
        } else {
            SpanKind::ToolCall
        };
        let duration = e.duration_ms.map(ms_ns);
        let mut record = SpanRecord::new(key.clone(), kind, label(e).unwrap_or_else(|| "?".into()));
        record.parent = e.parent_trace_id.as_ref().map(|p| (&*p.0).into());
        record.end_ns = match (e.ts.or(e.timestamp), &self.pairs.get(&key)) {
            (Some(t), _) => Some(t.ns()),
            // No clock in the event (SSE): the end follows from the start.
            (None, Some(pair)) => pair.record.start_ns.map(|s| s + duration.unwrap_or(0)),
            (None, None) => Some(self.time(e) + duration.unwrap_or(0)),
        };
        if e.ts.or(e.timestamp).is_none()
            && let Some(end) = record.end_ns
        {
            self.clock_ms = self.clock_ms.max(end as f64 / NS_PER_MS as f64);
        }
        record.status = if failed(e) { Status::Error } else { Status::Ok };
        self.pair_end(key, record, None, at, duration, ctx, out);
    }

    /// An event's own time, or the inferred clock when it has none.
    fn time(&mut self, e: &RawEvent<'_>) -> Nanos {
        match e.ts.or(e.timestamp) {
            Some(t) => t.ns(),
            None => {
                self.inferred_times = true;
                (self.clock_ms * NS_PER_MS as f64) as Nanos
            }
        }
    }

    /// The first half of a pair: emit it running (or merged, if its end came first).
    fn pair(
        &mut self,
        key: Box<str>,
        record: SpanRecord,
        root: Option<Box<str>>,
        at: LineRef,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let file = self.file.clone();
        let pair = self.pairs.entry(key.clone()).or_insert_with(|| Pair {
            record: SpanRecord::new(key.clone(), record.kind, ""),
            root: root.clone(),
            has_start: false,
            has_end: false,
        });
        pair.has_start = true;
        let merged = &mut pair.record;
        merged.key = record.key;
        merged.kind = record.kind;
        merged.name = record.name;
        merged.parent = record.parent.or(merged.parent.take());
        merged.start_ns = record.start_ns;
        let end = match &merged.payload {
            Payload::Event(r) => r.end,
            _ => None,
        };
        merged.payload = Payload::Event(Box::new(EventRef {
            file,
            first: Some(at),
            end,
            task: None,
        }));
        self.emit_pair(&key, ctx, out);
    }

    /// The second half: set the end, status and duration.
    #[allow(clippy::too_many_arguments)]
    fn pair_end(
        &mut self,
        key: Box<str>,
        record: SpanRecord,
        root: Option<Box<str>>,
        at: LineRef,
        duration: Option<Nanos>,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let file = self.file.clone();
        let pair = self.pairs.entry(key.clone()).or_insert_with(|| Pair {
            record: SpanRecord::new(key.clone(), record.kind, ""),
            root,
            has_start: false,
            has_end: false,
        });
        pair.has_end = true;
        let merged = &mut pair.record;
        if merged.name.is_empty() || &*merged.name == "?" {
            merged.name = record.name;
        }
        merged.parent = merged.parent.take().or(record.parent);
        merged.end_ns = record.end_ns;
        merged.status = record.status;
        if !pair.has_start || merged.start_ns.is_none() {
            merged.start_ns = match (record.end_ns, duration) {
                (Some(end), Some(d)) => Some(end - d),
                _ => record.end_ns,
            };
        }
        let first = match &merged.payload {
            Payload::Event(r) => r.first,
            _ => None,
        };
        merged.payload = Payload::Event(Box::new(EventRef {
            file,
            first,
            end: Some(at),
            task: None,
        }));
        self.emit_pair(&key, ctx, out);
    }

    /// When the traced program last did something: the newest event time, or (for files
    /// without clocks) the file's modification time. A file copied or checked out today
    /// holding last year's events is not "active".
    fn last_activity(&self, ctx: Context) -> Nanos {
        if self.inferred_times || self.latest_ns == Nanos::MIN {
            ctx.file_mtime_ns
        } else {
            self.latest_ns
        }
    }

    /// A span with a start and no end: running while the program is active, else stopped.
    fn open_status(&self, ctx: Context) -> Status {
        if ctx.now_ns - self.last_activity(ctx) < ACTIVE_WINDOW_NS {
            Status::Running
        } else {
            Status::Incomplete
        }
    }

    /// When an open span would turn from running to stopped.
    pub fn goes_stale_at(&self, ctx: Context) -> Option<Nanos> {
        self.has_open()
            .then(|| self.last_activity(ctx) + ACTIVE_WINDOW_NS)
    }

    fn emit_pair(&mut self, key: &str, ctx: Context, out: &mut Vec<Update>) {
        let status = self.open_status(ctx);
        let Some(pair) = self.pairs.get_mut(key) else {
            return;
        };
        let mut record = pair.record.clone();
        let root = pair.root.clone();
        if !pair.has_end {
            record.status = status;
            record.end_ns = None;
        }
        if pair.has_start && pair.has_end {
            self.pairs.remove(key);
        }
        self.place(record, root, out);
    }

    /// A finished execution trace: its own span and one per task.
    fn execution_trace(&mut self, e: &RawEvent<'_>, at: LineRef, out: &mut Vec<Update>) {
        let Some(key) = e
            .trace_id
            .as_ref()
            .or(e.id.as_ref())
            .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(at.number, "execution trace without a traceId".into());
            return;
        };
        let parent: Option<Box<str>> = e.parent_trace_id.as_ref().map(|p| (&*p.0).into());
        let kind = if parent.is_some() {
            SpanKind::Capability
        } else {
            SpanKind::Execution
        };
        let name = e
            .capability_id
            .as_deref()
            .map(str::to_string)
            .unwrap_or_else(|| "execution".into());
        let mut record = SpanRecord::new(key.clone(), kind, name);
        record.parent = parent;
        let duration = ms_ns(e.duration_ms.unwrap_or(0.0));
        // `timestamp` is set when the trace finishes.
        record.end_ns = e.timestamp.map(Millis::ns);
        record.start_ns = record.end_ns.map(|end| end - duration);
        record.status = if failed(e) { Status::Error } else { Status::Ok };
        record.payload = self.payload(Some(at), None, None);
        let trace_start = record.start_ns;
        self.place(record, None, out);
        let tasks = e.task_results.as_deref().unwrap_or(&[]);
        let mut layer_end: BTreeMap<u32, Nanos> = BTreeMap::new();
        for (i, task) in tasks.iter().enumerate() {
            let record = self.task(&key, i, task, at, trace_start, &mut layer_end);
            self.place(record, None, out);
        }
    }

    fn task(
        &mut self,
        trace: &str,
        i: usize,
        task: &RawTask<'_>,
        at: LineRef,
        trace_start: Option<Nanos>,
        layer_end: &mut BTreeMap<u32, Nanos>,
    ) -> SpanRecord {
        let id = task
            .task_id
            .as_ref()
            .map_or_else(|| format!("t{}", i + 1), |t| t.0.to_string());
        let tool = task.tool.as_ref().map_or("?", |t| &t.0);
        let (kind, name) = match tool.strip_prefix("$cap:") {
            Some(_) => (
                SpanKind::Capability,
                task.resolved_tool.as_deref().unwrap_or(tool).to_string(),
            ),
            None => (SpanKind::ToolCall, tool.to_string()),
        };
        let mut record = SpanRecord::new(format!("{trace}/{id}"), kind, name);
        record.parent = Some(trace.into());
        let duration = ms_ns(task.duration_ms.unwrap_or(0.0));
        match task.timestamp {
            // Task timestamps are taken when the call completes.
            Some(t) => {
                record.end_ns = Some(t.ns());
                record.start_ns = Some(t.ns() - duration);
            }
            // Stored traces drop them: lay tasks out by parallel layer from the trace start.
            None => {
                let layer = task.layer_index.unwrap_or(i as u32);
                let previous = layer_end
                    .range(..layer)
                    .map(|(_, &end)| end)
                    .max()
                    .or(trace_start);
                if let Some(start) = previous {
                    record.start_ns = Some(start);
                    record.end_ns = Some(start + duration);
                    let end = layer_end.entry(layer).or_insert(start + duration);
                    *end = (*end).max(start + duration);
                }
            }
        }
        record.status = if task.success == Some(false) {
            Status::Error
        } else {
            Status::Ok
        };
        record.payload = self.payload(Some(at), None, Some(i as u32));
        record
    }

    fn payload(&self, first: Option<LineRef>, end: Option<LineRef>, task: Option<u32>) -> Payload {
        Payload::Event(Box::new(EventRef {
            file: self.file.clone(),
            first,
            end,
            task,
        }))
    }

    /// Put a span in its session: the named root's, its own (a top-level trace), its
    /// parent's, or, with the parent unknown, the file's orphans session until it comes.
    fn place(&mut self, record: SpanRecord, root: Option<Box<str>>, out: &mut Vec<Update>) {
        if !self.inferred_times {
            let seen = record.end_ns.or(record.start_ns).unwrap_or(Nanos::MIN);
            self.latest_ns = self.latest_ns.max(seen);
        }
        let session: Option<Box<str>> = match (&root, &record.parent) {
            (Some(root), _) => Some(format!("pml:{root}").into()),
            (None, None) => Some(format!("pml:{}", record.key).into()),
            (None, Some(parent)) => self.session_of.get(parent).cloned(),
        };
        let key = record.key.clone();
        match session {
            Some(session) => {
                if root.is_none() {
                    self.session_of.insert(key.clone(), session.clone());
                }
                if self.held_records.remove(&key).is_some() {
                    out.push(Update::RemoveSpan {
                        session: self.orphans.clone(),
                        key: key.clone(),
                    });
                }
                self.announce(&session, root.as_deref().unwrap_or(&key), out);
                out.push(Update::Span {
                    session,
                    span: record,
                });
                // Children that were waiting for this span can now join its session.
                if let Some(children) = self.held.remove(&key) {
                    for child in children {
                        if let Some(rec) = self.held_records.get(&child).cloned() {
                            self.place(rec, None, out);
                        }
                    }
                }
            }
            None => {
                let parent = record.parent.clone().unwrap_or_default();
                if self
                    .held_records
                    .insert(key.clone(), record.clone())
                    .is_none()
                {
                    self.held.entry(parent).or_default().push(key);
                }
                let orphans = self.orphans.clone();
                let label = format!("orphans in {}", self.name());
                self.announce(&orphans, &label, out);
                out.push(Update::Span {
                    session: orphans,
                    span: record,
                });
            }
        }
    }

    fn announce(&mut self, session: &str, id: &str, out: &mut Vec<Update>) {
        if self.announced.contains(session) {
            return;
        }
        self.announced.insert(session.into());
        self.sessions.insert(session.into());
        out.push(Update::Session(SessionRecord {
            key: session.into(),
            id: id.into(),
            source: Source::Pml,
            path: self.file.to_path_buf(),
            start_ns: None,
            note: self.note.clone(),
        }));
    }

    /// Spans still open: their status depends on how recently the file changed.
    pub fn recheck(&mut self, ctx: Context, out: &mut Vec<Update>) {
        let open: Vec<Box<str>> = self
            .pairs
            .iter()
            .filter(|(_, p)| !p.has_end)
            .map(|(k, _)| k.clone())
            .collect();
        for key in open {
            self.emit_pair(&key, ctx, out);
        }
    }

    pub fn has_open(&self) -> bool {
        self.pairs.values().any(|p| !p.has_end)
    }

    /// A problem with the file as a whole (kept with the line problems, first).
    pub fn file_problem(&mut self, message: String) {
        self.problems
            .insert(0, Problem::new(self.file.display().to_string(), message));
        self.problems_changed = true;
    }

    pub fn clear_file_problem(&mut self) {
        self.clear_problem(0);
    }

    fn problem(&mut self, line: u64, message: String) {
        if self.problems.len() >= MAX_PROBLEMS && !self.problems.contains_key(&line) {
            self.dropped_problems += 1;
        } else {
            self.problems.insert(
                line,
                Problem::new(format!("{}:{line}", self.name()), message),
            );
        }
        self.problems_changed = true;
    }

    fn clear_problem(&mut self, line: u64) {
        if self.problems.remove(&line).is_some() {
            self.problems_changed = true;
        }
    }

    /// The file's problems, if they changed since the last call.
    pub fn take_problems(&mut self) -> Option<Vec<Problem>> {
        if !std::mem::take(&mut self.problems_changed) {
            return None;
        }
        let mut list: Vec<Problem> = self.problems.values().cloned().collect();
        if self.dropped_problems > 0 {
            list.push(Problem::new(
                self.name(),
                format!("{} more problems not listed", self.dropped_problems),
            ));
        }
        Some(list)
    }
}

/// The display name of an event: its tool (`server:name`) or its capability.
fn label(e: &RawEvent<'_>) -> Option<String> {
    e.tool
        .as_ref()
        .map(|t| t.0.to_string())
        .or_else(|| e.tool_id.as_deref().map(str::to_string))
        .or_else(|| e.capability.as_deref().map(str::to_string))
        .or_else(|| e.capability_id.as_deref().map(str::to_string))
}

fn failed(e: &RawEvent<'_>) -> bool {
    e.success == Some(false)
        || e.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("error") || s.eq_ignore_ascii_case("failed"))
}

fn ms_ns(ms: f64) -> Nanos {
    (ms * NS_PER_MS as f64).round() as Nanos
}
