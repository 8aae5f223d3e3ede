//! Log records kept for the spans they belong to (OTLP logs: GenAI events), by span key,
//! whether the span has arrived or not: a record that comes first waits here, and every
//! version of its span gets the records when it lands.

use super::Session;
use crate::model::payload::{Payload, SpanSource};
use crate::model::span::SpanRecord;
use std::path::Path;

impl Session {
    /// Give a span record the log records kept for its key.
    pub(super) fn with_logs(&self, mut record: SpanRecord) -> SpanRecord {
        if self.logs.is_empty() {
            return record;
        }
        if let (Payload::Span(span), Some(logs)) =
            (&mut record.payload, self.logs.get(&*record.key))
        {
            span.logs.clone_from(logs);
        }
        record
    }

    /// Keep a record for span `key`; returns whether anything changed (the same record read
    /// again is not news).
    pub(in crate::model) fn add_log(&mut self, key: Box<str>, record: SpanSource) -> bool {
        let list = self.logs.entry(key.clone()).or_default();
        if list.contains(&record) {
            return false;
        }
        list.push(record.clone());
        self.generation += 1;
        if let Some(id) = self.find(&key)
            && let Payload::Span(span) = &mut self.spans[id.index()].payload
        {
            span.logs.push(record);
            self.spans[id.index()].version = self.spans[id.index()].version.wrapping_add(1);
            self.touched_spans.push((id, true));
        }
        true
    }

    /// Forget the records read from `file`; returns whether any were kept.
    pub(in crate::model) fn remove_logs(&mut self, file: &Path) -> bool {
        let from = |s: &SpanSource| matches!(s, SpanSource::File { file: f, .. } if &**f == file);
        let keys: Vec<Box<str>> = self
            .logs
            .iter()
            .filter(|(_, list)| list.iter().any(from))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &keys {
            if let Some(list) = self.logs.get_mut(key) {
                list.retain(|s| !from(s));
                if list.is_empty() {
                    self.logs.remove(key);
                }
            }
            if let Some(id) = self.find(key)
                && let Payload::Span(span) = &mut self.spans[id.index()].payload
            {
                span.logs.retain(|s| !from(s));
                self.spans[id.index()].version = self.spans[id.index()].version.wrapping_add(1);
                self.touched_spans.push((id, true));
            }
        }
        if keys.is_empty() {
            return false;
        }
        self.generation += 1;
        true
    }
}
