//! Tailing append-only files (JSONL events, OpenTelemetry file-exporter output): read from
//! the last offset, hold a partial last line until its newline arrives, and start again from
//! the top when the file is truncated, replaced (rotated) or rewritten in place.

use crate::untrusted::fsread;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Lines longer than this keep only their first bytes; the rest is skipped, not stored.
pub const MAX_LINE: usize = 16 << 20;

/// Bytes kept from the start of the file and from just before the read offset: a file
/// rewritten in place (`cp new.jsonl watched.jsonl`: same inode, as long or longer) is told
/// from one appended to by these no longer reading back the same.
const MARK: usize = 64;

#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    offset: u64,
    /// Bytes of a line whose newline has not arrived yet (at most `MAX_LINE`).
    partial: Vec<u8>,
    /// Bytes of the partial line beyond `MAX_LINE`, skipped.
    partial_skipped: u64,
    partial_start: u64,
    /// Which file this is (device, inode), to notice a replacement.
    identity: Option<(u64, u64)>,
    /// The file's first bytes read so far (up to `MARK`).
    head: Vec<u8>,
    /// The bytes just before `offset` (up to `MARK`).
    before: Vec<u8>,
    lines_read: u64,
}

/// Where one complete line is in a chunk's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    number: u64,
    offset: u64,
    range: std::ops::Range<usize>,
    cut_from: Option<u64>,
}

/// One line of a chunk, borrowed from its buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number in the file.
    pub number: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    /// The line without its newline (and `\r`); empty when it was cut.
    pub bytes: &'a [u8],
    /// The line's full length when it was longer than `MAX_LINE` (its bytes are not kept).
    pub cut_from: Option<u64>,
}

/// What one poll read: complete lines, kept in one buffer (no allocation per line).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chunk {
    /// The file was truncated or replaced: everything read from it before is void.
    pub reset: bool,
    /// More bytes are waiting beyond what this call read.
    pub more: bool,
    data: Vec<u8>,
    spans: Vec<Span>,
}

