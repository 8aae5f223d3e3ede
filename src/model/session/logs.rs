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
            span.logs.set(logs);
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

#[cfg(test)]
mod tests {
    use crate::model::payload::{LineRef, Payload, SpanFormat, SpanRef, SpanSource};
    use crate::model::span::{Source, SpanKind, SpanRecord};
    use crate::model::{SessionRecord, Store, Update};
    use std::path::Path;
    use std::sync::Arc;

    fn session() -> Update {
        Update::Session(SessionRecord {
            key: "otlp:t".into(),
            id: "t".into(),
            source: Source::Otlp,
            path: "traces.jsonl".into(),
            start_ns: None,
            note: None,
        })
    }

    fn span(version: u8) -> Update {
        let mut record = SpanRecord::new("s1", SpanKind::Llm, "chat");
        record.payload = Payload::Span(Box::new(SpanRef {
            format: SpanFormat::Otlp,
            source: SpanSource::Memory(Arc::from(&[version][..])),
            usage: None,
            logs: Default::default(),
        }));
        Update::Span {
            session: "otlp:t".into(),
            span: record,
        }
    }

    fn log(file: &str, line: u64) -> Update {
        Update::Log {
            session: "otlp:t".into(),
            span: "s1".into(),
            record: SpanSource::File {
                file: Arc::from(Path::new(file)),
                at: LineRef::new(line, 0, 1),
            },
        }
    }

    fn logs_of(store: &Store) -> Vec<u64> {
        let (_, session) = store.sessions().next().expect("session");
        let id = session.find("s1").expect("span");
        match &session.span(id).payload {
            Payload::Span(s) => s
                .logs
                .iter()
                .map(|l| match l {
                    SpanSource::File { at, .. } => at.number(),
                    SpanSource::Memory(_) => 0,
                })
                .collect(),
            _ => panic!("a span payload"),
        }
    }

    #[test]
    fn records_attach_in_any_order_and_survive_the_span_being_replaced() {
        // Before the session, before the span, after the span.
        let mut store = Store::new();
        assert!(
            !store.apply_all([log("logs.jsonl", 1)]),
            "nothing to show yet"
        );
        assert_eq!(
            store.session_ids().len(),
            0,
            "no empty session for a record"
        );
        store.apply_all([session(), log("logs.jsonl", 2), span(1)]);
        assert_eq!(logs_of(&store), [1, 2]);
        let before = store.generation;
        assert!(store.apply_all([log("logs.jsonl", 3)]), "a record is news");
        assert!(store.generation > before);
        assert!(
            !store.apply_all([log("logs.jsonl", 3)]),
            "read again, not news"
        );
        store.apply_all([span(2)]);
        assert_eq!(logs_of(&store), [1, 2, 3], "a new version keeps them");
        store.apply_all([log("other.jsonl", 9)]);
        assert!(store.apply_all([Update::RemoveLogs {
            file: Arc::from(Path::new("logs.jsonl")),
        }]));
        assert_eq!(
            logs_of(&store),
            [9],
            "only the file read again forgets its own"
        );
    }
}
