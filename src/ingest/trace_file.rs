//! One event file (JSON Lines, JSON document or SSE capture) being read into spans: tailed
//! as it grows, read again from the top when it is truncated or replaced.

use super::settle::{Clock, Seen, changed_at};
use super::tail::{Line, Tail};
use crate::formats::pml::PmlReader;
use crate::formats::pml::sse::SseParser;
use crate::formats::reader::{Context, ValueReader};
use crate::formats::sniff::{Format, Layout};
use crate::model::time::{Nanos, system_time_ns};
use crate::model::{LineRef, SessionKey, Update};
use crate::untrusted::fsread;
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
    read_as: Option<(u64, Nanos)>,
    /// The file's (size, mtime) as last seen, and since when it looks like that.
    seen: Option<Seen<(u64, Nanos)>>,
    /// When the file last changed (`settle::changed_at`).
    changed_ns: Nanos,
    /// Something waits for the file to settle: a last line without its newline (or an SSE
    /// event not closed yet) not taken as it is, or a document that does not parse.
    waiting: bool,
    /// A last line taken as it was, before its newline came: (offset, length). When it
    /// comes back whole and the same, it is not read twice (start and end events would
    /// pair twice).
    taken: Option<(u64, usize)>,
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
    pub fn new(path: PathBuf, format: Format, layout: Layout) -> Self {
        let reader = new_reader(&path, format, layout);
        Self {
            tail: Tail::new(&path),
            path,
            format,
            layout,
            reader,
            sse: SseParser::default(),
            read_as: None,
            seen: None,
            changed_ns: 0,
            waiting: false,
            taken: None,
            removed: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// How much of the file has been read.
    pub fn bytes_read(&self) -> u64 {
        match self.layout {
            Layout::Document => self.read_as.map_or(0, |(len, _)| len),
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

    /// Read what is new. With `clock.finished` (a headless load) a last line without its
    /// newline is taken as it is.
    pub fn read(&mut self, clock: Clock, out: &mut Vec<Update>) -> Progress {
        let mut progress = Progress::default();
        let changed = match std::fs::metadata(&self.path) {
            Ok(meta) => {
                let mtime = meta.modified().map(system_time_ns).unwrap_or(clock.now_ns);
                let changed = Seen::update(&mut self.seen, (meta.len(), mtime), clock.now_ns);
                let since = self.seen.as_ref().map_or(clock.now_ns, |s| s.since_ns);
                self.changed_ns = changed_at(mtime, since);
                changed
            }
            Err(e) => {
                self.reader.problems().file(fsread::describe(&e));
                self.push_problems(out);
                return progress;
            }
        };
        let ctx = self.context(clock.now_ns);
        match self.layout {
            Layout::Document => {
                if let DocumentRead::Values {
                    replaced,
                    bytes,
                    places,
                } = self.read_document(clock)
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
                    // An SSE event not yet closed by a blank line is pending too. It waits
                    // from the moment the file was seen as it is, until taken.
                    let pending = !self.tail.pending().is_empty() || self.sse.is_open();
                    self.waiting = pending && (self.waiting || changed || chunk.reset);
                    let settled = clock.finished || !clock.young(self.seen_since(clock));
                    if self.waiting && !progress.more && (settled || self.pending_is_whole()) {
                        self.take_pending(ctx, out);
                    }
                }
                Err(e) => self.reader.problems().file(fsread::describe(&e)),
            },
        }
        self.push_problems(out);
        progress
    }

    /// Whether `stat` shows a size, time or file other than the last read saw (for when no
    /// watcher reports writes reliably).
    pub fn looks_changed(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(&self.path) else {
            return self.seen.is_some();
        };
        let mtime = meta.modified().map(system_time_ns).unwrap_or(0);
        let inode_moved = self
            .tail_identity()
            .is_some_and(|i| i != (meta.dev(), meta.ino()));
        inode_moved
            || self
                .seen
                .as_ref()
                .is_none_or(|s| s.state != (meta.len(), mtime))
    }

    fn tail_identity(&self) -> Option<(u64, u64)> {
        match self.layout {
            Layout::Document => None,
            Layout::Lines | Layout::Sse => self.tail.identity(),
        }
    }

    fn context(&self, now_ns: Nanos) -> Context {
        Context {
            now_ns,
            file_changed_ns: self.changed_ns,
        }
    }

    fn seen_since(&self, clock: Clock) -> Nanos {
        self.seen.as_ref().map_or(clock.now_ns, |s| s.since_ns)
    }

    /// A last line without its newline that is a whole JSON object or array already: the
    /// newline is all that is missing, so it is taken at once. (Only a line ending in a
    /// closing bracket is parsed: a long line being written is not parsed over and over.)
    fn pending_is_whole(&self) -> bool {
        if self.layout != Layout::Lines {
            return false;
        }
        let bytes = self.tail.pending().trim_ascii_end();
        matches!(bytes.last(), Some(b'}' | b']'))
            && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
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
            _ => {
                self.reader.value(&bytes, at, ctx, out);
                let len = bytes.strip_suffix(b"\r").unwrap_or(&bytes).len();
                self.taken = Some((at.offset, len));
            }
        }
        self.waiting = false;
    }

    fn line(&mut self, line: &Line<'_>, ctx: Context, out: &mut Vec<Update>) {
        if self.taken.take() == Some((line.offset, line.bytes.len())) {
            // Taken before its newline came, and unchanged since.
            return;
        }
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
    /// and reported only once it has been seen unchanged for the settle time.
    fn read_document(&mut self, clock: Clock) -> DocumentRead {
        let prefix = match fsread::read_prefix(&self.path, DOCUMENT_LIMIT) {
            Ok(p) => p,
            Err(e) => {
                self.reader.problems().file(fsread::describe(&e));
                return DocumentRead::Unchanged;
            }
        };
        let fingerprint = (prefix.len, self.seen.as_ref().map_or(0, |s| s.state.1));
        if self.read_as == Some(fingerprint) {
            return DocumentRead::Unchanged;
        }
        if prefix.truncated() {
            self.read_as = Some(fingerprint);
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
                if clock.young(self.seen_since(clock)) {
                    // Probably still being written: look again once it is quiet.
                    self.waiting = true;
                    return DocumentRead::Unchanged;
                }
                self.read_as = Some(fingerprint);
                self.waiting = false;
                self.reader
                    .problems()
                    .file(crate::formats::json::describe(e));
                return DocumentRead::Unchanged;
            }
        };
        self.waiting = false;
        let replaced = self.read_as.is_some();
        self.read_as = Some(fingerprint);
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
        self.forget_logs(out);
        self.reader = new_reader(&self.path, self.format, self.layout);
        self.sse = SseParser::default();
        self.waiting = false;
        self.taken = None;
    }

    /// Log records are kept by the sessions of the spans they name, not by this file's
    /// sessions: they are forgotten by the file they came from.
    fn forget_logs(&self, out: &mut Vec<Update>) {
        if self.format == Format::Otlp {
            out.push(Update::RemoveLogs {
                file: std::sync::Arc::from(self.path.as_path()),
            });
        }
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

    /// The file was renamed (rotated away) and is followed under its new name. It is read
    /// again from the top there, so the spans it gave point at the new name; its sessions
    /// stay in the meantime (upserted, not removed and added again).
    pub fn moved_to(&mut self, path: PathBuf, out: &mut Vec<Update>) {
        out.push(Update::Problems {
            session: None,
            origin: self.origin(),
            problems: Vec::new(),
        });
        // Read again under the new name: records kept under the old one would show twice.
        self.forget_logs(out);
        self.reader = new_reader(&path, self.format, self.layout);
        self.tail = Tail::new(&path);
        self.path = path;
        self.sse = SseParser::default();
        self.read_as = None;
        self.seen = None;
        self.waiting = false;
        self.taken = None;
    }

    /// Which file this is (device, inode), as last read; `None` for documents, which are
    /// read whole whatever their name.
    pub fn identity(&self) -> Option<(u64, u64)> {
        self.tail_identity()
    }

    /// Start over from the top at the next read (another file shared its sessions).
    pub fn restart(&mut self, out: &mut Vec<Update>) {
        self.reset(out);
        self.removed.clear();
        self.tail = Tail::new(&self.path);
        self.read_as = None;
    }

    /// When this file must be looked at again without a change: something waiting to
    /// settle, or open spans turning from running to stopped.
    pub fn next_recheck(&self, settle_ns: Nanos) -> Option<Nanos> {
        let settles = self
            .seen
            .as_ref()
            .filter(|_| self.waiting)
            .map(|s| s.since_ns.saturating_add(settle_ns));
        settles
            .into_iter()
            .chain(self.reader.goes_stale_at(self.context(0)))
            .min()
    }

    /// Look again: read the file (what waits settles only if the file is seen unchanged),
    /// then let open spans go stale.
    pub fn recheck(&mut self, clock: Clock, out: &mut Vec<Update>) {
        if self.waiting {
            self.read(clock, out);
        }
        if self.reader.has_open() {
            self.reader.recheck(self.context(clock.now_ns), out);
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