impl Chunk {
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        self.spans.iter().map(|s| Line {
            number: s.number,
            offset: s.offset,
            bytes: &self.data[s.range.clone()],
            cut_from: s.cut_from,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

impl Tail {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            offset: 0,
            partial: Vec::new(),
            partial_skipped: 0,
            partial_start: 0,
            identity: None,
            head: Vec::new(),
            before: Vec::new(),
            lines_read: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The file last read (device, inode).
    pub fn identity(&self) -> Option<(u64, u64)> {
        self.identity
    }

    /// Complete lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// Read what was appended since the last call, at most `budget` bytes.
    pub fn poll(&mut self, budget: u64) -> io::Result<Chunk> {
        let meta = fs::metadata(&self.path)?;
        if !meta.is_file() {
            // Replaced by a FIFO, a socket or a link to a device: never opened.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                fsread::not_regular(&meta),
            ));
        }
        let identity = (meta.dev(), meta.ino());
        let mut chunk = Chunk::default();
        if self.identity.is_some_and(|i| i != identity) || meta.len() < self.offset {
            self.restart();
            chunk.reset = true;
        }
        self.identity = Some(identity);
        if meta.len() == 0 && self.offset == 0 {
            return Ok(chunk);
        }
        // Two small reads tell an append from a rewrite in place; sizes and times cannot
        // (a rewrite may be as long, within the same clock tick).
        let mut file = fsread::open_regular(&self.path)?;
        if self.offset > 0 && !self.marks_hold(&file)? {
            self.restart();
            chunk.reset = true;
        }
        if meta.len() == self.offset {
            return Ok(chunk);
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let want = (meta.len() - self.offset).min(budget.max(1));
        // The pending partial line goes first, so a line split across reads is whole.
        let kept = self.partial.len();
        let mut data = std::mem::take(&mut self.partial);
        data.reserve(want as usize);
        (&mut file).take(want).read_to_end(&mut data)?;
        let start = self.offset;
        self.offset += (data.len() - kept) as u64;
        self.mark(&data[kept..]);
        chunk.more = self.offset < meta.len();
        self.split(data, kept, start, &mut chunk);
        Ok(chunk)
    }

    /// Whether the file still starts, and still reads up to the offset, as it did.
    fn marks_hold(&self, file: &fs::File) -> io::Result<bool> {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; MARK];
        let head = &mut buf[..self.head.len()];
        file.read_exact_at(head, 0)?;
        if *head != *self.head {
            return Ok(false);
        }
        let before = &mut buf[..self.before.len()];
        file.read_exact_at(before, self.offset - before.len() as u64)?;
        Ok(*before == *self.before)
    }

    /// Remember the first bytes and the last ones read (`new` was just read, ending at the
    /// offset).
    fn mark(&mut self, new: &[u8]) {
        let missing = MARK.saturating_sub(self.head.len());
        self.head.extend_from_slice(&new[..missing.min(new.len())]);
        if new.len() >= MARK {
            self.before.clear();
            self.before.extend_from_slice(&new[new.len() - MARK..]);
        } else {
            self.before.extend_from_slice(new);
            let extra = self.before.len().saturating_sub(MARK);
            self.before.drain(..extra);
        }
    }

    fn restart(&mut self) {
        self.offset = 0;
        self.partial.clear();
        self.partial_skipped = 0;
        self.partial_start = 0;
        self.lines_read = 0;
        self.head.clear();
        self.before.clear();
    }

    /// Find the complete lines in `data`, whose first `kept` bytes are the partial line
    /// of the previous read and the rest was read from file offset `new_start`; keep what
    /// follows the last newline for the next read.
    fn split(&mut self, data: Vec<u8>, kept: usize, new_start: u64, chunk: &mut Chunk) {
        // A line that began in an earlier read (kept or skipped bytes) started at
        // `partial_start`; any other at its place in the new bytes.
        let continuing = kept > 0 || self.partial_skipped > 0;
        let offset_of = |line_start: usize, partial_start: u64| {
            if line_start == 0 && continuing {
                partial_start
            } else {
                new_start + (line_start - kept) as u64
            }
        };
        let mut line_start = 0;
        let mut at = kept;
        while let Some(nl) = memchr::memchr(b'\n', &data[at..]) {
            let end = at + nl;
            self.lines_read += 1;
            let offset = offset_of(line_start, self.partial_start);
            let skipped = if line_start == 0 {
                self.partial_skipped
            } else {
                0
            };
            let full = (end - line_start) as u64 + skipped;
            if full > MAX_LINE as u64 {
                chunk.spans.push(Span {
                    number: self.lines_read,
                    offset,
                    range: end..end,
                    cut_from: Some(full),
                });
            } else {
                let mut stop = end;
                if stop > line_start && data[stop - 1] == b'\r' {
                    stop -= 1;
                }
                chunk.spans.push(Span {
                    number: self.lines_read,
                    offset,
                    range: line_start..stop,
                    cut_from: None,
                });
            }
            if line_start == 0 {
                self.partial_skipped = 0;
            }
            at = end + 1;
            line_start = at;
        }
        // What follows the last newline waits for the rest of its line; past `MAX_LINE`
        // only its length is kept.
        self.partial_start = offset_of(line_start, self.partial_start);
        let rest = &data[line_start..];
        if self.partial_skipped > 0 || rest.len() > MAX_LINE {
            self.partial_skipped += rest.len() as u64;
            self.partial = Vec::new();
        } else {
            self.partial = rest.to_vec();
        }
        chunk.data = data;
    }

    /// The bytes of a last line still waiting for its newline.
    pub fn pending(&self) -> &[u8] {
        &self.partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("open");
        f.write_all(bytes).expect("write");
    }

    fn texts(chunk: &Chunk) -> Vec<(u64, String)> {
        chunk
            .lines()
            .map(|l| (l.number, String::from_utf8_lossy(l.bytes).into_owned()))
            .collect()
    }

    #[test]
    fn partial_lines_wait_for_their_newline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        append(&path, b"{\"a\":1}\n{\"b\":");
        let mut tail = Tail::new(&path);
        let c = tail.poll(u64::MAX).expect("poll");
        assert_eq!(texts(&c), vec![(1, "{\"a\":1}".into())]);
        assert_eq!(tail.pending(), b"{\"b\":");
        append(&path, b"2}\r\n");
        let c = tail.poll(u64::MAX).expect("poll");
        assert_eq!(texts(&c), vec![(2, "{\"b\":2}".into())]);
        assert_eq!(c.lines().next().map(|l| l.offset), Some(8));
        assert!(tail.poll(u64::MAX).expect("poll").is_empty());
    }

