//! The ingestor: owns what has been read from every opened path and reports changes as
//! updates. It never touches the store itself, so it can run on its own thread. The first
//! read of everything is in `scan.rs`, reacting to changed paths in `changed.rs`.

mod changed;
mod scan;

use super::mlflow_db::MlflowDb;
use super::mlflow_dir::MlflowDir;
use super::poml_dir::PomlDir;
use super::settle::Clock;
use super::trace_file::TraceFile;
use crate::model::time::{NS_PER_SEC, Nanos};
use crate::model::{SessionKey, Store, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Options {
    /// How long something must be seen unchanged before a missing or broken part counts
    /// as a problem rather than a write in progress (`settle`).
    pub settle_ns: Nanos,
    /// `--experiment`: only this MLflow experiment (name or id) of a SQL store or server.
    pub experiment: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            settle_ns: NS_PER_SEC,
            experiment: None,
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
    /// MLflow SQL stores.
    dbs: BTreeMap<PathBuf, MlflowDb>,
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
            dbs: BTreeMap::new(),
            files: BTreeMap::new(),
            finished: false,
            unread: BTreeSet::new(),
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// What reads at `now_ns` are judged by. `now_ns` is the caller's steady clock
    /// (`time::steady_ns`), never compared with file times to decide what has settled.
    fn clock(&self, now_ns: Nanos) -> Clock {
        Clock {
            now_ns,
            settle_ns: self.options.settle_ns,
            finished: self.finished,
        }
    }

    /// Walk every opened path and report everything that differs from what was reported.
    pub fn scan(&mut self, now_ns: Nanos) -> Vec<Update> {
        let mut all = Vec::new();
        self.scan_into(now_ns, &mut |batch, _| all.extend(batch));
        all
    }

    /// Files with more to read than one pass took (read on the next call to `more`).
    pub fn has_more(&self) -> bool {
        !self.unread.is_empty()
    }

    /// Continue reading files that had more than one pass's budget.
    pub fn more(&mut self, now_ns: Nanos) -> Vec<Update> {
        let clock = self.clock(now_ns);
        let mut out = Vec::new();
        for path in std::mem::take(&mut self.unread) {
            if let Some(file) = self.files.get_mut(&path)
                && file.read(clock, &mut out).more
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

    /// Event files whose size, time or inode differ from what was last read: for polling,
    /// where the watcher misses writes within a second.
    pub fn files_changed_on_disk(&self) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter(|(_, f)| f.looks_changed())
            .map(|(p, _)| p.clone())
            .chain(
                self.dbs
                    .iter()
                    .filter(|(_, d)| d.looks_changed())
                    .map(|(p, _)| p.clone()),
            )
            .collect()
    }

    /// The earliest time a call or file must be looked at again (settling, or open spans
    /// going stale).
    pub fn next_recheck(&self) -> Option<Nanos> {
        self.poml
            .values()
            .filter_map(PomlDir::next_recheck)
            .chain(self.mlflow.values().filter_map(MlflowDir::next_recheck))
            .chain(
                self.files
                    .values()
                    .filter_map(|f| f.next_recheck(self.options.settle_ns)),
            )
            .min()
    }

    /// Rebuild calls whose settle time has passed.
    pub fn recheck(&mut self, now_ns: Nanos) -> Vec<Update> {
        let clock = self.clock(now_ns);
        let mut out = Vec::new();
        for dir in self.poml.values_mut() {
            dir.recheck(clock, &mut out);
        }
        for dir in self.mlflow.values_mut() {
            dir.recheck(clock, &mut out);
        }
        for file in self.files.values_mut() {
            if file
                .next_recheck(clock.settle_ns)
                .is_some_and(|t| t <= now_ns)
            {
                file.recheck(clock, &mut out);
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
    let (servers, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| super::mlflow_server::is_server(p));
    let experiment = options.experiment.clone();
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
    for url in &servers {
        store.apply_all(super::mlflow_server::load(url, experiment.as_deref()));
    }
    for batch in rx {
        store.apply_all(batch);
    }
    // A panic on the reading thread is a bug; surface it here rather than lose it.
    if let Err(panic) = reader.join() {
        std::panic::resume_unwind(panic);
    }
    store
}
