//! The ingestor: owns what has been read from every opened path and reports changes as
//! updates. It never touches the store itself, so it can run on its own thread.

use super::discover;
use super::mlflow_dir::MlflowDir;
use super::poml_dir::PomlDir;
use super::trace_file::TraceFile;
use crate::formats::poml::call::BuildContext;
use crate::model::time::{NS_PER_SEC, Nanos, Zone};
use crate::model::{Problem, SessionKey, Store, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub zone: Zone,
    /// How long a call must stay unchanged before a missing or broken result counts as a
    /// problem rather than a write in progress.
    pub settle_ns: Nanos,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            zone: Zone::Local,
            settle_ns: NS_PER_SEC,
        }
    }
}

#[derive(Debug)]
pub struct Ingestor {
    options: Options,
    roots: Vec<PathBuf>,
    /// The roots made absolute, as watchers report paths.
    absolute_roots: Vec<PathBuf>,
    poml: BTreeMap<PathBuf, PomlDir>,
    mlflow: BTreeMap<PathBuf, MlflowDir>,
    files: BTreeMap<PathBuf, TraceFile>,
    /// A headless load: no more writes are coming, take files as they are.
    finished: bool,
    /// Files with more to read than one pass took.
    unread: BTreeSet<PathBuf>,
}

