//! One MLflow trace folder: read again whenever its files change (they are few and small
//! until `traces.json` lands), reporting the session, its spans, and what went away.

use super::settle::{Clock, Seen};
use crate::formats::mlflow::trace;
use crate::formats::poml::call::BuildContext;
use crate::model::time::{Nanos, system_time_ns};
use crate::model::{Problem, SessionKey, Update};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What the folder's files looked like when last read: a change to any re-reads it.
type Fingerprint = Vec<Option<(u64, Nanos)>>;

#[derive(Debug)]
pub struct MlflowDir {
    dir: PathBuf,
    /// Known once `trace_info.yaml` has been read.
    pub key: Option<SessionKey>,
    /// The files as last seen, and since when they look like that.
    seen: Option<Seen<Fingerprint>>,
    spans: BTreeSet<Box<str>>,
    recheck_at: Option<Nanos>,
}

impl MlflowDir {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            key: None,
            seen: None,
            spans: BTreeSet::new(),
            recheck_at: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn fingerprint(&self) -> Fingerprint {
        let stat = |p: PathBuf| {
            std::fs::symlink_metadata(p)
                .ok()
                .map(|m| (m.len(), m.modified().map(system_time_ns).unwrap_or(0)))
        };
        vec![
            stat(self.dir.join("trace_info.yaml")),
            stat(self.dir.join("artifacts")),
            stat(self.dir.join("artifacts").join("traces.json")),
            stat(self.dir.join("tags")),
            stat(self.dir.join("request_metadata")),
        ]
    }

    /// Read the folder again if anything in it changed (or `force`), and report the
    /// differences.
    pub fn rescan(&mut self, clock: Clock, force: bool, out: &mut Vec<Update>) {
        let fingerprint = self.fingerprint();
        let changed = Seen::update(&mut self.seen, fingerprint, clock.now_ns);
        if !force && !changed {
            return;
        }
        let since = self.seen.as_ref().map_or(clock.now_ns, |s| s.since_ns);
        let ctx = BuildContext {
            now_ns: clock.now_ns,
            young: clock.young(since),
            seen_since_ns: since,
        };
        let origin: Box<str> = self.dir.display().to_string().into();
        let read = match trace::read_trace(&self.dir, ctx) {
            Ok(read) => read,
            Err(e) => {
                // Not readable as a trace (yet): drop what it showed, say why once it has
                // stayed that way for the settle time.
                self.remove(out);
                self.recheck_at = clock.settles_at(since);
                if self.recheck_at.is_none() {
                    out.push(Update::Problems {
                        session: None,
                        origin,
                        problems: vec![Problem::new(self.dir.display().to_string(), e)],
                    });
                }
                return;
            }
        };
        out.push(Update::Problems {
            session: None,
            origin: origin.clone(),
            problems: Vec::new(),
        });
        if self.key.as_ref().is_some_and(|k| *k != read.session.key) {
            self.remove(out);
        }
        let key = read.session.key.clone();
        self.key = Some(key.clone());
        out.push(Update::Session(read.session));
        let now: BTreeSet<Box<str>> = read.spans.iter().map(|s| s.key.clone()).collect();
        for gone in self.spans.difference(&now) {
            out.push(Update::RemoveSpan {
                session: key.clone(),
                key: gone.clone(),
            });
        }
        self.spans = now;
        for span in read.spans {
            out.push(Update::Span {
                session: key.clone(),
                span,
            });
        }
        out.push(Update::Problems {
            session: Some(key),
            origin,
            problems: read.problems,
        });
        // A trace in flight turns stale if its spans never come, and a young one (a
        // traces.json half written) settles: look again then.
        let stale = read.pending.then(|| {
            (trace::written_at(&self.dir, ctx) + trace::ACTIVE_WINDOW_NS)
                .max(clock.now_ns + clock.settle_ns)
        });
        self.recheck_at = stale.into_iter().chain(clock.settles_at(since)).min();
    }

    /// The folder went away, or stopped being a trace: so does its session.
    pub fn remove(&mut self, out: &mut Vec<Update>) {
        if let Some(key) = self.key.take() {
            out.push(Update::RemoveSession { key });
        }
        self.spans.clear();
    }

    pub fn next_recheck(&self) -> Option<Nanos> {
        self.recheck_at
    }

    pub fn recheck(&mut self, clock: Clock, out: &mut Vec<Update>) {
        if self.recheck_at.is_some_and(|t| t <= clock.now_ns) {
            self.recheck_at = None;
            self.rescan(clock, true, out);
        }
    }
}
