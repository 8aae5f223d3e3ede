//! The receiver's recording: each accepted request appended as one OTLP/JSON line to a file
//! of our own (never a traced folder), so received spans keep their bodies on disk, are read
//! back when shown exactly as an opened file's are, and `tracetui FILE` reopens them later.
//! One file per run, a new segment past a size; private to the user (0700 folder, 0600
//! files), since traces carry prompts.

use crate::untrusted::private_files;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A segment is closed and the next begun once it holds this much: a file that size still
/// reopens quickly, and a folder of them is easy to prune by age.
pub const DEFAULT_SEGMENT: u64 = 256 << 20;

/// A line longer than this would not be read back (the tailer's limit).
pub const MAX_LINE: usize = crate::ingest::tail::MAX_LINE;

/// Where the recording goes when `--record` does not say: `$XDG_STATE_HOME/tracetui/received`,
/// else `~/.local/state/tracetui/received`; none when neither variable is set.
pub fn default_dir() -> Option<PathBuf> {
    let nonempty = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let state = match nonempty("XDG_STATE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(nonempty("HOME")?).join(".local/state"),
    };
    Some(state.join("tracetui").join("received"))
}

pub struct Recording {
    dir: PathBuf,
    /// `received-<UTC time>-<pid>`; segments after the first add `.2`, `.3`, ...
    stem: String,
    segment: u32,
    max_segment: u64,
    file: File,
    path: Arc<Path>,
    len: u64,
    lines: u64,
    /// The first file, locked while this run lasts, so that pruning by another tracetui
    /// (`retention.rs`) leaves it alone.
    _held: File,
}

/// Where an appended line went: its file, line number and first byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub file: Arc<Path>,
    pub line: u64,
    pub offset: u64,
}

