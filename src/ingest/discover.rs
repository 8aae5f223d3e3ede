//! Finding trace sessions under an opened path by what the folders contain.

use crate::formats::poml::{self, EntryKind, session_name};
use std::io;
use std::path::{Path, PathBuf};

/// How deep under an opened folder sessions are looked for (`corpus/public/pomlruns/<session>`).
pub const MAX_DEPTH: usize = 3;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub poml_sessions: Vec<PathBuf>,
    /// Folders that could not be listed, with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// A folder is a POML session when it holds call files or is named like one
/// (`YYYYMMDDHHMMSSffffff`, possibly still empty); other folders are searched below.
pub fn discover(path: &Path) -> Found {
    discover_within(path, MAX_DEPTH)
}

/// `discover`, looking at most `depth` folders further down.
pub fn discover_within(path: &Path, depth: usize) -> Found {
    let mut found = Found::default();
    walk(path, depth, &mut found);
    found
}

fn walk(dir: &Path, depth_left: usize, found: &mut Found) {
    let entries = match poml::list_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found
                .unreadable
                .push((dir.to_path_buf(), crate::fsread::describe(&e)));
            return;
        }
    };
    if entries.iter().any(|e| e.is_call_file()) || is_session_dir_name(dir) {
        found.poml_sessions.push(dir.to_path_buf());
    }
    for entry in entries.iter().filter(|e| e.kind == EntryKind::Dir) {
        let name = entry.name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let sub = dir.join(&entry.name);
        if session_name::is_session_name(&name) {
            // Listed (and any listing problem reported) by the session itself.
            found.poml_sessions.push(sub);
        } else if depth_left > 0 {
            walk(&sub, depth_left - 1, found);
        }
    }
}

fn is_session_dir_name(dir: &Path) -> bool {
    dir.file_name()
        .is_some_and(|n| session_name::is_session_name(&n.to_string_lossy()))
}

/// Whether an opened path exists and is something tracetui can read.
pub fn check_path(path: &Path) -> io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}
