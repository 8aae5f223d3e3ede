//! One event file (JSON Lines, JSON document or SSE capture) being read into spans: tailed
//! as it grows, read again from the top when it is truncated or replaced.

use super::tail::{Line, Tail};
use crate::formats::pml::PmlReader;
use crate::formats::pml::sse::SseParser;
use crate::formats::reader::{Context, ValueReader};
use crate::formats::sniff::{Format, Layout};
use crate::fsread;
use crate::model::time::{Nanos, system_time_ns};
use crate::model::{LineRef, SessionKey, Update};
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Read at most this much of a file per call, so one huge file never holds up a batch.
pub const READ_BUDGET: u64 = 8 << 20;
/// JSON documents (not line by line) are read whole up to this size.
pub const DOCUMENT_LIMIT: u64 = 512 << 20;

#[derive(Debug)]
pub struct TraceFile {
    path: PathBuf,
    format: Format,
    layout: Layout,
    tail: Tail,
    reader: Box<dyn ValueReader>,
    sse: SseParser,
    /// For documents: the (size, mtime) last read.
    seen: Option<(u64, Nanos)>,
    mtime_ns: Nanos,
    settle_ns: Nanos,
    /// The last line is waiting for its newline and was not yet taken as it is.
    pending_since: Option<Nanos>,
    /// Sessions removed by the last reset.
    removed: Vec<SessionKey>,
}

/// What reading a JSON document found.
enum DocumentRead {
    Unchanged,
    /// The document and where its values are; `replaced` when it had been read before.
    Values {
        replaced: bool,
        bytes: Vec<u8>,
        places: Vec<LineRef>,
    },
}

/// What a read did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// More is waiting beyond the read budget.
    pub more: bool,
    /// The file was truncated or replaced and read again from the top; these sessions
    /// were removed with what it had read before.
    pub removed_sessions: Vec<SessionKey>,
}

