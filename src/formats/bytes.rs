//! Reading byte ranges of trace files back: one `pread` per range for the UI, whole files
//! kept for a headless pass over every span (`dump`, `stats`).

use crate::model::LineRef;
use crate::untrusted::fsread;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The most of one value that is ever read back (the tailer keeps no more either).
pub const MAX_VALUE: u64 = crate::ingest::tail::MAX_LINE as u64;

pub trait ByteSource {
    /// The bytes at `at` in `file`, or why they cannot be had.
    fn read(&mut self, file: &Path, at: LineRef) -> Result<Cow<'_, [u8]>, String>;
}

/// Reads each range with its own `pread` (files may change between reads: ranges that no
/// longer fit say so).
#[derive(Default)]
pub struct Pread;

impl ByteSource for Pread {
    fn read(&mut self, file: &Path, at: LineRef) -> Result<Cow<'_, [u8]>, String> {
        let f = fsread::open_regular(file).map_err(|e| fsread::describe(&e))?;
        let len = u64::from(at.len).min(MAX_VALUE) as usize;
        let mut buf = vec![0; len];
        let mut done = 0;
        while done < len {
            match f.read_at(&mut buf[done..], at.offset + done as u64) {
                Ok(0) => return Err("the file is shorter than when it was read".into()),
                Ok(n) => done += n,
                Err(e) => return Err(fsread::describe(&e)),
            }
        }
        Ok(Cow::Owned(buf))
    }
}

/// Keeps whole files in memory, for passes that visit every span of a file.
#[derive(Default)]
pub struct WholeFiles {
    files: HashMap<PathBuf, Result<Vec<u8>, String>>,
}

impl WholeFiles {
    /// `file`, read whole the first time it is asked for.
    fn whole(&mut self, file: &Path) -> &Result<Vec<u8>, String> {
        self.files.entry(file.to_path_buf()).or_insert_with(|| {
            let mut f = fsread::open_regular(file).map_err(|e| fsread::describe(&e))?;
            // Sized once: a large file read into a growing buffer is copied over and over.
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
            f.read_to_end(&mut buf).map_err(|e| fsread::describe(&e))?;
            Ok(buf)
        })
    }

    /// Read `file` now, so that `loaded` can serve it to several threads at once.
    pub fn preload(&mut self, file: &Path) {
        self.whole(file);
    }

    /// The files read so far, for readers on other threads (what was not read is read
    /// range by range).
    pub fn loaded(&self) -> Loaded<'_> {
        Loaded(self)
    }
}

/// `at` in a whole file's bytes.
fn range<'a>(bytes: &'a Result<Vec<u8>, String>, at: LineRef) -> Result<Cow<'a, [u8]>, String> {
    let bytes = bytes.as_ref().map_err(Clone::clone)?;
    let start = usize::try_from(at.offset).unwrap_or(usize::MAX);
    let end = start.saturating_add(at.len as usize);
    bytes
        .get(start..end)
        .map(Cow::Borrowed)
        .ok_or_else(|| "the file is shorter than when it was read".into())
}

impl ByteSource for WholeFiles {
    fn read(&mut self, file: &Path, at: LineRef) -> Result<Cow<'_, [u8]>, String> {
        range(self.whole(file), at)
    }
}

/// Files `WholeFiles` has read, shared read-only (see `WholeFiles::loaded`).
#[derive(Clone, Copy)]
pub struct Loaded<'a>(&'a WholeFiles);

impl ByteSource for Loaded<'_> {
    fn read(&mut self, file: &Path, at: LineRef) -> Result<Cow<'_, [u8]>, String> {
        match self.0.files.get(file) {
            Some(bytes) => range(bytes, at),
            None => Pread.read(file, at).map(|c| Cow::Owned(c.into_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sources_read_the_same_range() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e.jsonl");
        std::fs::write(&path, b"{\"a\":1}\n{\"b\":2}\n").expect("write");
        let at = LineRef::new(2, 8, 7);
        assert_eq!(&*Pread.read(&path, at).expect("read"), b"{\"b\":2}");
        assert_eq!(
            &*WholeFiles::default().read(&path, at).expect("read"),
            b"{\"b\":2}"
        );
        let past = LineRef::new(3, 100, 3);
        assert!(Pread.read(&path, past).is_err());
        assert!(WholeFiles::default().read(&path, past).is_err());
        // Shared: what was preloaded from memory, the rest range by range.
        let mut whole = WholeFiles::default();
        whole.preload(&path);
        std::fs::write(&path, b"{\"c\":3}\n{\"d\":4}\n").expect("rewrite");
        let mut loaded = whole.loaded();
        assert_eq!(
            &*loaded.read(&path, at).expect("read"),
            b"{\"b\":2}",
            "as preloaded"
        );
        let other = dir.path().join("o.jsonl");
        std::fs::write(&other, b"{\"o\":1}\n").expect("write");
        let first = LineRef::new(1, 0, 7);
        assert_eq!(&*loaded.read(&other, first).expect("read"), b"{\"o\":1}");
        assert!(loaded.read(&path, past).is_err());
    }
}
