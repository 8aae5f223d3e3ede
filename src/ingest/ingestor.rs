//! The ingestor: owns what has been read from every opened path and reports changes as
//! updates. It never touches the store itself, so it can run on its own thread.

use super::discover;
use super::poml_dir::PomlDir;
use crate::formats::poml::call::BuildContext;
use crate::model::time::{NS_PER_SEC, Nanos, Zone};
use crate::model::{Problem, Store, Update};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    poml: BTreeMap<PathBuf, PomlDir>,
}

impl Ingestor {
    pub fn new(roots: Vec<PathBuf>, options: Options) -> Self {
        Self {
            options,
            roots,
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
