//! Finding trace sessions under an opened path by what the folders contain.

use crate::formats::poml::{self, EntryKind, session_name};
use crate::formats::sniff::{self, Format, Layout};
use std::io;
use std::path::{Path, PathBuf};

/// How deep under an opened folder sessions are looked for (`corpus/public/pomlruns/<session>`).
pub const MAX_DEPTH: usize = 3;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub poml_sessions: Vec<PathBuf>,
    /// Event files (PML, OTLP, ...), their format and how their values are laid out.
    pub trace_files: Vec<(PathBuf, Format, Layout)>,
    /// MLflow trace folders (`<experiment>/traces/<trace id>/`).
    pub mlflow_traces: Vec<PathBuf>,
    /// MLflow SQL stores (`mlflow.db`).
    pub mlflow_dbs: Vec<PathBuf>,
    /// Paths that could not be listed or are not what their name says, with why.
    pub problems: Vec<(PathBuf, String)>,
}

/// A folder is a POML session when it holds call files or is named like one
/// (`YYYYMMDDHHMMSSffffff`, possibly still empty); other folders are searched below.
pub fn discover(path: &Path) -> Found {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_dir()) {
        let mut found = Found::default();
        if crate::formats::mlflow::sql::is_mlflow_db(path) {
            found.mlflow_dbs.push(path.to_path_buf());
        } else {
            candidate(path, &mut found);
        }
        return found;
    }
    discover_within(path, MAX_DEPTH)
}

/// What an event file holds, from its first bytes.
pub fn sniff_file(path: &Path) -> Option<(Format, Layout)> {
    sniff_checked(path).ok().flatten()
}

/// `sniff_file`, saying why a file could not be read at all (unreadable, a FIFO, a link to
/// a device), as opposed to read and found not to be a trace.
pub fn sniff_checked(path: &Path) -> Result<Option<(Format, Layout)>, String> {
    let prefix = crate::untrusted::fsread::read_prefix(path, sniff::SNIFF_BYTES as u64)
        .map_err(|e| crate::untrusted::fsread::describe(&e))?;
    Ok(sniff::sniff(&prefix.bytes))
}

/// A file that may be an event file: taken if it is one, a problem if it cannot be read.
fn candidate(path: &Path, found: &mut Found) {
    match sniff_checked(path) {
        Ok(Some((format, layout))) => found.trace_files.push((path.to_path_buf(), format, layout)),
        Ok(None) => {}
        Err(why) => found.problems.push((path.to_path_buf(), why)),
    }
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
                .problems
                .push((dir.to_path_buf(), crate::untrusted::fsread::describe(&e)));
            return;
        }
    };
    if entries
        .iter()
        .any(|e| e.kind == EntryKind::File && e.name == "trace_info.yaml")
    {
        found.mlflow_traces.push(dir.to_path_buf());
        return;
    }
    if entries
        .iter()
        .any(|e| e.kind == EntryKind::File && e.name == "meta.yaml")
        && entries
            .iter()
            .any(|e| e.kind == EntryKind::Dir && e.name == "traces")
    {
        // An MLflow experiment: its traces are one level down, however deep it is.
        walk(&dir.join("traces"), 1, found);
        return;
    }
    let is_session = entries.iter().any(|e| e.is_call_file()) || is_session_dir_name(dir);
    if is_session {
        found.poml_sessions.push(dir.to_path_buf());
    }
    for entry in entries.iter().filter(|e| e.kind != EntryKind::Dir) {
        if !session_name::is_session_name(&entry.name.to_string_lossy()) {
            continue;
        }
        let path = dir.join(&entry.name);
        if entry.kind == EntryKind::Symlink && path.is_dir() {
            // A linked session is read like any other; it is not searched below.
            found.poml_sessions.push(path);
        } else {
            found.problems.push((
                path,
                "named like a session folder, but it is not a folder; ignored".into(),
            ));
        }
    }
    // Event files lie next to sessions; the files of a session are its calls'.
    // An MLflow SQL store beside whatever else the folder holds (`mlflow server`'s default).
    for entry in entries.iter().filter(|e| e.kind == EntryKind::File) {
        let path = dir.join(&entry.name);
        if entry.name.to_string_lossy().ends_with(".db")
            && crate::formats::mlflow::sql::is_mlflow_db(&path)
        {
            found.mlflow_dbs.push(path);
        }
    }
    // Special files and links named like event files are looked at too: one that cannot be
    // read is a problem, not a silent gap.
    if !is_session {
        for entry in entries.iter().filter(|e| e.kind != EntryKind::Dir) {
            let name = entry.name.to_string_lossy();
            if name.starts_with('.') || !sniff::worth_sniffing(&name) {
                continue;
            }
            let path = dir.join(&entry.name);
            if entry.kind == EntryKind::Symlink && path.is_dir() {
                continue;
            }
            candidate(&path, found);
        }
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

/// Whether a path given on the command line exists and opens: a folder that lists, a file
/// that opens for reading. Other kinds (a FIFO, a device) pass, to be reported as the
/// problem they are when read.
pub fn check_path(path: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        std::fs::read_dir(path).map(|_| ())
    } else if meta.is_file() {
        crate::untrusted::fsread::open_regular(path).map(|_| ())
    } else {
        Ok(())
    }
}
