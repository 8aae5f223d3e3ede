//! Old recordings removed when a new one begins, so a receiver left in a login script does
//! not fill the disk: runs last written more than `keep` ago go, then the oldest runs while
//! the folder holds more than `max_total`. A run still being written (its first file is
//! locked by the tracetui writing it) is never touched, nor anything not named as we name
//! recordings.

use super::recording::{run_of, segment_name};
use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Recordings last written longer ago than this are removed by default.
pub const DEFAULT_KEEP: Duration = Duration::from_secs(7 * 24 * 3600);
/// The recordings folder is kept under this by default.
pub const DEFAULT_MAX_TOTAL: u64 = 2 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// `None` keeps every run however old.
    pub keep: Option<Duration>,
    /// `None` lets the folder grow.
    pub max_total: Option<u64>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            keep: Some(DEFAULT_KEEP),
            max_total: Some(DEFAULT_MAX_TOTAL),
        }
    }
}

/// What pruning did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Runs removed (each with all its files).
    pub runs: usize,
    pub bytes: u64,
    /// Files that could not be removed, with why.
    pub failed: Vec<String>,
}

impl Pruned {
    /// One line for the status bar's notice, when there is anything to say.
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.runs > 0 {
            parts.push(format!(
                "removed {} old recording{} ({})",
                self.runs,
                if self.runs == 1 { "" } else { "s" },
                crate::untrusted::fsread::human_size(self.bytes)
            ));
        }
        if let Some(first) = self.failed.first() {
            parts.push(format!("could not remove {first}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// One run's files: `received-<time>-<pid>.jsonl`, then `.2.jsonl`, `.3.jsonl`, ...
struct Run {
    files: Vec<(PathBuf, u64)>,
    last_written: SystemTime,
    bytes: u64,
}

/// Remove what `retention` does not keep from `dir`, as of `now`.
pub fn prune(dir: &Path, retention: &Retention, now: SystemTime) -> Pruned {
    let mut pruned = Pruned::default();
    if retention.keep.is_none() && retention.max_total.is_none() {
        return pruned;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return pruned;
    };
    let mut runs: BTreeMap<String, Run> = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(run_of) else {
            continue;
        };
        // A link or anything but a plain file is not something we wrote.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let run = runs.entry(stem.to_string()).or_insert(Run {
            files: Vec::new(),
            last_written: SystemTime::UNIX_EPOCH,
            bytes: 0,
        });
        run.files.push((entry.path(), meta.len()));
        run.last_written = run.last_written.max(modified);
        run.bytes += meta.len();
    }
    let mut total: u64 = runs.values().map(|r| r.bytes).sum();
    let mut candidates: Vec<Run> = runs
        .into_iter()
        .filter(|(stem, _)| !being_written(&dir.join(segment_name(stem, 1))))
        .map(|(_, run)| run)
        .collect();
    candidates.sort_by_key(|r| r.last_written);
    for run in candidates {
        let too_old = retention
            .keep
            .is_some_and(|keep| now.duration_since(run.last_written).unwrap_or_default() > keep);
        let too_much = retention.max_total.is_some_and(|max| total > max);
        if !too_old && !too_much {
            continue;
        }
        total = total.saturating_sub(run.bytes);
        remove_run(run, &mut pruned);
    }
    pruned
}

fn remove_run(run: Run, pruned: &mut Pruned) {
    let mut removed_all = true;
    for (path, len) in run.files {
        match std::fs::remove_file(&path) {
            Ok(()) => pruned.bytes += len,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                removed_all = false;
                pruned.failed.push(format!(
                    "{}: {}",
                    path.display(),
                    crate::untrusted::fsread::reason(&e)
                ));
            }
        }
    }
    if removed_all {
        pruned.runs += 1;
    }
}

