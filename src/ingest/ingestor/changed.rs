//! Reacting to paths a watcher reports: sorting out what each touches (a known event file,
//! a file of a POML session, an MLflow trace, something new to discover, something gone),
//! then reading again just that.

use super::Ingestor;
use crate::ingest::discover;
use crate::ingest::mlflow_db::MlflowDb;
use crate::ingest::mlflow_dir::MlflowDir;
use crate::ingest::poml_dir::PomlDir;
use crate::ingest::trace_file::TraceFile;
use crate::model::Update;
use crate::model::time::Nanos;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What a batch of changed paths touches.
#[derive(Default)]
struct Touched {
    /// POML session folders, with the names changed in each (none: rescan it).
    per_dir: BTreeMap<PathBuf, Vec<OsString>>,
    /// POML session folders that went away.
    gone: BTreeSet<PathBuf>,
    /// Folders to look for new sessions, traces and files in.
    discover_at: BTreeSet<PathBuf>,
    files_changed: BTreeSet<PathBuf>,
    traces_changed: BTreeSet<PathBuf>,
    /// MLflow SQL stores whose database, WAL or journal changed.
    dbs_changed: BTreeSet<PathBuf>,
}

impl Ingestor {
    /// Some paths changed on disk (created, written, removed, renamed): update just what they
    /// touch. Files in a known session are re-read by their call; a session folder that went
    /// away is removed; anything new under an opened path is discovered.
    pub fn changed(&mut self, paths: &[PathBuf], now_ns: Nanos) -> Vec<Update> {
        let mut paths: Vec<PathBuf> = paths.iter().map(|p| self.as_opened(p)).collect();
        let mut out = Vec::new();
        paths.extend(self.follow_renames(&paths, &mut out));
        let touched = self.sort_out(&paths);
        out.extend(self.apply(touched, now_ns));
        out
    }

    /// Event files renamed (rotated: `events.jsonl` to `events-1.jsonl`, a new
    /// `events.jsonl` started) keep their reader under the new name, found by inode in the
    /// same folder; the file now at the old name is a new one. Returns the new names.
    fn follow_renames(&mut self, paths: &[PathBuf], out: &mut Vec<Update>) -> Vec<PathBuf> {
        use std::os::unix::fs::MetadataExt;
        let identity = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
        let moved: Vec<(PathBuf, (u64, u64))> = paths
            .iter()
            .filter_map(|p| Some((p, self.files.get(p)?.identity()?)))
            .filter(|(p, id)| identity(p) != Some(*id))
            .map(|(p, id)| (p.clone(), id))
            .collect();
        let mut renamed = Vec::new();
        for (old, id) in moved {
            let Some(folder) = old.parent() else { continue };
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            let found = entries.flatten().map(|e| e.path()).find(|p| {
                // Under an opened folder; a file opened on its own follows its name.
                self.roots.iter().any(|r| p.starts_with(r) && r != p)
                    && p != &old
                    && identity(p) == Some(id)
            });
            let Some(new) = found else { continue };
            let Some(mut file) = self.files.remove(&old) else {
                continue;
            };
            if self.files.contains_key(&new) {
                // The new name was reported first and is read already: this reader's
                // spans are that file's now. Let it go without removing them.
                file.moved_to(new, out);
            } else {
                file.moved_to(new.clone(), out);
                self.files.insert(new.clone(), file);
                renamed.push(new);
            }
        }
        renamed
    }

