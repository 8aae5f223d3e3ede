//! Spans made of two events: sandbox `*_start` / `*_end` (paired by trace id, in either
//! order) and documented `execution_start` / `execution_end` (paired by root id). Until
//! the second half arrives a span is open: running while the program is active.

use super::raw::RawEvent;
use super::reader::{Context, PmlReader, failed, label, ms_ns};
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{EventRef, Fields, LineRef, Payload, SpanKind, SpanRecord, Status, Update};

/// One parsed event, where it is, and where its input, output and error lie in it.
#[derive(Clone, Copy)]
pub(super) struct Event<'e, 'a> {
    pub raw: &'e RawEvent<'a>,
    pub at: LineRef,
    pub fields: Fields,
}

/// A span made of two events, while it waits for the other one.
#[derive(Debug)]
pub(super) struct Pair {
    record: SpanRecord,
    root: Option<Box<str>>,
    has_start: bool,
    has_end: bool,
}

/// Which half an event is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Half {
    Start,
    End,
}

impl PmlReader {
    pub(super) fn execution_start(
        &mut self,
        e: Event<'_, '_>,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let raw = e.raw;
        let Some(key) = raw
            .id
            .as_ref()
            .or(raw.root_id.as_ref())
            .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(e.at.number(), "execution_start without an id".into());
            return;
        };
        let root: Box<str> = raw
            .root_id
            .as_ref()
            .map_or_else(|| key.clone(), |r| (&*r.0).into());
        if root != key {
            self.executions.insert(root.clone(), key.clone());
        }
        let name = label(raw).unwrap_or_else(|| "execution".into());
        let mut record = SpanRecord::new(key, SpanKind::Execution, name);
        record.start_ns = raw.timestamp.map(|t| t.ns());
        self.half(root.clone(), Some(root), record, e, Half::Start, ctx, out);
    }

    pub(super) fn execution_end(&mut self, e: Event<'_, '_>, ctx: Context, out: &mut Vec<Update>) {
        let raw = e.raw;
        let Some(root) = raw
            .root_id
            .as_ref()
            .or(raw.id.as_ref())
            .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(e.at.number(), "execution_end without a root id".into());
            return;
        };
        let key = self
            .executions
            .get(&root)
            .cloned()
            .unwrap_or_else(|| root.clone());
        let name = label(raw).unwrap_or_else(|| "execution".into());
        let mut record = SpanRecord::new(key, SpanKind::Execution, name);
        record.end_ns = raw.timestamp.map(|t| t.ns());
        record.status = if failed(raw) {
            Status::Error
        } else {
            Status::Ok
        };
        self.half(root.clone(), Some(root), record, e, Half::End, ctx, out);
    }

    /// `tool_start` / `capability_start` (and their SSE forms).
    pub(super) fn start(&mut self, e: Event<'_, '_>, ctx: Context, out: &mut Vec<Update>) {
        let Some(record) = self.sandbox_record(e, "start") else {
            return;
        };
        let mut record = record;
        record.start_ns = Some(self.time(e.raw));
        let key = record.key.clone();
        self.half(key, None, record, e, Half::Start, ctx, out);
    }

    pub(super) fn end(&mut self, e: Event<'_, '_>, ctx: Context, out: &mut Vec<Update>) {
        let Some(mut record) = self.sandbox_record(e, "end") else {
            return;
        };
        let raw = e.raw;
        let duration = raw.duration_ms.map(ms_ns);
        let stated = raw.ts.or(raw.timestamp).map(|t| t.ns());
        record.end_ns = match (stated, self.pairs.get(&record.key)) {
            (Some(t), _) => Some(t),
            // No clock in the event (SSE): the end follows from the start.
            (None, Some(pair)) => pair
                .record
                .start_ns
                .map(|s| s.saturating_add(duration.unwrap_or(0))),
            (None, None) => Some(self.time(raw).saturating_add(duration.unwrap_or(0))),
        };
        if stated.is_none()
            && let Some(end) = record.end_ns
        {
            self.clock_ms = self.clock_ms.max(end as f64 / NS_PER_MS as f64);
        }
        // Without its start, it began `duration` before it ended.
        record.start_ns = match (record.end_ns, duration) {
            (Some(end), Some(d)) => Some(end.saturating_sub(d)),
            _ => record.end_ns,
        };
        record.status = if failed(raw) {
            Status::Error
        } else {
            Status::Ok
        };
        let key = record.key.clone();
        self.half(key, None, record, e, Half::End, ctx, out);
    }

    fn sandbox_record(&mut self, e: Event<'_, '_>, which: &str) -> Option<SpanRecord> {
        let raw = e.raw;
        let Some(key) = raw.trace_id.as_ref().map(|i| Box::<str>::from(&*i.0)) else {
            self.problem(e.at.number(), format!("{which} event without a traceId"));
            return None;
        };
        let kind = if raw
            .kind
            .as_deref()
            .is_some_and(|k| k.starts_with("capability"))
        {
            SpanKind::Capability
        } else {
            SpanKind::ToolCall
        };
        let mut record = SpanRecord::new(key, kind, label(raw).unwrap_or_else(|| "?".into()));
        record.parent = raw.parent_trace_id.as_ref().map(|p| (&*p.0).into());
        Some(record)
    }

    /// An event's own time, or the inferred clock when it has none.
    fn time(&mut self, e: &RawEvent<'_>) -> Nanos {
        match e.ts.or(e.timestamp) {
            Some(t) => t.ns(),
            None => {
                self.inferred_times = true;
                crate::model::time::clamp_time((self.clock_ms * NS_PER_MS as f64) as Nanos)
            }
        }
    }

    /// Merge one half into its pair and emit the span as it now stands.
    #[allow(clippy::too_many_arguments)]
    fn half(
        &mut self,
        key: Box<str>,
        root: Option<Box<str>>,
        record: SpanRecord,
        e: Event<'_, '_>,
        half: Half,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        let file = self.file.clone();
        let pair = self.pairs.entry(key.clone()).or_insert_with(|| Pair {
            record: SpanRecord::new(record.key.clone(), record.kind, ""),
            root,
            has_start: false,
            has_end: false,
        });
        let merged = &mut pair.record;
        let (mut first, mut end, mut fields) = match &merged.payload {
            Payload::Event(r) => (r.first, r.end, r.fields),
            _ => (None, None, Fields::default()),
        };
        if merged.name.is_empty() || &*merged.name == "?" || half == Half::Start {
            merged.name = record.name;
        }
        merged.key = record.key;
        merged.kind = record.kind;
        match half {
            // The start gives the first line, the start time and the input.
            Half::Start => {
                pair.has_start = true;
                merged.parent = record.parent.or(merged.parent.take());
                merged.start_ns = record.start_ns;
                first = Some(e.at);
                fields.input = e.fields.input;
                fields.located = e.fields.located && (end.is_none() || fields.located);
            }
            // The end gives the end line, the end, the status, the output and the error.
            Half::End => {
                pair.has_end = true;
                merged.parent = merged.parent.take().or(record.parent);
                merged.end_ns = record.end_ns;
                merged.status = record.status;
                if !pair.has_start || merged.start_ns.is_none() {
                    merged.start_ns = record.start_ns;
                }
                end = Some(e.at);
                fields.output = e.fields.output;
                fields.error = e.fields.error;
                fields.located = e.fields.located && (first.is_none() || fields.located);
            }
        }
        merged.payload = Payload::Event(EventRef {
            file,
            first,
            end,
            task: None,
            fields,
        });
        self.emit_pair(&key, ctx, out);
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

    /// Spans still open: their status depends on how recently the program was active.
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
}
