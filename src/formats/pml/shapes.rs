//! Shapes where one event is one finished span: the documented event (a tool call, a
//! capability invocation, an error) and PML's execution traces with their tasks.

use super::pairs::Event;
use super::raw::RawTask;
use super::reader::{PmlReader, failed, label, ms_ns};
use crate::model::time::Nanos;
use crate::model::{Fields, LineRef, SpanKind, SpanRecord, Status, Update};
use std::collections::BTreeMap;

impl PmlReader {
    /// The documented shape: one event is one finished span.
    pub(super) fn documented(&mut self, e: Event<'_, '_>, out: &mut Vec<Update>) {
        let raw = e.raw;
        let Some(id) = raw.id.as_ref() else {
            self.problem(e.at.number(), "event without an id".into());
            return;
        };
        let kind = match raw.kind.as_deref() {
            Some("capability_invoke") => SpanKind::Capability,
            Some("error") => SpanKind::Error,
            _ => SpanKind::ToolCall,
        };
        let name = match kind {
            SpanKind::Error => "error".to_string(),
            SpanKind::Capability => label(raw).unwrap_or_else(|| "capability".into()),
            _ => label(raw).unwrap_or_else(|| "tool".into()),
        };
        let mut record = SpanRecord::new(&*id.0, kind, name);
        let root = raw.root_id.as_ref().map(|r| Box::<str>::from(&*r.0));
        record.parent = raw.parent_id.as_ref().map(|p| {
            let p: Box<str> = p.0.as_ref().into();
            // Children may name the root id where the execution_start event has its own id.
            if self.executions.is_empty() {
                return p;
            }
            self.executions.get(&p).cloned().unwrap_or(p)
        });
        record.start_ns = raw.timestamp.map(|t| t.ns());
        // An error is an instant; a call without a duration has an unknown end, not a
        // zero one (a capability without one may hold seconds of tool calls).
        let duration_ms = match kind {
            SpanKind::Error => Some(raw.duration_ms.unwrap_or(0.0)),
            _ => raw.duration_ms,
        };
        record.end_ns = record
            .start_ns
            .zip(duration_ms)
            .map(|(s, ms)| s.saturating_add(ms_ns(ms)));
        record.status = if kind == SpanKind::Error || failed(raw) {
            Status::Error
        } else {
            Status::Ok
        };
        record.payload = self.payload(Some(e.at), None, None, e.fields);
        self.place(record, root, out);
    }

    /// A finished execution trace: its own span and one per task.
    pub(super) fn execution_trace(&mut self, e: Event<'_, '_>, out: &mut Vec<Update>) {
        let raw = e.raw;
        let Some(key) = raw
            .trace_id
            .as_ref()
            .or(raw.id.as_ref())
            .map(|i| Box::<str>::from(&*i.0))
        else {
            self.problem(e.at.number(), "execution trace without a traceId".into());
            return;
        };
        let parent: Option<Box<str>> = raw.parent_trace_id.as_ref().map(|p| (&*p.0).into());
        let kind = if parent.is_some() {
            SpanKind::Capability
        } else {
            SpanKind::Execution
        };
        let name = raw
            .capability_id
            .as_deref()
            .map_or_else(|| "execution".to_string(), str::to_string);
        let mut record = SpanRecord::new(key.clone(), kind, name);
        record.parent = parent;
        let duration = ms_ns(raw.duration_ms.unwrap_or(0.0));
        // `timestamp` is set when the trace finishes.
        record.end_ns = raw.timestamp.map(|t| t.ns());
        record.start_ns = record.end_ns.map(|end| end.saturating_sub(duration));
        record.status = if failed(raw) {
            Status::Error
        } else {
            Status::Ok
        };
        record.payload = self.payload(Some(e.at), None, None, e.fields);
        let trace_start = record.start_ns;
        self.place(record, None, out);
        let tasks = raw.task_results.as_deref().unwrap_or(&[]);
        let mut layer_end: BTreeMap<u32, Nanos> = BTreeMap::new();
        for (i, task) in tasks.iter().enumerate() {
            let record = self.task(&key, i, task, e.at, trace_start, &mut layer_end);
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
                record.start_ns = Some(t.ns().saturating_sub(duration));
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
                    // Layers chain: a sum of many durations, saturating.
                    let finish = start.saturating_add(duration);
                    record.start_ns = Some(start);
                    record.end_ns = Some(finish);
                    let end = layer_end.entry(layer).or_insert(finish);
                    *end = (*end).max(finish);
                }
            }
        }
        record.status = if task.success == Some(false) {
            Status::Error
        } else {
            Status::Ok
        };
        // A task's fields are inside the trace's line; the body reader finds them there.
        record.payload = self.payload(Some(at), None, Some(i as u32), Fields::default());
        record
    }
}
