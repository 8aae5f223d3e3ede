//! OTLP/JSON event files, line by line: each batch's spans become spans of their trace's
//! session, remembered by their place in the line (bodies are read back when shown); its log
//! records become places kept for the span they name (`Update::Log`).

use super::logs::{BatchLog, ReadLogs};
use super::{Batch, service_name};
use crate::formats::file_problems::FileProblems;
use crate::formats::otel::OtelSpan;
use crate::formats::reader::{Context, ValueReader};
use crate::model::{
    LineRef, SessionKey, SessionRecord, Source, SpanFormat, SpanRef, SpanSource, Update,
};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug)]
pub struct OtlpReader {
    file: Arc<Path>,
    problems: FileProblems,
    sessions: HashSet<SessionKey>,
}

impl OtlpReader {
    pub fn new(file: Arc<Path>) -> Self {
        Self {
            problems: FileProblems::new(file.clone()),
            file,
            sessions: HashSet::new(),
        }
    }
}

impl ValueReader for OtlpReader {
    fn value_as(
        &mut self,
        bytes: &[u8],
        at: LineRef,
        _kind: Option<&str>,
        _ctx: Context,
        out: &mut Vec<Update>,
    ) {
        self.problems.clear(at.number());
        let exact = bytes.len() == at.len as usize;
        let base = bytes.as_ptr() as usize;
        let file = self.file.clone();
        let place = |raw: &RawValue| {
            let text = raw.get();
            if exact {
                SpanSource::File {
                    file: file.clone(),
                    at: LineRef::new(
                        at.number(),
                        at.offset + (text.as_ptr() as usize - base) as u64,
                        text.len(),
                    ),
                }
            } else {
                SpanSource::Memory(Arc::from(text.as_bytes()))
            }
        };
        match read(bytes, &place) {
            Ok(read) => {
                let mut said = Vec::new();
                if let Some(e) = read.errors.first() {
                    said.push(match read.errors.len() {
                        1 => e.clone(),
                        n => format!("{e} (and {} more spans)", n - 1),
                    });
                }
                if let Some(e) = read.logs.errors.first() {
                    said.push(match read.logs.errors.len() {
                        1 => e.clone(),
                        n => format!("{e} (and {} more log records)", n - 1),
                    });
                }
                if read.logs.without_span > 0 {
                    said.push(without_span(read.logs.without_span));
                }
                if !said.is_empty() {
                    self.problems.line(at.number(), said.join("; "));
                }
                for span in read.spans {
                    emit(span, &self.file, &mut self.sessions, out);
                }
                for log in read.logs.logs {
                    emit_log(log, out);
                }
            }
            Err(e) => self.problems.line(at.number(), e),
        }
    }

    fn cut(&mut self, at: LineRef, full: u64) {
        self.problems.line(
            at.number(),
            format!(
                "batch of {} is too large to read; skipped",
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
}

/// A span read from a batch, with what its session needs.
pub struct BatchSpan {
    pub span: OtelSpan,
    pub service: Option<String>,
    pub source: SpanSource,
}

/// What one OTLP/JSON batch holds: spans, log records, and why any could not be read.
#[derive(Default)]
pub struct ReadBatch {
    pub spans: Vec<BatchSpan>,
    /// Why spans could not be read (the rest still are).
    pub errors: Vec<String>,
    pub logs: ReadLogs,
}

/// What is said of records that name no span: they are not shown anywhere.
pub fn without_span(n: usize) -> String {
    match n {
        1 => "a log record names no span; not shown".into(),
        n => format!("{n} log records name no span; not shown"),
    }
}

/// The spans of one OTLP/JSON batch, and why any could not be read (the rest still are).
pub fn read_batch(
    bytes: &[u8],
    place: &dyn Fn(&RawValue) -> SpanSource,
) -> Result<(Vec<BatchSpan>, Vec<String>), String> {
    read(bytes, place).map(|r| (r.spans, r.errors))
}

/// The spans and log records of one OTLP/JSON batch (traces or logs, or both).
pub fn read(bytes: &[u8], place: &dyn Fn(&RawValue) -> SpanSource) -> Result<ReadBatch, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let batch: Batch = serde_json::from_str(text).map_err(crate::formats::json::describe)?;
    let mut logs = ReadLogs::default();
    super::logs::read_records(super::logs::records(&batch.resource_logs), place, &mut logs);
    let mut spans = Vec::new();
    let mut errors = Vec::new();
    // Each resource's service, read once for all its spans; keyed by where the resource
    // lies in the batch (a map: a batch may hold a resource per span).
    let mut services: HashMap<usize, Option<String>> = HashMap::new();
    for (resource, raw) in batch.spans() {
        let service = resource.and_then(|r| {
            services
                .entry(r.get().as_ptr() as usize)
                .or_insert_with(|| service_name(r))
                .clone()
        });
        if crate::formats::json::too_deep(raw.get().as_bytes()) {
            errors.push(format!(
                "a span nested deeper than {} levels; skipped",
                crate::formats::json::MAX_DEPTH
            ));
            continue;
        }
        let parsed = super::span::parse_light(raw.get());
        match parsed {
            Ok(span) => spans.push(BatchSpan {
                span,
                service,
                source: place(raw),
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok(ReadBatch {
        spans,
        errors,
        logs,
    })
}

/// A log record kept for its span, in the session its trace is (announced by its spans).
pub fn emit_log(log: BatchLog, out: &mut Vec<Update>) {
    out.push(Update::Log {
        session: format!("otlp:{}", log.trace_id).into(),
        span: log.span_id.into(),
        record: log.source,
    });
}

/// Put a span in its trace's session, announcing the session the first time.
pub fn emit(
    span: BatchSpan,
    path: &Path,
    sessions: &mut HashSet<SessionKey>,
    out: &mut Vec<Update>,
) {
    let key: SessionKey = format!("otlp:{}", span.span.trace_id).into();
    if !sessions.contains(&key) {
        sessions.insert(key.clone());
        out.push(Update::Session(SessionRecord {
            key: key.clone(),
            id: span.span.trace_id.as_str().into(),
            source: Source::Otlp,
            path: path.to_path_buf(),
            start_ns: None,
            note: span.service.map(|s| format!("service: {s}").into()),
        }));
    }
    let record = span.span.record(SpanRef {
        format: SpanFormat::Otlp,
        source: span.source,
        usage: None,
        logs: Default::default(),
    });
    out.push(Update::Span {
        session: key,
        span: record,
    });
}