    /// What each changed path touches. Files new to the ingestor that are worth reading
    /// are taken on here.
    fn sort_out(&mut self, paths: &[PathBuf]) -> Touched {
        let mut t = Touched::default();
        for path in paths {
            // An MLflow database or the files SQLite writes beside it (which may lie
            // beside a database opened on its own, outside the roots as paths go).
            if let Some(db) = self.dbs.values().find(|d| d.owns(path)) {
                t.dbs_changed.insert(db.path().to_path_buf());
                continue;
            }
            // A file opened on its own is watched through its folder: its neighbours are
            // not ours.
            if !self.roots.iter().any(|r| path.starts_with(r)) {
                continue;
            }
            // Anything inside an MLflow trace folder (its info, tags, artifacts).
            if let Some(dir) = path
                .ancestors()
                .take(4)
                .find(|a| self.mlflow.contains_key(*a))
            {
                t.traces_changed.insert(dir.to_path_buf());
                continue;
            }
            let exists = std::fs::symlink_metadata(path).is_ok();
            if self.files.contains_key(path) {
                t.files_changed.insert(path.clone());
                continue;
            }
            if self.poml.contains_key(path) {
                if exists {
                    t.per_dir.entry(path.clone()).or_default();
                } else {
                    t.gone.insert(path.clone());
                }
                continue;
            }
            if let (Some(parent), Some(name)) = (path.parent(), path.file_name())
                && self.poml.contains_key(parent)
            {
                t.per_dir
                    .entry(parent.to_path_buf())
                    .or_default()
                    .push(name.to_os_string());
                continue;
            }
            if !exists {
                // A folder above sessions went away: so did they.
                t.gone
                    .extend(self.poml.keys().filter(|k| k.starts_with(path)).cloned());
                t.traces_changed
                    .extend(self.mlflow.keys().filter(|k| k.starts_with(path)).cloned());
                t.files_changed
                    .extend(self.files.keys().filter(|k| k.starts_with(path)).cloned());
                continue;
            }
            // A file of a trace folder not discovered yet: discover the folder instead.
            if let Some(trace) = path
                .ancestors()
                .skip(1)
                .take(3)
                .find(|a| crate::formats::mlflow::is_trace_dir(a))
            {
                t.discover_at.insert(trace.to_path_buf());
                continue;
            }
            if std::fs::metadata(path).is_ok_and(|m| m.is_file())
                && (self.roots.contains(path)
                    || path.file_name().is_some_and(|n| {
                        crate::formats::sniff::worth_sniffing(&n.to_string_lossy())
                    }))
            {
                if let Some((format, layout)) = discover::sniff_file(path) {
                    self.files
                        .insert(path.clone(), TraceFile::new(path.clone(), format, layout));
                    t.files_changed.insert(path.clone());
                }
                continue;
            }
            if self.roots.iter().any(|r| path.starts_with(r)) {
                let dir = if path.is_dir() {
                    path.clone()
                } else {
                    path.parent()
                        .map_or_else(|| path.clone(), Path::to_path_buf)
                };
                t.discover_at.insert(dir);
            }
        }
        t
    }

    /// Read again what the changes touched, in order: sessions gone, folders to discover,
    /// POML sessions, MLflow traces, event files.
    fn apply(&mut self, touched: Touched, now_ns: Nanos) -> Vec<Update> {
        let clock = self.clock(now_ns);
        let mut out = Vec::new();
        let Touched {
            mut per_dir,
            gone,
            discover_at,
            files_changed,
            mut traces_changed,
            dbs_changed,
        } = touched;
        for path in dbs_changed {
            if let Some(db) = self.dbs.get_mut(&path) {
                if path.exists() {
                    db.rescan(clock, false, &mut out);
                } else if let Some(mut db) = self.dbs.remove(&path) {
                    db.remove(&mut out);
                }
            }
        }
        for path in gone {
            if let Some(dir) = self.poml.remove(&path) {
                out.push(Update::RemoveSession { key: dir.key });
            }
            per_dir.remove(&path);
        }
        for dir in discover_at {
            let depth_left = self
                .roots
                .iter()
                .filter_map(|r| dir.strip_prefix(r).ok())
                .map(|rel| discover::MAX_DEPTH.saturating_sub(rel.components().count()))
                .max()
                .unwrap_or(0);
            let found = discover::discover_within(&dir, depth_left);
            for session in found.poml_sessions {
                if let std::collections::btree_map::Entry::Vacant(slot) = self.poml.entry(session) {
                    let dir = PomlDir::new(slot.key());
                    let poml_dir = slot.insert(dir);
                    poml_dir.rescan(clock, &mut out);
                }
            }
            for trace in found.mlflow_traces {
                traces_changed.insert(trace.clone());
                self.mlflow
                    .entry(trace.clone())
                    .or_insert_with(|| MlflowDir::new(&trace));
            }
            for db in found.mlflow_dbs {
                if let std::collections::btree_map::Entry::Vacant(slot) = self.dbs.entry(db) {
                    let new = MlflowDb::new(slot.key(), self.options.experiment.clone());
                    slot.insert(new).rescan(clock, false, &mut out);
                }
            }
        }
        for (path, names) in per_dir {
            if let Some(dir) = self.poml.get_mut(&path) {
                if names.is_empty() {
                    dir.rescan(clock, &mut out);
                } else {
                    dir.changed(&names, clock, &mut out);
                }
            }
        }
        for path in traces_changed {
            let is_trace = crate::formats::mlflow::is_trace_dir(&path);
            match self.mlflow.get_mut(&path) {
                Some(dir) if is_trace => dir.rescan(clock, false, &mut out),
                Some(_) => {
                    if let Some(mut dir) = self.mlflow.remove(&path) {
                        dir.remove(&mut out);
                    }
                }
                None => {}
            }
        }
        for path in files_changed {
            if std::fs::metadata(&path).is_err() {
                if let Some(mut file) = self.files.remove(&path) {
                    file.remove(&mut out);
                }
                continue;
            }
            if let Some(file) = self.files.get_mut(&path) {
                let progress = file.read(clock, &mut out);
                if progress.more {
                    self.unread.insert(path.clone());
                }
                if !progress.removed_sessions.is_empty() {
                    self.restart_sharing(&path, &progress.removed_sessions, &mut out);
                }
            }
        }
        out
    }
}
