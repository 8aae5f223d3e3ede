//! Listing a POML folder and grouping its files into calls by index and prefix.

use super::names;
use crate::model::time::{Nanos, system_time_ns};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Symlink,
    Dir,
    /// FIFOs, sockets, devices: never opened.
    Other,
}

/// One directory entry as `lstat` saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: OsString,
    pub kind: EntryKind,
    pub size: u64,
    pub mtime_ns: Nanos,
}

impl Entry {
    /// `lstat` one entry; `Ok(None)` when it vanished meanwhile.
    pub fn stat(dir: &Path, name: OsString) -> io::Result<Option<Entry>> {
        let meta = match fs::symlink_metadata(dir.join(&name)) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let ft = meta.file_type();
        let kind = if ft.is_file() {
            EntryKind::File
        } else if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::Other
        };
        let mtime_ns = meta.modified().map(system_time_ns).unwrap_or_default();
        Ok(Some(Entry {
            name,
            kind,
            size: meta.len(),
            mtime_ns,
        }))
    }

    pub fn is_call_file(&self) -> bool {
        matches!(self.kind, EntryKind::File | EntryKind::Symlink)
            && names::index_digits(self.name.as_bytes()).is_some()
    }
}

/// Every entry of a directory; entries that vanish between listing and `lstat` are skipped.
pub fn list_dir(dir: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for item in fs::read_dir(dir)? {
        let Ok(item) = item else { continue };
        if let Ok(Some(entry)) = Entry::stat(dir, item.file_name()) {
            entries.push(entry);
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Each file of a call with its suffix (`.result.json`).
type CallFiles<'a> = Vec<(&'a Entry, Vec<u8>)>;

/// The files of one call.
#[derive(Debug, PartialEq, Eq)]
pub struct CallGroup<'a> {
    pub index: u64,
    pub prefix: Vec<u8>,
    pub files: CallFiles<'a>,
}

/// Group call files into calls (ordered by index, then prefix); the rest are returned apart.
pub fn group_calls(entries: &[Entry]) -> (Vec<CallGroup<'_>>, Vec<&Entry>) {
    let mut known: BTreeMap<&[u8], Vec<&[u8]>> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.is_call_file()) {
        let name = entry.name.as_bytes();
        if let (Some(digits), Some(prefix)) =
            (names::index_digits(name), names::declared_prefix(name))
        {
            let list = known.entry(digits).or_default();
            if !list.contains(&prefix) {
                list.push(prefix);
            }
        }
    }
    let mut groups: BTreeMap<(u64, Vec<u8>), CallFiles<'_>> = BTreeMap::new();
    let mut other = Vec::new();
    for entry in entries {
        let name = entry.name.as_bytes();
        let digits = match names::index_digits(name) {
            Some(d) if entry.is_call_file() => d,
            _ => {
                other.push(entry);
                continue;
            }
        };
        let Some(index) = names::parse_index(digits) else {
            other.push(entry);
            continue;
        };
        let prefixes = known.get(digits).map_or(&[][..], Vec::as_slice);
        let (prefix, suffix) = names::split(name, prefixes);
        groups
            .entry((index, prefix.to_vec()))
            .or_default()
            .push((entry, suffix.to_vec()));
    }
    let groups = groups
        .into_iter()
        .map(|((index, prefix), files)| CallGroup {
            index,
            prefix,
            files,
        })
        .collect();
    (groups, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &[u8], kind: EntryKind) -> Entry {
        use std::os::unix::ffi::OsStringExt;
        Entry {
            name: OsString::from_vec(name.to_vec()),
            kind,
            size: 1,
            mtime_ns: 0,
        }
    }

    #[test]
    fn groups_by_prefix_with_dotted_names_and_strays() {
        let entries = vec![
            entry(b"0001.my.file.poml", EntryKind::File),
            entry(b"0001.my.file.result.json", EntryKind::File),
            entry(b"0001.my.file.source.poml", EntryKind::Symlink),
            entry(b"0002.poml", EntryKind::File),
            entry(b"0002.response.json", EntryKind::File),
            entry(b"0200.subdir.poml", EntryKind::Dir),
            entry(b"10000.big.poml", EntryKind::File),
            entry(b"notes.md", EntryKind::File),
            entry(b"0100.r\xe9sum\xe9.poml", EntryKind::File),
        ];
        let (groups, other) = group_calls(&entries);
        let summary: Vec<(u64, String, Vec<String>)> = groups
            .iter()
            .map(|g| {
                (
                    g.index,
                    names::lossy(&g.prefix),
                    g.files.iter().map(|(_, s)| names::lossy(s)).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    1,
                    "0001.my.file".into(),
                    vec![".poml".into(), ".result.json".into(), ".source.poml".into()]
                ),
                (
                    2,
                    "0002".into(),
                    vec![".poml".into(), ".response.json".into()]
                ),
                (
                    100,
                    "0100.r\u{FFFD}sum\u{FFFD}".into(),
                    vec![".poml".into()]
                ),
                (10000, "10000.big".into(), vec![".poml".into()]),
            ]
        );
        let other: Vec<_> = other.iter().map(|e| e.name.clone()).collect();
        assert_eq!(
            other,
            vec![OsString::from("0200.subdir.poml"), "notes.md".into()]
        );
    }
}
