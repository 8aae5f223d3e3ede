//! The ingestor: owns what has been read from every opened path and reports changes as
//! updates. It never touches the store itself, so it can run on its own thread.

use super::discover;
use super::poml_dir::PomlDir;
use crate::formats::poml::call::BuildContext;
use crate::model::time::{NS_PER_SEC, Nanos, Zone};
use crate::model::{Problem, Store, Update};
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
}

impl Ingestor {
    pub fn new(roots: Vec<PathBuf>, options: Options) -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let absolute_roots = roots.iter().map(|r| cwd.join(r)).collect();
        Self {
            options,
            roots,
            absolute_roots,
            poml: BTreeMap::new(),
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
        let mut out = Vec::new();
        let ctx = self.ctx(now_ns);
        let mut sessions = Vec::new();
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
                .unreadable
                .iter()
                .map(|(path, why)| Problem::new(path.display().to_string(), why.clone()))
                .collect();
            out.push(Update::Problems {
                session: None,
                origin: root.display().to_string().into(),
                problems,
            });
            sessions.extend(found.poml_sessions);
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
        }
        out
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
        for path in paths.iter().map(|p| self.as_opened(p)) {
            let path = &path;
            let exists = std::fs::symlink_metadata(path).is_ok();
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
            for session in discover::discover_within(&dir, depth_left).poml_sessions {
                if !self.poml.contains_key(&session) {
                    let mut poml_dir = PomlDir::new(&session);
                    out.push(Update::Session(poml_dir.session_record(self.options.zone)));
                    poml_dir.rescan(ctx, &mut out);
                    self.poml.insert(session, poml_dir);
                }
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
        out
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

    /// The earliest time a call must be looked at again because it may have settled.
    pub fn next_recheck(&self) -> Option<Nanos> {
        self.poml.values().filter_map(PomlDir::next_recheck).min()
    }

    /// Rebuild calls whose settle time has passed.
    pub fn recheck(&mut self, now_ns: Nanos) -> Vec<Update> {
        let ctx = self.ctx(now_ns);
        let mut out = Vec::new();
        for dir in self.poml.values_mut() {
            dir.recheck(ctx, &mut out);
        }
        out
    }
}

/// Read every path once into a fresh store (what `dump` and tests use).
pub fn load(paths: &[PathBuf], options: Options, now_ns: Nanos) -> Store {
    let mut ingestor = Ingestor::new(paths.to_vec(), options);
    let mut store = Store::new();
    store.apply_all(ingestor.scan(now_ns));
    store
}