impl Recording {
    /// Begin a recording in `dir` (made, private, if it is missing).
    pub fn create(dir: &Path, max_segment: u64) -> std::io::Result<Self> {
        private_files::create_dir_all(dir)?;
        let base = format!(
            "{RUN_PREFIX}{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
            std::process::id()
        );
        // Two receivers begun in one second by one process would share a name.
        let mut attempt = 1;
        let (stem, file, path) = loop {
            let stem = match attempt {
                1 => base.clone(),
                n => format!("{base}-{n}"),
            };
            match open_segment(dir, &stem, 1) {
                Ok((file, path)) => break (stem, file, path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let held = file.try_clone()?;
        // Best effort: a file system without locks only loses the protection from pruning.
        let _ = held.try_lock();
        Ok(Self {
            dir: dir.to_path_buf(),
            stem,
            segment: 1,
            max_segment: max_segment.max(1),
            file,
            path,
            len: 0,
            lines: 0,
            _held: held,
        })
    }

    /// The segment being written.
    pub fn path(&self) -> &Arc<Path> {
        &self.path
    }

    /// Append `json` (one OTLP/JSON request, which may span lines: JSON puts raw line breaks
    /// only between tokens, so they become spaces and every byte keeps its place) as a line.
    /// On an error nothing of it stays in the file.
    pub fn append(&mut self, json: &[u8]) -> std::io::Result<Placed> {
        if self.len > 0 && self.len + json.len() as u64 + 1 > self.max_segment {
            let (file, path) = open_segment(&self.dir, &self.stem, self.segment + 1)?;
            self.segment += 1;
            self.file = file;
            self.path = path;
            self.len = 0;
            self.lines = 0;
        }
        // One write, so a reader never sees a line without its newline for long; the file
        // is opened for appending, so the offset is always the end.
        let mut line = Vec::with_capacity(json.len() + 1);
        match memchr::memchr2(b'\n', b'\r', json) {
            None => line.extend_from_slice(json),
            Some(_) => line.extend(
                json.iter()
                    .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
            ),
        }
        line.push(b'\n');
        if let Err(e) = self.file.write_all(&line) {
            // Best effort: a half-written line would read back as a damaged batch.
            let _ = self.file.set_len(self.len);
            return Err(e);
        }
        let placed = Placed {
            file: Arc::clone(&self.path),
            line: self.lines + 1,
            offset: self.len,
        };
        self.len += json.len() as u64 + 1;
        self.lines += 1;
        Ok(placed)
    }

    /// Take back the line just appended (a batch the UI did not take: the client sends it
    /// again, and the recording must hold it once).
    pub fn take_back(&mut self, placed: &Placed) -> std::io::Result<()> {
        if !Arc::ptr_eq(&placed.file, &self.path) || placed.line != self.lines {
            return Ok(());
        }
        self.file.set_len(placed.offset)?;
        self.len = placed.offset;
        self.lines -= 1;
        Ok(())
    }
}

/// Every run's name begins so: `received-<UTC time>-<pid>`.
const RUN_PREFIX: &str = "received-";

/// A run's file number `segment` (from 1): `{stem}.jsonl`, then `{stem}.2.jsonl`, ...
pub(super) fn segment_name(stem: &str, segment: u32) -> String {
    match segment {
        1 => format!("{stem}.jsonl"),
        n => format!("{stem}.{n}.jsonl"),
    }
}

/// The run a file name belongs to, if it is one of ours.
pub(super) fn run_of(name: &str) -> Option<&str> {
    let rest = name.strip_suffix(".jsonl")?;
    let stem = rest.split_once('.').map_or(rest, |(stem, segment)| {
        if segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty() {
            stem
        } else {
            ""
        }
    });
    (stem.starts_with(RUN_PREFIX) && stem.len() > RUN_PREFIX.len()).then_some(stem)
}

fn open_segment(dir: &Path, stem: &str, segment: u32) -> std::io::Result<(File, Arc<Path>)> {
    let path = dir.join(segment_name(stem, segment));
    let file = private_files::create_new(&path, true)?;
    Ok((file, Arc::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).expect("the recording reads back")
    }

    #[test]
    fn lines_are_placed_where_they_land_and_line_breaks_become_spaces() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut rec = Recording::create(&dir.path().join("received"), DEFAULT_SEGMENT)
            .expect("a recording begins");
        let first = rec.append(br#"{"resourceSpans":[]}"#).expect("appended");
        let second = rec
            .append(b"{\"resourceSpans\":\r\n [ ]}")
            .expect("appended");
        assert_eq!((first.line, first.offset), (1, 0));
        assert_eq!((second.line, second.offset), (2, 21));
        let text = read(rec.path());
        assert_eq!(text, "{\"resourceSpans\":[]}\n{\"resourceSpans\":   [ ]}\n");
        assert_eq!(&text[21..], "{\"resourceSpans\":   [ ]}\n");
    }

    #[test]
    fn a_line_taken_back_is_gone_and_the_next_takes_its_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut rec = Recording::create(dir.path(), DEFAULT_SEGMENT).expect("begins");
        rec.append(b"{\"a\":1}").expect("appended");
        let refused = rec.append(b"{\"b\":2}").expect("appended");
        rec.take_back(&refused).expect("taken back");
        let again = rec.append(b"{\"c\":3}").expect("appended");
        assert_eq!(again, refused);
        assert_eq!(read(rec.path()), "{\"a\":1}\n{\"c\":3}\n");
    }

    #[test]
    fn past_the_segment_size_a_new_file_begins_and_old_places_stay_true() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut rec = Recording::create(dir.path(), 20).expect("begins");
        let a = rec.append(b"{\"first\":1}").expect("appended");
        let b = rec.append(b"{\"second\":2}").expect("appended");
        assert_ne!(a.file, b.file);
        assert_eq!((b.line, b.offset), (1, 0));
        assert!(b.file.to_string_lossy().ends_with(".2.jsonl"));
        assert_eq!(read(&a.file), "{\"first\":1}\n");
        assert_eq!(read(&b.file), "{\"second\":2}\n");
    }

    #[test]
    fn names_of_our_runs() {
        assert_eq!(
            run_of("received-20261129T055200Z-42.jsonl"),
            Some("received-20261129T055200Z-42")
        );
        assert_eq!(
            run_of("received-20261129T055200Z-42.2.jsonl"),
            Some("received-20261129T055200Z-42")
        );
        assert_eq!(run_of("received-x.notes.jsonl"), None);
        assert_eq!(run_of("received-.jsonl"), None);
        assert_eq!(run_of("received-a.jsonl.bak"), None);
        assert_eq!(run_of("traces.jsonl"), None);
    }

    #[test]
    fn recordings_begun_together_get_names_of_their_own() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = Recording::create(dir.path(), DEFAULT_SEGMENT).expect("begins");
        let b = Recording::create(dir.path(), DEFAULT_SEGMENT).expect("begins too");
        assert_ne!(a.path(), b.path());
    }

    #[test]
    fn the_folder_and_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("state/tracetui/received");
        let rec = Recording::create(&folder, DEFAULT_SEGMENT).expect("begins");
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(rec.path()), 0o600);
    }
}