    #[test]
    fn truncation_and_replacement_restart_from_the_top() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        append(&path, b"one\ntwo\n");
        let mut tail = Tail::new(&path);
        assert_eq!(tail.poll(u64::MAX).expect("poll").lines().count(), 2);
        // Truncated and rewritten shorter.
        fs::write(&path, b"x\n").expect("truncate");
        let c = tail.poll(u64::MAX).expect("poll");
        assert!(c.reset);
        assert_eq!(texts(&c), vec![(1, "x".into())]);
        // Rotated: renamed away, a new file at the same path (longer than the offset).
        fs::rename(&path, dir.path().join("events-1.jsonl")).expect("rename");
        append(&path, b"fresh 1\nfresh 2\n");
        let c = tail.poll(u64::MAX).expect("poll");
        assert!(c.reset, "a new inode is a new file");
        assert_eq!(
            texts(&c),
            vec![(1, "fresh 1".into()), (2, "fresh 2".into())]
        );
    }

    #[test]
    fn a_rewrite_in_place_restarts_from_the_top() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        append(&path, b"{\"id\":\"old-1\"}\n{\"id\":\"old-2\"}\n");
        let mut tail = Tail::new(&path);
        assert_eq!(tail.poll(u64::MAX).expect("poll").lines().count(), 2);
        // Same inode, longer, different content (`cp new.jsonl events.jsonl`).
        let new = b"{\"id\":\"new-1\"}\n{\"id\":\"new-2\"}\n{\"id\":\"new-3\"}\n";
        fs::write(&path, new).expect("rewrite");
        let c = tail.poll(u64::MAX).expect("poll");
        assert!(c.reset, "read again from the top");
        assert_eq!(c.lines().count(), 3);
        // The same length, different bytes just before the offset.
        let same_len = b"{\"id\":\"new-1\"}\n{\"id\":\"new-2\"}\n{\"id\":\"NEW-3\"}\n";
        fs::write(&path, same_len).expect("rewrite");
        let c = tail.poll(u64::MAX).expect("poll");
        assert!(c.reset, "an equal size is no proof of an append");
        assert_eq!(texts(&c)[2].1, "{\"id\":\"NEW-3\"}");
        // A plain append is not a rewrite.
        append(&path, b"{\"id\":\"new-4\"}\n");
        let c = tail.poll(u64::MAX).expect("poll");
        assert!(!c.reset);
        assert_eq!(texts(&c), vec![(4, "{\"id\":\"new-4\"}".into())]);
    }

    #[test]
    fn a_budget_reads_in_pieces() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e.jsonl");
        append(&path, b"aaaa\nbbbb\ncccc\n");
        let mut tail = Tail::new(&path);
        let first = tail.poll(7).expect("poll");
        assert!(first.more);
        assert_eq!(texts(&first), vec![(1, "aaaa".into())]);
        let second = tail.poll(100).expect("poll");
        assert!(!second.more);
        assert_eq!(texts(&second), vec![(2, "bbbb".into()), (3, "cccc".into())]);
    }

    #[test]
    fn huge_lines_keep_a_bounded_prefix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.jsonl");
        let mut f = fs::File::create(&path).expect("create");
        let block = vec![b'x'; 1 << 20];
        for _ in 0..(MAX_LINE >> 20) + 3 {
            f.write_all(&block).expect("write");
        }
        f.write_all(b"\nsmall\n").expect("write");
        drop(f);
        let mut tail = Tail::new(&path);
        let mut lines: Vec<(u64, u64, Vec<u8>, Option<u64>)> = Vec::new();
        loop {
            let c = tail.poll(4 << 20).expect("poll");
            lines.extend(
                c.lines()
                    .map(|l| (l.number, l.offset, l.bytes.to_vec(), l.cut_from)),
            );
            if !c.more {
                break;
            }
        }
        assert_eq!(lines.len(), 2);
        assert!(lines[0].2.is_empty(), "a cut line keeps no bytes");
        assert_eq!(lines[0].3, Some(((MAX_LINE >> 20) as u64 + 3) << 20));
        assert_eq!(lines[0].1, 0);
        assert_eq!((lines[1].0, lines[1].2.as_slice()), (2, &b"small"[..]));
        assert_eq!(lines[1].1, ((MAX_LINE >> 20) as u64 + 3) * (1 << 20) + 1);
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_panic() {
        let mut tail = Tail::new("/nonexistent/x.jsonl");
        assert!(tail.poll(10).is_err());
    }
}
