//! The first read of everything under the opened paths (and a full rescan): discover,
//! drop what went away, read event files, POML sessions and MLflow traces, handing out
//! updates in batches with the progress so far.

use super::{Ingestor, LoadProgress};
use crate::ingest::discover;
use crate::ingest::mlflow_db::MlflowDb;
use crate::ingest::mlflow_dir::MlflowDir;
use crate::ingest::poml_dir::PomlDir;
use crate::ingest::trace_file::TraceFile;
use crate::model::time::Nanos;
use crate::model::{Problem, Update};
use std::path::PathBuf;

impl Ingestor {
    /// `scan`, handing out updates in batches as it goes (after each part of a file and
    /// each session folder), with how far it has got, so the updates can be applied (or
    /// shown) while the rest is still being read.
    pub fn scan_into(&mut self, now_ns: Nanos, emit: &mut dyn FnMut(Vec<Update>, &LoadProgress)) {
        let mut out = Vec::new();
        let clock = self.clock(now_ns);
        let mut sessions = Vec::new();
        let mut mlflow_traces = Vec::new();
        let mut trace_files = Vec::new();
        let mut dbs: Vec<PathBuf> = Vec::new();
        for root in &self.roots {
            // What discovery says of a root is kept apart from what its files say: a root
            // that is itself a file (or an mlruns folder, a database) uses its own path for
            // its readers' problems, and a rescan must not clear those.
            let origin: Box<str> = format!("discovery of {}", root.display()).into();
            if !root.exists() {
                // Not there yet: the watcher waits for it; that is not a problem.
                out.push(Update::Problems {
                    session: None,
                    origin: origin.clone(),
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
                origin: origin.clone(),
                problems,
            });
            sessions.extend(found.poml_sessions);
            mlflow_traces.extend(found.mlflow_traces);
            dbs.extend(found.mlflow_dbs.iter().cloned());
            if found.trace_files.is_empty()
                && found.problems.is_empty()
                && found.mlflow_dbs.is_empty()
                && std::fs::metadata(root).is_ok_and(|m| m.is_file())
            {
                out.push(Update::Problems {
                    session: None,
                    origin: origin.clone(),
                    problems: vec![Problem::new(
                        root.display().to_string(),
                        "not a trace file tracetui reads (POML folders, PML events, OTLP/JSON)",
                    )],
                });
            }
            trace_files.extend(found.trace_files);
        }
        // A file followed under a name discovery would not pick (rotated to
        // `traces.json.old`) stays while it exists.
        let listed: std::collections::HashSet<PathBuf> =
            trace_files.iter().map(|(f, _, _)| f.clone()).collect();
        let (gone_files, kept): (Vec<PathBuf>, Vec<PathBuf>) = self
            .files
            .keys()
            .filter(|p| !listed.contains(*p))
            .cloned()
            .partition(|p| !std::fs::metadata(p).is_ok_and(|m| m.is_file()));
        let kept: Vec<_> = kept
            .into_iter()
            .filter_map(|p| {
                let file = self.files.get(&p)?;
                Some((p.clone(), file.format(), file.layout()))
            })
            .collect();
        trace_files.extend(kept);
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
            let file = self
                .files
                .entry(path.clone())
                .or_insert_with(|| TraceFile::new(path, format, layout));
            loop {
                let more = file.read(clock, &mut out).more;
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
            let dir = self
                .poml
                .entry(path.clone())
                .or_insert_with(|| PomlDir::new(&path));
            dir.rescan(clock, &mut out);
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
                .rescan(clock, false, &mut out);
            progress.folders_read += 1;
            emit(std::mem::take(&mut out), &progress);
        }
        let gone: Vec<PathBuf> = self
            .dbs
            .keys()
            .filter(|p| !dbs.contains(p))
            .cloned()
            .collect();
        for path in gone {
            if let Some(mut db) = self.dbs.remove(&path) {
                db.remove(&mut out);
            }
        }
        for path in dbs {
            let experiment = self.options.experiment.clone();
            self.dbs
                .entry(path.clone())
                .or_insert_with(|| MlflowDb::new(&path, experiment))
                .rescan_in_batches(clock, false, &mut out, &mut |batch| {
                    emit(std::mem::take(batch), &progress)
                });
            emit(std::mem::take(&mut out), &progress);
        }
        emit(out, &progress);
    }
}
