//! What the receiver remembers across requests and connections: the sessions announced,
//! the counters for the status bar, and the memory policy; and the delivery of a decoded
//! batch to the sink. One lock holds it, taken only after a body is read and decoded. A
//! batch the sink does not take changes none of it but the count of refusals.

use super::http::Answer;
use super::recording::{self, Placed, Recording};
use super::request::{self, Decoded, Encoding};
use super::{Delivery, ReceiverOptions, ReceiverStatus, Sink};
use crate::formats::otlp::logs::{BatchLog, ReadLogs};
use crate::formats::otlp::reader::{BatchSpan, emit, emit_log, without_span};
use crate::model::{LineRef, Problem, SessionKey, SpanSource, Update};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct State {
    /// Where bodies go while it can be written; `None` keeps them in memory.
    recording: Option<Recording>,
    /// Why received bodies are not (or no longer) recorded, when that was not asked for.
    record_problem: Option<String>,
    /// Requests too long to be a recording's line, kept in memory instead.
    not_recorded: u64,
    max_memory: u64,
    /// How received sessions name their path.
    origin: PathBuf,
    sessions: HashSet<SessionKey>,
    status: ReceiverStatus,
    /// The memory limit was reached (and said so).
    over_memory: bool,
    /// Sequences of received strings that were not UTF-8, replaced.
    not_utf8: u64,
}

impl State {
    pub fn new(addr: SocketAddr, grpc_addr: Option<SocketAddr>, options: &ReceiverOptions) -> Self {
        let (recording, record_problem) = match &options.record {
            None => (None, None),
            Some(dir) => match Recording::create(dir, options.record_segment) {
                Ok(recording) => (Some(recording), None),
                Err(e) => (
                    None,
                    Some(format!(
                        "cannot record received spans in {}: {}; they are kept in memory instead",
                        dir.display(),
                        crate::untrusted::fsread::reason(&e)
                    )),
                ),
            },
        };
        Self {
            recording,
            record_problem,
            not_recorded: 0,
            max_memory: options.max_memory,
            origin: PathBuf::from(format!("http://{addr}/v1/traces")),
            status: ReceiverStatus {
                addr: addr.to_string(),
                grpc_addr: grpc_addr.map(|a| a.to_string()),
                ..ReceiverStatus::default()
            },
            sessions: HashSet::new(),
            over_memory: false,
            not_utf8: 0,
        }
    }

    pub fn recording_path(&self) -> Option<PathBuf> {
        self.recording.as_ref().map(|r| r.path().to_path_buf())
    }

    /// What there is to say before any request: a recording that could not begin.
    pub fn opening_problems(&self) -> Option<Update> {
        self.record_problem.as_ref()?;
        Some(self.problems_update())
    }

    /// Count a request that was refused before delivery.
    pub fn refused(&mut self, sink: &impl Sink) {
        self.status.requests += 1;
        self.status.refused += 1;
        sink.status(&self.status);
    }

    /// Count connections turned away at the connection cap: each would have been a request.
    pub fn turned_away(&mut self, n: u64, sink: &impl Sink) {
        self.status.requests += n;
        self.status.refused += n;
        sink.status(&self.status);
    }

