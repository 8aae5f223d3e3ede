//! Tailing append-only files (JSONL events, OpenTelemetry file-exporter output): read from
//! the last offset, hold a partial last line until its newline arrives, and start again from
//! the top when the file is truncated or replaced (rotated).

use crate::fsread;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Lines longer than this keep only their first bytes; the rest is skipped, not stored.
pub const MAX_LINE: usize = 16 << 20;

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
    lines_read: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    /// The line without its newline (and `\r`), cut to `MAX_LINE` bytes.
    pub bytes: Vec<u8>,
    /// The line's full length when it was cut.
    pub cut_from: Option<u64>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chunk {
    /// The file was truncated or replaced: everything read from it before is void.
    pub reset: bool,
    pub lines: Vec<Line>,
    /// More bytes are waiting beyond what this call read.
    pub more: bool,
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
            lines_read: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Complete lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// Read what was appended since the last call, at most `budget` bytes.
    pub fn poll(&mut self, budget: u64) -> io::Result<Chunk> {
        let meta = fs::metadata(&self.path)?;
        let identity = (meta.dev(), meta.ino());
        let mut chunk = Chunk::default();
        if self.identity.is_some_and(|i| i != identity) || meta.len() < self.offset {
            self.restart();
            chunk.reset = true;
        }
        self.identity = Some(identity);
        if meta.len() == self.offset {
            return Ok(chunk);
        }
        let mut file = fsread::open_regular(&self.path)?;
        file.seek(SeekFrom::Start(self.offset))?;
        let want = (meta.len() - self.offset).min(budget.max(1));
        let mut data = Vec::with_capacity(want as usize);
        file.take(want).read_to_end(&mut data)?;
        let start = self.offset;
        self.offset += data.len() as u64;
        chunk.more = self.offset < meta.len();
        self.split(&data, start, &mut chunk.lines);
        Ok(chunk)
    }

    fn restart(&mut self) {
        self.offset = 0;
        self.partial.clear();
        self.partial_skipped = 0;
        self.partial_start = 0;
        self.lines_read = 0;
    }

    fn split(&mut self, data: &[u8], data_start: u64, out: &mut Vec<Line>) {
        let mut at = 0;
        while at < data.len() {
            if self.partial.is_empty() && self.partial_skipped == 0 {
                self.partial_start = data_start + at as u64;
            }
            let rest = &data[at..];
            let (piece, complete) = match memchr(b'\n', rest) {
                Some(nl) => (&rest[..nl], true),
                None => (rest, false),
            };
            let room = MAX_LINE.saturating_sub(self.partial.len());
            let kept = piece.len().min(room);
            self.partial.extend_from_slice(&piece[..kept]);
            self.partial_skipped += (piece.len() - kept) as u64;
            at += piece.len() + usize::from(complete);
            if complete {
                self.lines_read += 1;
                let mut bytes = std::mem::take(&mut self.partial);
                let full = bytes.len() as u64 + self.partial_skipped;
                let cut_from = (self.partial_skipped > 0).then_some(full);
                if cut_from.is_none() && bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
                out.push(Line {
                    number: self.lines_read,
                    offset: self.partial_start,
                    bytes,
                    cut_from,
                });
                self.partial_skipped = 0;
            }
        }
    }

    /// The bytes of a last line still waiting for its newline.
    pub fn pending(&self) -> &[u8] {
        &self.partial
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
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
            .lines
            .iter()
            .map(|l| (l.number, String::from_utf8_lossy(&l.bytes).into_owned()))
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
        assert_eq!(c.lines[0].offset, 8);
        assert!(tail.poll(u64::MAX).expect("poll").lines.is_empty());
    }

    #[test]
    fn truncation_and_replacement_restart_from_the_top() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        append(&path, b"one\ntwo\n");
        let mut tail = Tail::new(&path);
        assert_eq!(tail.poll(u64::MAX).expect("poll").lines.len(), 2);
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
        let mut lines = Vec::new();
        loop {
            let c = tail.poll(4 << 20).expect("poll");
            lines.extend(c.lines);
            if !c.more {
                break;
            }
        }
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes.len(), MAX_LINE);
        assert_eq!(lines[0].cut_from, Some(((MAX_LINE >> 20) as u64 + 3) << 20));
        assert_eq!(lines[1].bytes, b"small");
        assert_eq!(lines[1].number, 2);
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_panic() {
        let mut tail = Tail::new("/nonexistent/x.jsonl");
        assert!(tail.poll(10).is_err());
    }
}
