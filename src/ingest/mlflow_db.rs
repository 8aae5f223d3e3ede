//! One MLflow SQL store (`mlflow.db`) being watched: read again when the database (or its
//! WAL or journal) changes, and only the traces whose summary changed are fetched, so a
//! store of many traces costs one small query per change.

use super::settle::{Clock, Seen};
use crate::formats::mlflow::sql::{self, TraceSummary};
use crate::formats::mlflow::trace::session_key;
use crate::model::time::{Nanos, system_time_ns};
use crate::model::{Problem, Update};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Traces read before the first hand-over of a read; each next batch is twice as large, up
/// to `BATCH_MAX` (every batch makes the view rebuild its rows, so few and large ones load
/// faster, and the first small one shows soon).
const BATCH_FIRST: usize = 256;
const BATCH_MAX: usize = 16_384;

/// Sizes and times of the database and the files SQLite writes beside it.
type Fingerprint = Vec<Option<(u64, Nanos)>>;

#[derive(Debug)]
pub struct MlflowDb {
    path: PathBuf,
    seen: Option<Seen<Fingerprint>>,
    /// Per trace id: the summary last read, and the span keys it gave.
    traces: HashMap<String, (TraceSummary, BTreeSet<Box<str>>)>,
    /// `--experiment`: only this experiment's traces (its name or id).
    experiment: Option<String>,
}

impl MlflowDb {
    pub fn new(path: &Path, experiment: Option<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            seen: None,
            traces: HashMap::new(),
            experiment,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database itself or a file SQLite keeps beside it.
    pub fn owns(&self, path: &Path) -> bool {
        path == self.path
            || ["-wal", "-journal", "-shm"].iter().any(|suffix| {
                let mut name = self.path.as_os_str().to_owned();
                name.push(suffix);
                path.as_os_str() == name
            })
    }

    fn fingerprint(&self) -> Fingerprint {
        ["", "-wal", "-journal"]
            .iter()
            .map(|suffix| {
                let mut name = self.path.as_os_str().to_owned();
                name.push(suffix);
                std::fs::metadata(PathBuf::from(name))
                    .ok()
                    .map(|m| (m.len(), m.modified().map(system_time_ns).unwrap_or(0)))
            })
            .collect()
    }

    /// Whether a stat shows the database changed since it was last read.
    pub fn looks_changed(&self) -> bool {
        self.seen
            .as_ref()
            .is_none_or(|s| s.state != self.fingerprint())
    }

    /// Read what changed (everything with `force`) and report the differences.
    pub fn rescan(&mut self, clock: Clock, force: bool, out: &mut Vec<Update>) {
        self.rescan_in_batches(clock, force, out, &mut |_| {});
    }

    /// `rescan`, handing `out` to `flush` in growing batches of traces, newest first: a
    /// store of 100k traces shows its latest ones while the rest are still being read.
    pub fn rescan_in_batches(
        &mut self,
        clock: Clock,
        force: bool,
        out: &mut Vec<Update>,
        flush: &mut dyn FnMut(&mut Vec<Update>),
    ) {
        let fingerprint = self.fingerprint();
        if !Seen::update(&mut self.seen, fingerprint, clock.now_ns) && !force {
            return;
        }
        let origin: Box<str> = self.path.display().to_string().into();
        let read = sql::open(&self.path).and_then(|conn| {
            let summaries = sql::summaries(&conn)?;
            Ok((conn, summaries))
        });
        let (conn, mut summaries) = match read {
            Ok(r) => r,
            Err(e) => {
                // Locked for longer than the busy timeout, or damaged: say so, keep what
                // was shown, and read again on the next change.
                self.seen = None;
                out.push(Update::Problems {
                    session: None,
                    origin,
                    problems: vec![Problem::new(self.path.display().to_string(), e)],
                });
                return;
            }
        };
        let experiments = sql::experiments(&conn);
        let mut problems = Vec::new();
        if let Some(want) = &self.experiment {
            let ids: BTreeSet<&str> = experiments
                .iter()
                .filter(|(id, name)| *id == want || *name == want)
                .map(|(id, _)| id.as_str())
                .collect();
            if ids.is_empty() {
                problems.push(Problem::new(
                    self.path.display().to_string(),
                    format!("no experiment named or numbered {want} in the database"),
                ));
            }
            summaries.retain(|s| ids.contains(s.experiment.as_str()));
        }
        out.push(Update::Problems {
            session: None,
            origin: origin.clone(),
            problems,
        });
        let now: BTreeSet<&str> = summaries.iter().map(|s| s.id.as_str()).collect();
        let gone: Vec<String> = self
            .traces
            .keys()
            .filter(|id| !now.contains(id.as_str()))
            .cloned()
            .collect();
        for id in gone {
            self.traces.remove(&id);
            out.push(Update::RemoveSession {
                key: session_key(&id),
            });
        }
        let (mut batch, mut in_batch) = (BATCH_FIRST, 0);
        for summary in summaries.into_iter().rev() {
            in_batch += 1;
            if in_batch == batch {
                flush(out);
                in_batch = 0;
                batch = (batch * 2).min(BATCH_MAX);
            }
            if self
                .traces
                .get(&summary.id)
                .is_some_and(|(seen, _)| *seen == summary)
            {
                continue;
            }
            let experiment = experiments.get(&summary.experiment).map(String::as_str);
            let read = sql::read_trace(&conn, &self.path, &summary, experiment);
            let key = read.session.key.clone();
            let keys: BTreeSet<Box<str>> = read.spans.iter().map(|s| s.key.clone()).collect();
            out.push(Update::Session(read.session));
            if let Some((_, before)) = self.traces.get(&summary.id) {
                for gone in before.difference(&keys) {
                    out.push(Update::RemoveSpan {
                        session: key.clone(),
                        key: gone.clone(),
                    });
                }
            }
            for span in read.spans {
                out.push(Update::Span {
                    session: key.clone(),
                    span,
                });
            }
            out.push(Update::Problems {
                session: Some(key),
                origin: origin.clone(),
                problems: read.problems,
            });
            self.traces.insert(summary.id.clone(), (summary, keys));
        }
    }

    /// The database went away: so do its sessions.
    pub fn remove(&mut self, out: &mut Vec<Update>) {
        for id in self.traces.keys() {
            out.push(Update::RemoveSession {
                key: session_key(id),
            });
        }
        self.traces.clear();
        out.push(Update::Problems {
            session: None,
            origin: self.path.display().to_string().into(),
            problems: Vec::new(),
        });
    }
}