    /// Hand a decoded batch to the sink; the answer, and whether the sink still listens.
    pub fn deliver(
        &mut self,
        encoding: Encoding,
        decoded: Decoded,
        sink: &impl Sink,
    ) -> (Answer, bool) {
        self.status.requests += 1;
        let Decoded {
            signal,
            text,
            in_text,
            mut spans,
            logs,
            mut errors,
            not_utf8,
        } = decoded;
        let ReadLogs {
            mut logs,
            errors: log_errors,
            without_span: unplaced,
        } = logs;
        errors.extend(log_errors);
        let count = spans.len() as u64;
        let undo = Undo {
            bodies_dropped: self.status.bodies_dropped,
            over_memory: self.over_memory,
            not_utf8: self.not_utf8,
            not_recorded: self.not_recorded,
        };
        let sources = spans
            .iter_mut()
            .map(|s| &mut s.source)
            .chain(logs.iter_mut().map(|l| &mut l.source));
        let (recorded, record_changed) = self.place(&text, &in_text, sources);
        let (updates, held, records) = self.updates(spans, logs, not_utf8, record_changed);
        let announced: Vec<SessionKey> = updates
            .iter()
            .filter_map(|u| match u {
                Update::Session(record) => Some(record.key.clone()),
                _ => None,
            })
            .collect();
        let delivery = sink.deliver(updates);
        if delivery != Delivery::Delivered {
            // Nothing of a batch not taken may stay: the retry must announce its sessions
            // and count its spans as if it were the first time.
            self.undo(undo, announced);
            if let (Some(recording), Some(placed)) = (&mut self.recording, &recorded) {
                // Failing that, the batch is recorded twice; reopened, the second copy
                // replaces the first.
                let _ = recording.take_back(placed);
            }
        }
        match delivery {
            Delivery::Delivered => {
                self.status.spans += count;
                self.status.log_records += records;
                self.status.rejected += errors.len() as u64;
                self.status.held_bytes += held;
                sink.status(&self.status);
                let warnings: Vec<String> = [
                    (not_utf8 > 0).then(|| request::not_utf8_warning(not_utf8)),
                    (unplaced > 0).then(|| without_span(unplaced)),
                ]
                .into_iter()
                .flatten()
                .collect();
                let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
                (request::success(encoding, signal, &errors, warning), true)
            }
            Delivery::Full => {
                // Nothing was kept: the client retries later, nothing is lost.
                self.status.refused += 1;
                sink.status(&self.status);
                let answer =
                    request::status_answer(503, encoding, "tracetui is behind; retry shortly")
                        .with_header("Retry-After", "1");
                (answer, true)
            }
            Delivery::Closed => (
                request::status_answer(503, encoding, "shutting down"),
                false,
            ),
        }
    }

    fn undo(&mut self, undo: Undo, announced: Vec<SessionKey>) {
        for key in announced {
            self.sessions.remove(&key);
        }
        self.status.bodies_dropped = undo.bodies_dropped;
        self.over_memory = undo.over_memory;
        self.not_utf8 = undo.not_utf8;
        self.not_recorded = undo.not_recorded;
    }