/// `root` made absolute against `cwd`, with `.` and `..` resolved as text: watchers report
/// `/work/runs/x`, not `/work/app/../runs/x`, for a root given as `../runs`.
fn lexical_absolute(cwd: &Path, root: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in cwd.join(root).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Ingestor {
    pub fn new(roots: Vec<PathBuf>, options: Options) -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let absolute_roots = roots.iter().map(|r| lexical_absolute(&cwd, r)).collect();
        Self {
            options,
            roots,
            absolute_roots,
            poml: BTreeMap::new(),
            mlflow: BTreeMap::new(),
            files: BTreeMap::new(),
            finished: false,
            unread: BTreeSet::new(),
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn ctx(&self, now_ns: Nanos) -> BuildContext {
        BuildContext {
            now_ns,
            settle_ns: self.options.settle_ns,
        }
    }

    /// Walk every opened path and report everything that differs from what was reported.
    pub fn scan(&mut self, now_ns: Nanos) -> Vec<Update> {
        let mut all = Vec::new();
        self.scan_into(now_ns, &mut |batch, _| all.extend(batch));
        all
    }

    /// `scan`, handing out updates in batches as it goes (after each part of a file and
    /// each session folder), with how far it has got, so the updates can be applied (or
    /// shown) while the rest is still being read.
    pub fn scan_into(&mut self, now_ns: Nanos, emit: &mut dyn FnMut(Vec<Update>, &LoadProgress)) {
        let mut out = Vec::new();
        let ctx = self.ctx(now_ns);
        let mut sessions = Vec::new();
        let mut mlflow_traces = Vec::new();
        let mut trace_files = Vec::new();
        for root in &self.roots {
            if !root.exists() {
                // Not there yet: the watcher waits for it; that is not a problem.
                out.push(Update::Problems {
                    session: None,
                    origin: root.display().to_string().into(),
                    problems: Vec::new(),
                });
                continue;
            }
            let found = discover::discover(root);
            let problems = found
                .problems
                .iter()
                .map(|(path, why)| Problem::new(path.display().to_string(), why.clone()))
                .collect();
            out.push(Update::Problems {
                session: None,
                origin: root.display().to_string().into(),
                problems,
            });
            sessions.extend(found.poml_sessions);
            mlflow_traces.extend(found.mlflow_traces);
            if found.trace_files.is_empty() && std::fs::metadata(root).is_ok_and(|m| m.is_file()) {
                out.push(Update::Problems {
                    session: None,
                    origin: root.display().to_string().into(),
                    problems: vec![Problem::new(
                        root.display().to_string(),
                        "not a trace file tracetui reads (POML folders, PML events, OTLP/JSON)",
                    )],
                });
            }
            trace_files.extend(found.trace_files);
        }
        let gone_files: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| !trace_files.iter().any(|(f, _, _)| f == *p))
            .cloned()
            .collect();
        for path in gone_files {
            if let Some(mut file) = self.files.remove(&path) {
                file.remove(&mut out);
            }
        }
        let mut progress = LoadProgress {
            bytes_total: trace_files
                .iter()
                .filter_map(|(p, _, _)| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum(),
            folders_total: sessions.len() + mlflow_traces.len(),
            ..LoadProgress::default()
        };
        emit(std::mem::take(&mut out), &progress);
        let mut files_done = 0u64;
        for (path, format, layout) in trace_files {
            let settle = self.options.settle_ns;
            let file = self
                .files
                .entry(path.clone())
                .or_insert_with(|| TraceFile::new(path, format, layout, settle));
            loop {
                let more = file.read(now_ns, self.finished, &mut out).more;
                progress.bytes_read = files_done + file.bytes_read();
                emit(std::mem::take(&mut out), &progress);
                if !more {
                    break;
                }
            }
            files_done += file.bytes_read();
        }
        let gone: Vec<PathBuf> = self
            .poml
            .keys()
            .filter(|p| !sessions.contains(p))
            .cloned()
            .collect();
        for path in gone {
            if let Some(dir) = self.poml.remove(&path) {
                out.push(Update::RemoveSession { key: dir.key });
            }
        }
        for path in sessions {
            let dir = self.poml.entry(path.clone()).or_insert_with(|| {
                let dir = PomlDir::new(&path);
                out.push(Update::Session(dir.session_record(self.options.zone)));
                dir
            });
            dir.rescan(ctx, &mut out);
            progress.folders_read += 1;
            emit(std::mem::take(&mut out), &progress);
        }
        let gone: Vec<PathBuf> = self
            .mlflow
            .keys()
            .filter(|p| !mlflow_traces.contains(p))
            .cloned()
            .collect();
        for path in gone {
            if let Some(mut dir) = self.mlflow.remove(&path) {
                dir.remove(&mut out);
            }
        }
        for path in mlflow_traces {
            self.mlflow
                .entry(path.clone())
                .or_insert_with(|| MlflowDir::new(&path))
                .rescan(ctx, false, &mut out);
            progress.folders_read += 1;
            emit(std::mem::take(&mut out), &progress);
        }
        emit(out, &progress);
    }

    /// Some paths changed on disk (created, written, removed, renamed): update just what they
    /// touch. Files in a known session are re-read by their call; a session folder that went
    /// away is removed; anything new under an opened path is discovered.
    pub fn changed(&mut self, paths: &[PathBuf], now_ns: Nanos) -> Vec<Update> {
        let ctx = self.ctx(now_ns);
        let mut out = Vec::new();
        let mut per_dir: BTreeMap<PathBuf, Vec<std::ffi::OsString>> = BTreeMap::new();
        let mut gone: BTreeSet<PathBuf> = BTreeSet::new();
        let mut discover_at: BTreeSet<PathBuf> = BTreeSet::new();
        let mut files_changed: BTreeSet<PathBuf> = BTreeSet::new();
        let mut traces_changed: BTreeSet<PathBuf> = BTreeSet::new();
        let paths: Vec<PathBuf> = paths.iter().map(|p| self.as_opened(p)).collect();
        for path in &paths {
            // Anything inside an MLflow trace folder (its info, tags, artifacts).
            if let Some(dir) = path
                .ancestors()
                .take(4)
                .find(|a| self.mlflow.contains_key(*a))
            {
                traces_changed.insert(dir.to_path_buf());
                continue;
            }
            let exists = std::fs::symlink_metadata(path).is_ok();
            if self.files.contains_key(path) {
                files_changed.insert(path.clone());
                continue;
            }
            if self.poml.contains_key(path) {
                if exists {
                    per_dir.entry(path.clone()).or_default();
                } else {
                    gone.insert(path.clone());
                }
                continue;
            }
            if let (Some(parent), Some(name)) = (path.parent(), path.file_name())
                && self.poml.contains_key(parent)
            {
                per_dir
                    .entry(parent.to_path_buf())
                    .or_default()
                    .push(name.to_os_string());
                continue;
            }
            if !exists {
                // A folder above sessions went away: so did they.
                gone.extend(self.poml.keys().filter(|k| k.starts_with(path)).cloned());
                traces_changed.extend(self.mlflow.keys().filter(|k| k.starts_with(path)).cloned());
                files_changed.extend(self.files.keys().filter(|k| k.starts_with(path)).cloned());
                continue;
            }
            // A file of a trace folder not discovered yet: discover the folder instead.
            if let Some(trace) = path
                .ancestors()
                .skip(1)
                .take(3)
                .find(|a| crate::formats::mlflow::is_trace_dir(a))
            {
                discover_at.insert(trace.to_path_buf());
                continue;
            }
            if std::fs::metadata(path).is_ok_and(|m| m.is_file())
                && (self.roots.contains(path)
                    || path.file_name().is_some_and(|n| {
                        crate::formats::sniff::worth_sniffing(&n.to_string_lossy())
                    }))
            {
                if let Some((format, layout)) = discover::sniff_file(path) {
                    let settle = self.options.settle_ns;
                    self.files.insert(
                        path.clone(),
                        TraceFile::new(path.clone(), format, layout, settle),
                    );
                    files_changed.insert(path.clone());
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
                discover_at.insert(dir);
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
                if !self.poml.contains_key(&session) {
                    let mut poml_dir = PomlDir::new(&session);
                    out.push(Update::Session(poml_dir.session_record(self.options.zone)));
                    poml_dir.rescan(ctx, &mut out);
                    self.poml.insert(session, poml_dir);
                }
            }
            for trace in found.mlflow_traces {
                traces_changed.insert(trace.clone());
                self.mlflow
                    .entry(trace.clone())
                    .or_insert_with(|| MlflowDir::new(&trace));
            }
        }
        for (path, names) in per_dir {
            if let Some(dir) = self.poml.get_mut(&path) {
                if names.is_empty() {
                    dir.rescan(ctx, &mut out);
                } else {
                    dir.changed(&names, ctx, &mut out);
                }
            }
        }
        for path in traces_changed {
            let is_trace = crate::formats::mlflow::is_trace_dir(&path);
            match self.mlflow.get_mut(&path) {
                Some(dir) if is_trace => dir.rescan(ctx, false, &mut out),
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
                let progress = file.read(now_ns, self.finished, &mut out);
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

    /// Files with more to read than one pass took (read on the next call to `more`).
    pub fn has_more(&self) -> bool {
        !self.unread.is_empty()
    }

    /// Continue reading files that had more than one pass's budget.
    pub fn more(&mut self, now_ns: Nanos) -> Vec<Update> {
        let mut out = Vec::new();
        for path in std::mem::take(&mut self.unread) {
            if let Some(file) = self.files.get_mut(&path)
                && file.read(now_ns, self.finished, &mut out).more
            {
                self.unread.insert(path);
            }
        }
        out
    }

    /// A file was read again from the top and its sessions removed; files that shared
    /// those sessions must be read again too, or their spans would be lost.
    fn restart_sharing(&mut self, path: &Path, removed: &[SessionKey], out: &mut Vec<Update>) {
        for (other, file) in self.files.iter_mut() {
            if other.as_path() != path && file.sessions().any(|s| removed.iter().any(|r| **r == *s))
            {
                file.restart(out);
                self.unread.insert(other.clone());
            }
        }
    }

    /// A path as reported by a watcher (absolute), in the form of the opened root it lies
    /// under, so it matches what the scan recorded.
    fn as_opened(&self, path: &Path) -> PathBuf {
        for (root, absolute) in self.roots.iter().zip(&self.absolute_roots) {
            if root != absolute
                && let Ok(rest) = path.strip_prefix(absolute)
            {
                return if rest.as_os_str().is_empty() {
                    root.clone()
                } else {
                    root.join(rest)
                };
            }
        }
        path.to_path_buf()
    }

    /// The earliest time a call or file must be looked at again (settling, or open spans
    /// going stale).
    pub fn next_recheck(&self) -> Option<Nanos> {
        self.poml
            .values()
            .filter_map(PomlDir::next_recheck)
            .chain(self.mlflow.values().filter_map(MlflowDir::next_recheck))
            .chain(self.files.values().filter_map(TraceFile::next_recheck))
            .min()
    }

    /// Rebuild calls whose settle time has passed.
    pub fn recheck(&mut self, now_ns: Nanos) -> Vec<Update> {
        let ctx = self.ctx(now_ns);
        let mut out = Vec::new();
        for dir in self.poml.values_mut() {
            dir.recheck(ctx, &mut out);
        }
        for dir in self.mlflow.values_mut() {
            dir.recheck(ctx, &mut out);
        }
        for file in self.files.values_mut() {
            if file.next_recheck().is_some_and(|t| t <= now_ns) {
                file.recheck(now_ns, &mut out);
            }
        }
        out
    }
}

/// How far a scan has got, for a progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadProgress {
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub folders_read: usize,
    pub folders_total: usize,
}

impl LoadProgress {
    /// 0.0 to 1.0, weighing event-file bytes and folders alike.
    pub fn fraction(&self) -> f64 {
        let total = self.bytes_total as f64 + self.folders_total as f64 * 100_000.0;
        if total == 0.0 {
            return 1.0;
        }
        (self.bytes_read as f64 + self.folders_read as f64 * 100_000.0) / total
    }
}

/// Read every path once into a fresh store (what `dump` and tests use): one thread reads
/// and parses while this one applies what it has parsed so far.
pub fn load(paths: &[PathBuf], options: Options, now_ns: Nanos) -> Store {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Update>>(8);
    let paths = paths.to_vec();
    let reader = std::thread::spawn(move || {
        let mut ingestor = Ingestor::new(paths, options);
        ingestor.finished = true;
        ingestor.scan_into(now_ns, &mut |batch, _| {
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
        });
    });
    let mut store = Store::new();
    for batch in rx {
        store.apply_all(batch);
    }
    // A panic on the reading thread is a bug; surface it here rather than lose it.
    if let Err(panic) = reader.join() {
        std::panic::resume_unwind(panic);
    }
    store
}
