//! Turning PML events into spans, line by line. This file holds the reader and what every
//! shape shares: parsing a value, placing a span in the session of its root execution
//! (children whose parent has not arrived wait in the file's orphans session), sessions
//! and problems. `pairs.rs` joins start and end events; `shapes.rs` reads one-event shapes.

use super::raw::RawEvent;
use crate::model::time::{NS_PER_MS, Nanos, clamp_time};
use crate::model::{
    EventRef, Field, Fields, LineRef, Payload, SessionKey, SessionRecord, Source, SpanRecord,
    Status, Update,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// A span with a start and no end counts as running while the traced program is active;
/// this long after its last event, it stopped without finishing.
pub const ACTIVE_WINDOW_NS: Nanos = 300 * 1_000_000_000;
use crate::formats::file_problems::FileProblems;
pub use crate::formats::reader::Context;
use crate::formats::reader::ValueReader;

#[derive(Debug)]
pub struct PmlReader {
    pub(super) file: Arc<Path>,
    orphans: SessionKey,
    announced: HashSet<SessionKey>,
    /// Spans made of two events, waiting for the other one.
    pub(super) pairs: HashMap<Box<str>, super::pairs::Pair>,
    /// Span key -> session key, for shapes that do not name the root on every event.
    session_of: HashMap<Box<str>, SessionKey>,
    /// The last root seen and its session key, and whether that session is announced.
    last_session: Option<(Box<str>, SessionKey)>,
    last_announced: bool,
    /// Parent key -> spans kept in the orphans session until that parent arrives.
    held: HashMap<Box<str>, Vec<Box<str>>>,
    held_records: HashMap<Box<str>, SpanRecord>,
    /// Documented shape: root id -> the key of its `execution_start` event, when they differ.
    pub(super) executions: HashMap<Box<str>, Box<str>>,
    problems: FileProblems,
    /// Every session this file has put spans in.
    pub sessions: HashSet<SessionKey>,
    /// SSE frames carry no timestamps: a clock inferred from durations (ms).
    pub(super) clock_ms: f64,
    pub inferred_times: bool,
    /// The newest time any event of this file stated.
    latest_ns: Nanos,
    /// Said of every session of this file (SSE: times are inferred).
    note: Option<Box<str>>,
}

impl PmlReader {
    pub fn new(file: Arc<Path>) -> Self {
        let orphans = format!("pml-orphans:{}", file.display()).into();
        Self {
            file: file.clone(),
            orphans,
            announced: HashSet::new(),
            pairs: HashMap::new(),
            session_of: HashMap::new(),
            last_session: None,
            last_announced: false,
            held: HashMap::new(),
            held_records: HashMap::new(),
            executions: HashMap::new(),
            problems: FileProblems::new(file.clone()),
            sessions: HashSet::new(),
            clock_ms: 0.0,
            inferred_times: false,
            latest_ns: Nanos::MIN,
            note: None,
        }
    }

    /// A reader for an SSE capture: its frames carry no timestamps.
    pub fn for_sse(file: Arc<Path>) -> Self {
        let mut reader = Self::new(file);
        reader.note = Some(
            "SSE frames carry no timestamps: times are inferred from durations, counted from 0"
                .into(),
        );
        reader
    }

    pub(super) fn name(&self) -> String {
        self.problems.name()
    }

    fn event(
        &mut self,
        e: &RawEvent<'_>,
        at: LineRef,
        fields: Fields,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let kind = e.kind.as_deref().unwrap_or("");
        let event = super::pairs::Event { raw: e, at, fields };
        match kind {
            "tool_start" | "capability_start" | "tool.start" | "capability.start" => {
                self.start(event, ctx, out)
            }
            "tool_end" | "capability_end" | "tool.end" | "capability.end" => {
                self.end(event, ctx, out)
            }
            "execution_start" => self.execution_start(event, ctx, out),
            "execution_end" => self.execution_end(event, ctx, out),
            "tool_call" | "capability_invoke" | "error" => self.documented(event, out),
            "" if e.task_results.is_some()
                || (e.trace_id.is_some() || e.id.is_some()) && e.duration_ms.is_some() =>
            {
                self.execution_trace(event, out)
            }
            _ if e.root_id.is_some() && e.id.is_some() => self.documented(event, out),
            // Stream housekeeping (heartbeat, system.startup, ...).
            "heartbeat" | "system.startup" | "connected" => {}
            _ if kind.contains('.') => {}
            _ => self.problem(
                at.number(),
                "not a PML event (no known type, trace id or root id)".into(),
            ),
        }
    }

    pub(super) fn payload(
        &self,
        first: Option<LineRef>,
        end: Option<LineRef>,
        task: Option<u32>,
        fields: Fields,
    ) -> Payload {
        Payload::Event(EventRef {
            file: self.file.clone(),
            first,
            end,
            task: task.and_then(|t| std::num::NonZeroU32::new(t.saturating_add(1))),
            fields,
        })
    }

    /// When the traced program last did something: the newest event time, or (for files
    /// without clocks) when the file changed. A file copied or checked out today holding
    /// last year's events is not "active"; events stamped ahead of our clock (the writer's
    /// runs fast) are no later than the file's change tracetui saw.
    fn last_activity(&self, ctx: Context) -> Nanos {
        if self.inferred_times || self.latest_ns == Nanos::MIN {
            ctx.file_changed_ns
        } else {
            self.latest_ns.min(ctx.file_changed_ns)
        }
    }

    /// A span with a start and no end: running while the program is active, else stopped.
    pub(super) fn open_status(&self, ctx: Context) -> Status {
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

    /// Put a span in its session: the named root's, its own (a top-level trace), its
    /// parent's, or, with the parent unknown, the file's orphans session until it comes.
    pub(super) fn place(
        &mut self,
        record: SpanRecord,
        root: Option<Box<str>>,
        out: &mut Vec<Update>,
    ) {
        // Children that were waiting for a span are placed after it from this work list, not
        // by recursion: a file whose chain of thousands of spans arrives children first
        // (out of order, as PML allows) overflowed the stack when its top-most span came.
        // The list starts empty (no allocation): most spans release no waiting children.
        let mut work = Vec::new();
        self.place_one(record, root, out, &mut work);
        while let Some((record, root)) = work.pop() {
            self.place_one(record, root, out, &mut work);
        }
    }

    fn place_one(
        &mut self,
        record: SpanRecord,
        root: Option<Box<str>>,
        out: &mut Vec<Update>,
        work: &mut Vec<(SpanRecord, Option<Box<str>>)>,
    ) {
        // Times computed from a trace's (a start plus a duration) may leave the range
        // parsing keeps them in; back inside, differences of them fit in a `Nanos`.
        let mut record = record;
        record.start_ns = record.start_ns.map(clamp_time);
        record.end_ns = record.end_ns.map(clamp_time);
        if !self.inferred_times {
            let seen = record.end_ns.or(record.start_ns).unwrap_or(Nanos::MIN);
            self.latest_ns = self.latest_ns.max(seen);
        }
        let session: Option<SessionKey> = match (&root, &record.parent) {
            (Some(root), _) => Some(self.session_key(root)),
            (None, None) => Some(self.session_key(&record.key)),
            (None, Some(parent)) => self.session_of.get(parent).cloned(),
        };
        let key = record.key.clone();
        match session {
            Some(session) => {
                if root.is_none() {
                    self.session_of.insert(key.clone(), session.clone());
                }
                if !self.held_records.is_empty() && self.held_records.remove(&key).is_some() {
                    out.push(Update::RemoveSpan {
                        session: self.orphans.clone(),
                        key: key.clone(),
                    });
                    if self.held_records.is_empty() {
                        // Every orphan found its parent: no empty "orphans" session stays.
                        out.push(Update::RemoveSession {
                            key: self.orphans.clone(),
                        });
                        self.announced.remove(&self.orphans);
                        self.sessions.remove(&self.orphans);
                        self.last_announced = false;
                    }
                }
                self.announce(&session, root.as_deref().unwrap_or(&key), out);
                out.push(Update::Span {
                    session,
                    span: record,
                });
                // Children that were waiting for this span can now join its session.
                let waiting = if self.held.is_empty() {
                    None
                } else {
                    self.held.remove(&key)
                };
                if let Some(children) = waiting {
                    // Reversed onto the stack, so they are placed in arrival order, each
                    // one's own waiting children right after it (as the recursion did).
                    for child in children.iter().rev() {
                        if let Some(rec) = self.held_records.get(child).cloned() {
                            work.push((rec, None));
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

    /// `pml:<root>`, built once per root: consecutive events mostly share one.
    fn session_key(&mut self, root: &str) -> SessionKey {
        match &self.last_session {
            Some((r, key)) if **r == *root => key.clone(),
            _ => {
                let key: SessionKey = format!("pml:{root}").into();
                self.last_session = Some((root.into(), key.clone()));
                self.last_announced = false;
                key
            }
        }
    }

    fn announce(&mut self, session: &SessionKey, id: &str, out: &mut Vec<Update>) {
        // The session of the previous span, mostly: no need to hash its key again.
        let same = self
            .last_session
            .as_ref()
            .is_some_and(|(_, key)| Arc::ptr_eq(key, session));
        if same && self.last_announced {
            return;
        }
        self.last_announced = same;
        if self.announced.contains(session) {
            return;
        }
        self.announced.insert(session.clone());
        self.sessions.insert(session.clone());
        out.push(Update::Session(SessionRecord {
            key: session.clone(),
            id: id.into(),
            source: Source::Pml,
            path: self.file.to_path_buf(),
            start_ns: None,
            note: self.note.clone(),
        }));
    }

    pub(super) fn problem(&mut self, line: u64, message: String) {
        self.problems.line(line, message);
    }
}

impl ValueReader for PmlReader {
    /// One JSON value whose type may come from outside it (an SSE event's name). When
    /// `bytes` are exactly the file's bytes at `at`, where input, output and error lie is
    /// remembered, so `dump` can copy them without parsing again.
    fn value_as(
        &mut self,
        bytes: &[u8],
        at: LineRef,
        kind: Option<&str>,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        self.problems.clear(at.number());
        // Validated once here, so the parser need not check each string and raw value again.
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.problem(at.number(), "not UTF-8".into());
            return;
        };
        let mut event: RawEvent = match serde_json::from_str(text) {
            Ok(e) => e,
            Err(e) => {
                self.problem(at.number(), crate::formats::json::describe(e));
                return;
            }
        };
        if event.kind.is_none() {
            event.kind = kind.map(|k| Cow::Owned(k.to_string()));
        }
        // Payloads nested past what a JSON parser accepts are left out (and said so), or
        // they would break the detail view and every reader of `dump`.
        let mut too_deep = Vec::new();
        for (name, v) in [
            ("input", &mut event.input),
            ("output", &mut event.output),
            ("error", &mut event.error),
        ] {
            if v.is_some_and(|v| crate::formats::json::too_deep(v.get().as_bytes())) {
                *v = None;
                too_deep.push(name);
            }
        }
        if !too_deep.is_empty() {
            self.problem(
                at.number(),
                format!(
                    "{} nested deeper than {} levels; left out",
                    too_deep.join(" and "),
                    crate::formats::json::MAX_DEPTH
                ),
            );
        }
        let fields = if bytes.len() == at.len as usize {
            let locate = |v: Option<&serde_json::value::RawValue>| {
                v.and_then(|v| Field::within(bytes, v.get().as_bytes()))
            };
            Fields {
                input: locate(event.input),
                output: locate(event.output),
                error: locate(event.error),
                located: true,
            }
        } else {
            Fields::default()
        };
        self.event(&event, at, fields, ctx, out);
    }

    /// A value that was cut (longer than the line limit): keep it visible as a problem.
    fn cut(&mut self, at: LineRef, full: u64) {
        self.problem(
            at.number(),
            format!(
                "event of {} is too large to read; skipped",
                crate::untrusted::fsread::human_size(full)
            ),
        );
    }

    fn problems(&mut self) -> &mut FileProblems {
        &mut self.problems
    }

    fn sessions(&self) -> &HashSet<SessionKey> {
        &self.sessions
    }

    fn has_open(&self) -> bool {
        PmlReader::has_open(self)
    }

    fn goes_stale_at(&self, ctx: Context) -> Option<Nanos> {
        PmlReader::goes_stale_at(self, ctx)
    }

    fn recheck(&mut self, ctx: Context, out: &mut Vec<Update>) {
        PmlReader::recheck(self, ctx, out);
    }
}

/// The display name of an event: its tool (`server:name`) or its capability.
pub(super) fn label(e: &RawEvent<'_>) -> Option<String> {
    e.tool
        .as_ref()
        .map(|t| t.0.to_string())
        .or_else(|| e.tool_id.as_deref().map(str::to_string))
        .or_else(|| e.capability.as_deref().map(str::to_string))
        .or_else(|| e.capability_id.as_deref().map(str::to_string))
}

pub(super) fn failed(e: &RawEvent<'_>) -> bool {
    e.success == Some(false)
        || e.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("error") || s.eq_ignore_ascii_case("failed"))
}

/// A duration in milliseconds, kept within `TIME_LIMIT` like every time from a trace.
pub(super) fn ms_ns(ms: f64) -> Nanos {
    clamp_time((ms * NS_PER_MS as f64).round() as Nanos)
}