    /// Put the bodies placed in `text` where they will live: a line of the recording, or
    /// copies in memory when there is none, it cannot be written (then there is none from
    /// now on), or the request is too long to be one line. The line written, if one was,
    /// and whether what the receiver has to say about recording changed.
    fn place<'s>(
        &mut self,
        text: &[u8],
        in_text: &Arc<Path>,
        sources: impl Iterator<Item = &'s mut SpanSource>,
    ) -> (Option<Placed>, bool) {
        let mut sources = sources
            .filter(|s| matches!(s, SpanSource::File { file, .. } if Arc::ptr_eq(file, in_text)))
            .peekable();
        if sources.peek().is_none() {
            return (None, false);
        }
        let mut changed = false;
        let placed = match &mut self.recording {
            Some(_) if text.len() >= recording::MAX_LINE => {
                self.not_recorded += 1;
                changed = true;
                None
            }
            Some(recording) => match recording.append(text) {
                Ok(placed) => Some(placed),
                Err(e) => {
                    self.record_problem = Some(format!(
                        "cannot write the recording {}: {}; received spans are kept in memory from now on",
                        recording.path().display(),
                        crate::untrusted::fsread::reason(&e)
                    ));
                    self.recording = None;
                    changed = true;
                    None
                }
            },
            None => None,
        };
        for source in sources {
            let SpanSource::File { at, .. } = *source else {
                continue;
            };
            *source = match &placed {
                Some(p) => SpanSource::File {
                    file: Arc::clone(&p.file),
                    at: LineRef::new(p.line, p.offset + at.offset, at.len as usize),
                },
                None => {
                    let start = usize::try_from(at.offset).unwrap_or(usize::MAX);
                    let bytes = text
                        .get(start..start.saturating_add(at.len as usize))
                        .unwrap_or_default();
                    SpanSource::Memory(Arc::from(bytes))
                }
            };
        }
        (placed, changed)
    }

    /// The receiver's problems, as the update that replaces them.
    fn problems_update(&self) -> Update {
        Update::Problems {
            session: None,
            origin: self.origin.display().to_string().into(),
            problems: self.problems(),
        }
    }

    /// Updates for the spans and log records, applying the memory policy, and the receiver's
    /// problems when they change (`record_changed`: what it says of the recording did).
    /// Returns the bytes now held and the records kept.
    fn updates(
        &mut self,
        spans: Vec<BatchSpan>,
        logs: Vec<BatchLog>,
        not_utf8: u64,
        record_changed: bool,
    ) -> (Vec<Update>, u64, u64) {
        let mut out = Vec::new();
        let mut held = 0u64;
        let mut records = 0u64;
        let mut problems_changed = not_utf8 > 0 || record_changed;
        self.not_utf8 += not_utf8;
        for mut span in spans {
            if let SpanSource::Memory(bytes) = &span.source {
                let size = bytes.len() as u64;
                if self.status.held_bytes + held + size > self.max_memory {
                    span.source = SpanSource::Memory(skeleton(bytes));
                    self.status.bodies_dropped += 1;
                    problems_changed |= !self.over_memory;
                    self.over_memory = true;
                } else {
                    held += size;
                }
            }
            emit(span, &self.origin, &mut self.sessions, &mut out);
        }
        // A record is all body: past the limit there is nothing worth keeping of it.
        for log in logs {
            if let SpanSource::Memory(bytes) = &log.source {
                let size = bytes.len() as u64;
                if self.status.held_bytes + held + size > self.max_memory {
                    self.status.bodies_dropped += 1;
                    problems_changed |= !self.over_memory;
                    self.over_memory = true;
                    continue;
                }
                held += size;
            }
            emit_log(log, &mut out);
            records += 1;
        }
        if problems_changed {
            out.push(self.problems_update());
        }
        (out, held, records)
    }

    /// Everything the receiver has to say about what it received (one origin's problems
    /// are replaced as a whole).
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let at = self.origin.display().to_string();
        if let Some(why) = &self.record_problem {
            problems.push(Problem::new(at.clone(), why.clone()));
        }
        if self.not_recorded > 0 {
            problems.push(Problem::new(
                at.clone(),
                format!(
                    "{} requests were longer than a recording's line may be ({}); their spans are kept in memory and are not in the recording",
                    self.not_recorded,
                    crate::untrusted::fsread::human_size(recording::MAX_LINE as u64)
                ),
            ));
        }
        if self.over_memory {
            problems.push(Problem::new(
                at.clone(),
                format!(
                    "received spans passed the {} memory limit: later spans keep their name, times and status, not their attributes and events, and later log records are dropped (--listen-memory raises it)",
                    super::limit_text(self.max_memory)
                ),
            ));
        }
        if self.not_utf8 > 0 {
            problems.push(Problem::new(
                at,
                format!(
                    "received strings held bytes that are not UTF-8 ({} sequences so far); each is shown as U+FFFD",
                    self.not_utf8
                ),
            ));
        }
        problems
    }
}

/// What `updates` changes besides the sessions it announces, as it was before.
struct Undo {
    bodies_dropped: u64,
    over_memory: bool,
    not_utf8: u64,
    not_recorded: u64,
}

/// A span's JSON without its attributes and events: what is kept past the memory limit.
fn skeleton(bytes: &[u8]) -> Arc<[u8]> {
    let Ok(serde_json::Value::Object(mut obj)) = serde_json::from_slice(bytes) else {
        return Arc::from(&b"{}"[..]);
    };
    obj.remove("attributes");
    obj.remove("events");
    obj.remove("links");
    Arc::from(serde_json::to_vec(&obj).unwrap_or_default())
}