/// Whether a tracetui holds the run's first file locked (it does while it records).
fn being_written(first: &Path) -> bool {
    let Ok(file) = File::open(first) else {
        return false;
    };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed "now", so nothing depends on this machine's clock.
    fn epoch(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 24 * 3600;

    fn write(dir: &Path, name: &str, len: usize, written: u64) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![b'x'; len]).expect("write");
        let file = File::options().write(true).open(&path).expect("open");
        file.set_modified(epoch(written)).expect("set mtime");
        path
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn keep_days(days: u64) -> Retention {
        Retention {
            keep: Some(Duration::from_secs(days * DAY)),
            max_total: None,
        }
    }

    #[test]
    fn runs_last_written_before_keep_go_whole_and_newer_ones_stay() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(dir, "received-old-1.jsonl", 10, NOW - 30 * DAY);
        write(dir, "received-old-1.2.jsonl", 5, NOW - 20 * DAY);
        // Begun long ago, written to yesterday: kept, every segment.
        write(dir, "received-long-2.jsonl", 7, NOW - 40 * DAY);
        write(dir, "received-long-2.2.jsonl", 7, NOW - DAY);
        write(dir, "received-new-3.jsonl", 3, NOW - 2 * DAY);
        let pruned = prune(dir, &keep_days(7), epoch(NOW));
        assert_eq!(pruned.runs, 1);
        assert_eq!(pruned.bytes, 15);
        assert_eq!(
            names(dir),
            [
                "received-long-2.2.jsonl",
                "received-long-2.jsonl",
                "received-new-3.jsonl"
            ]
        );
        assert_eq!(
            pruned.summary().as_deref(),
            Some("removed 1 old recording (15 B)")
        );
    }

    #[test]
    fn past_the_size_cap_the_oldest_runs_go_first() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        write(dir, "received-a-1.jsonl", 400, NOW - 3 * DAY);
        write(dir, "received-b-2.jsonl", 400, NOW - 2 * DAY);
        write(dir, "received-c-3.jsonl", 400, NOW - DAY);
        let cap = Retention {
            keep: None,
            max_total: Some(900),
        };
        let pruned = prune(dir, &cap, epoch(NOW));
        assert_eq!((pruned.runs, pruned.bytes), (1, 400));
        assert_eq!(names(dir), ["received-b-2.jsonl", "received-c-3.jsonl"]);
    }

    #[test]
    fn a_run_being_recorded_and_files_not_ours_are_never_touched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let live = write(dir, "received-live-1.jsonl", 10, NOW - 30 * DAY);
        write(dir, "received-live-1.2.jsonl", 10, NOW - 30 * DAY);
        write(dir, "notes.jsonl", 10, NOW - 30 * DAY);
        write(dir, "received-x.jsonl.gz", 10, NOW - 30 * DAY);
        std::fs::create_dir(dir.join("received-dir-9.jsonl")).expect("mkdir");
        let target = write(dir, "link-target.txt", 10, NOW - 30 * DAY);
        std::os::unix::fs::symlink(&target, dir.join("received-link-5.jsonl")).expect("link");
        let writer = File::options().append(true).open(&live).expect("open");
        writer.try_lock().expect("locked as a recording holds it");
        let before = names(dir);
        let everything = Retention {
            keep: Some(Duration::ZERO),
            max_total: Some(0),
        };
        assert_eq!(prune(dir, &everything, epoch(NOW)), Pruned::default());
        assert_eq!(names(dir), before);
        // Once its writer is gone, the run is old like any other.
        drop(writer);
        let pruned = prune(dir, &everything, epoch(NOW));
        assert_eq!((pruned.runs, pruned.bytes), (1, 20));
    }

    #[test]
    fn off_keeps_everything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "received-a-1.jsonl", 10, 0);
        let off = Retention {
            keep: None,
            max_total: None,
        };
        assert_eq!(prune(tmp.path(), &off, epoch(NOW)).runs, 0);
        assert_eq!(names(tmp.path()).len(), 1);
    }
}
