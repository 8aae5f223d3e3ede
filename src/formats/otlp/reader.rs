//! OTLP/JSON event files, line by line: each batch's spans become spans of their trace's
//! session, remembered by their place in the line (bodies are read back when shown).

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
        match read_batch(bytes, &place) {
            Ok((spans, errors)) => {
                if let Some(e) = errors.first() {
                    let more = match errors.len() {
                        1 => String::new(),
                        n => format!(" (and {} more spans)", n - 1),
                    };
                    self.problems.line(at.number(), format!("{e}{more}"));
                }
                for span in spans {
                    emit(span, &self.file, &mut self.sessions, out);
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

/// The spans of one OTLP/JSON batch, and why any could not be read (the rest still are).
pub fn read_batch(
    bytes: &[u8],
    place: &dyn Fn(&RawValue) -> SpanSource,
) -> Result<(Vec<BatchSpan>, Vec<String>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let batch: Batch = serde_json::from_str(text).map_err(crate::formats::json::describe)?;
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
    Ok((spans, errors))
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
    });
    out.push(Update::Span {
        session: key,
        span: record,
    });
}