impl TraceFile {
    pub fn new(path: PathBuf, format: Format, layout: Layout, settle_ns: Nanos) -> Self {
        let reader = new_reader(&path, format, layout);
        Self {
            tail: Tail::new(&path),
            path,
            format,
            layout,
            reader,
            sse: SseParser::default(),
            seen: None,
            mtime_ns: 0,
            settle_ns,
            pending_since: None,
            removed: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How much of the file has been read.
    pub fn bytes_read(&self) -> u64 {
        match self.layout {
            Layout::Document => self.seen.map_or(0, |(len, _)| len),
            Layout::Lines | Layout::Sse => self.tail.offset(),
        }
    }

    /// Sessions this file has put spans in.
    pub fn sessions(&self) -> impl Iterator<Item = &str> {
        self.reader.sessions().iter().map(|s| &**s)
    }

    fn origin(&self) -> Box<str> {
        self.path.display().to_string().into()
    }

    /// Read what is new. `finished` says no more writes are coming (a headless load), so
    /// a last line without its newline is taken as it is.
    pub fn read(&mut self, now_ns: Nanos, finished: bool, out: &mut Vec<Update>) -> Progress {
        let mut progress = Progress::default();
        match std::fs::metadata(&self.path) {
            Ok(meta) => self.mtime_ns = meta.modified().map(system_time_ns).unwrap_or(now_ns),
            Err(e) => {
                self.reader.problems().file(fsread::describe(&e));
                self.push_problems(out);
                return progress;
            }
        }
        let ctx = Context {
            now_ns,
            file_mtime_ns: self.mtime_ns,
        };
        match self.layout {
            Layout::Document => {
                if let DocumentRead::Values {
                    replaced,
                    bytes,
                    places,
                } = self.read_document(ctx, finished)
                {
                    if replaced {
                        self.reset(out);
                        progress.removed_sessions = std::mem::take(&mut self.removed);
                    }
                    self.reader.problems().clear_file();
                    for at in places {
                        let start = at.offset as usize;
                        let value = &bytes[start..start + at.len as usize];
                        self.reader.value(value, at, ctx, out);
                    }
                }
            }
            Layout::Lines | Layout::Sse => match self.tail.poll(READ_BUDGET) {
                Ok(chunk) => {
                    if chunk.reset {
                        self.reset(out);
                        progress.removed_sessions = std::mem::take(&mut self.removed);
                    }
                    progress.more = chunk.more;
                    for line in chunk.lines() {
                        self.line(&line, ctx, out);
                    }
                    // An SSE event not yet closed by a blank line is pending too.
                    let pending = !self.tail.pending().is_empty() || self.sse.is_open();
                    if !pending {
                        self.pending_since = None;
                    } else if self.pending_since.is_none() || !chunk.is_empty() {
                        self.pending_since = Some(self.mtime_ns);
                    }
                    if !progress.more && (finished || self.settled(now_ns)) {
                        self.take_pending(ctx, out);
                    }
                }
                Err(e) => self.reader.problems().file(fsread::describe(&e)),
            },
        }
        self.push_problems(out);
        progress
    }

    fn push_problems(&mut self, out: &mut Vec<Update>) {
        if let Some(problems) = self.reader.problems().take() {
            out.push(Update::Problems {
                session: None,
                origin: self.origin(),
                problems,
            });
        }
    }

    fn settled(&self, now_ns: Nanos) -> bool {
        self.pending_since
            .is_some_and(|since| now_ns - since >= self.settle_ns)
    }

    /// A last line that never got its newline is an event all the same, once the file is
    /// quiet. (If the line grows later it is read again, whole.)
    fn take_pending(&mut self, ctx: Context, out: &mut Vec<Update>) {
        let bytes = self.tail.pending().to_vec();
        if bytes.is_empty() && !self.sse.is_open() {
            return;
        }
        let at = LineRef::new(
            self.tail.lines_read() + 1,
            self.tail.offset() - bytes.len() as u64,
            bytes.len(),
        );
        match self.layout {
            Layout::Sse => {
                if !bytes.is_empty()
                    && let Some(event) = self.sse.line(&bytes, at.number(), at.offset)
                {
                    self.sse_event(event, ctx, out);
                }
                if let Some(event) = self.sse.finish() {
                    self.sse_event(event, ctx, out);
                }
            }
            _ => self.reader.value(&bytes, at, ctx, out),
        }
        self.pending_since = None;
    }

    fn line(&mut self, line: &Line<'_>, ctx: Context, out: &mut Vec<Update>) {
        let at = LineRef::new(line.number, line.offset, line.bytes.len());
        if let Some(full) = line.cut_from {
            self.reader.cut(at, full);
            return;
        }
        match self.layout {
            Layout::Sse => {
                if let Some(event) = self.sse.line(line.bytes, line.number, line.offset) {
                    self.sse_event(event, ctx, out);
                }
            }
            _ => {
                if line.bytes.iter().all(u8::is_ascii_whitespace) {
                    return;
                }
                self.reader.value(line.bytes, at, ctx, out);
            }
        }
    }

    fn sse_event(
        &mut self,
        event: crate::formats::pml::sse::SseEvent,
        ctx: Context,
        out: &mut Vec<Update>,
    ) {
        // The SSE event name is the type; PML's payloads do not repeat it.
        self.reader
            .value_as(&event.data, event.at, Some(&event.kind), ctx, out);
    }

    /// A JSON document: an array of events or traces, or a single one. Read whole again
    /// whenever it changes; one that does not parse while still being written is retried,
    /// and reported only once it has been quiet for the settle time.
    fn read_document(&mut self, ctx: Context, finished: bool) -> DocumentRead {
        let prefix = match fsread::read_prefix(&self.path, DOCUMENT_LIMIT) {
            Ok(p) => p,
            Err(e) => {
                self.reader.problems().file(fsread::describe(&e));
                return DocumentRead::Unchanged;
            }
        };
        let fingerprint = (prefix.len, ctx.file_mtime_ns);
        if self.seen == Some(fingerprint) {
            return DocumentRead::Unchanged;
        }
        if prefix.truncated() {
            self.seen = Some(fingerprint);
            self.reader.problems().file(format!(
                "a JSON document of {} is too large to read (the limit is {}); write it as JSON Lines",
                fsread::human_size(prefix.len),
                fsread::human_size(DOCUMENT_LIMIT)
            ));
            return DocumentRead::Unchanged;
        }
        let bytes = prefix.bytes;
        let places = match document_places(&bytes) {
            Ok(places) => places,
            Err(e) => {
                if !finished && ctx.now_ns - ctx.file_mtime_ns < self.settle_ns {
                    // Probably still being written: look again once it is quiet.
                    self.pending_since = Some(ctx.file_mtime_ns);
                    return DocumentRead::Unchanged;
                }
                self.seen = Some(fingerprint);
                self.pending_since = None;
                self.reader
                    .problems()
                    .file(crate::formats::json::describe(e));
                return DocumentRead::Unchanged;
            }
        };
        self.pending_since = None;
        let replaced = self.seen.is_some();
        self.seen = Some(fingerprint);
        DocumentRead::Values {
            replaced,
            bytes,
            places,
        }
    }

    /// Everything read from this file is void: remove its sessions and start over.
    fn reset(&mut self, out: &mut Vec<Update>) {
        for session in self.reader.sessions() {
            out.push(Update::RemoveSession {
                key: session.clone(),
            });
            self.removed.push(session.clone());
        }
        self.reader = new_reader(&self.path, self.format, self.layout);
        self.sse = SseParser::default();
        self.pending_since = None;
    }

    /// The file went away: so do its sessions and problems.
    pub fn remove(&mut self, out: &mut Vec<Update>) {
        self.reset(out);
        self.removed.clear();
        out.push(Update::Problems {
            session: None,
            origin: self.origin(),
            problems: Vec::new(),
        });
    }

    /// Start over from the top at the next read (another file shared its sessions).
    pub fn restart(&mut self, out: &mut Vec<Update>) {
        self.reset(out);
        self.removed.clear();
        self.tail = Tail::new(&self.path);
        self.seen = None;
    }

    /// When this file must be looked at again without a change: a pending last line
    /// settling, or open spans turning from running to stopped.
    pub fn next_recheck(&self) -> Option<Nanos> {
        let pending = self.pending_since.map(|t| t + self.settle_ns);
        let ctx = Context {
            now_ns: 0,
            file_mtime_ns: self.mtime_ns,
        };
        pending
            .into_iter()
            .chain(self.reader.goes_stale_at(ctx))
            .min()
    }

    pub fn recheck(&mut self, now_ns: Nanos, out: &mut Vec<Update>) {
        let ctx = Context {
            now_ns,
            file_mtime_ns: self.mtime_ns,
        };
        if self.settled(now_ns) {
            match self.layout {
                // A document that did not parse: read it again, now that it is quiet.
                Layout::Document => {
                    self.read(now_ns, false, out);
                }
                _ => self.take_pending(ctx, out),
            }
        }
        if self.reader.has_open() {
            self.reader.recheck(ctx, out);
        }
        self.push_problems(out);
    }
}

/// Where the values of a JSON document are: each element of an array, or the document
/// itself when it is a single value. Numbered from 1, like lines.
pub fn document_places(bytes: &[u8]) -> Result<Vec<LineRef>, serde_json::Error> {
    let values = serde_json::from_slice::<Vec<&RawValue>>(bytes)
        .or_else(|_| serde_json::from_slice::<&RawValue>(bytes).map(|v| vec![v]))?;
    let base = bytes.as_ptr() as usize;
    Ok(values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let text = value.get();
            LineRef::new(
                i as u64 + 1,
                (text.as_ptr() as usize - base) as u64,
                text.len(),
            )
        })
        .collect())
}

fn new_reader(path: &Path, format: Format, layout: Layout) -> Box<dyn ValueReader> {
    let file = Arc::from(path);
    match (format, layout) {
        (Format::Pml, Layout::Sse) => Box::new(PmlReader::for_sse(file)),
        (Format::Pml, _) => Box::new(PmlReader::new(file)),
        (Format::Otlp, _) => Box::new(crate::formats::otlp::reader::OtlpReader::new(file)),
    }
}
