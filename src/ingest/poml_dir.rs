//! One POML session folder: what was last seen in it, and the updates when that changes.

use crate::formats::poml::call::BuildContext;
use crate::formats::poml::{self, Entry, EntryKind, names, session_name};
use crate::model::time::{Nanos, Zone};
use crate::model::{Problem, SessionKey, SessionRecord, Source, Update};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

const LISTING: &str = "listing";

#[derive(Debug)]
pub struct PomlDir {
    pub key: SessionKey,
    dir: Arc<Path>,
    entries: BTreeMap<OsString, Entry>,
    /// Per reported call: the entries it was built from, and when it must be looked at again
    /// even if nothing changes (a young call settling).
    calls: HashMap<Vec<u8>, Reported>,
    strays: Vec<Problem>,
}

#[derive(Debug, PartialEq)]
struct Reported {
    files: Vec<Entry>,
    recheck_at: Option<Nanos>,
}

impl PomlDir {
    pub fn new(dir: &Path) -> Self {
        Self {
            key: format!("poml:{}", dir.display()).into(),
            dir: Arc::from(dir),
            entries: BTreeMap::new(),
            calls: HashMap::new(),
            strays: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn session_record(&self, zone: Zone) -> SessionRecord {
        let name = display_name(&self.dir);
        SessionRecord {
            key: self.key.clone(),
            start_ns: session_name::parse(&name, zone),
            id: name.into(),
            source: Source::Poml,
            path: self.dir.to_path_buf(),
            note: None,
        }
    }

    /// List the whole folder again and report every difference.
    pub fn rescan(&mut self, ctx: BuildContext, out: &mut Vec<Update>) {
        match poml::list_dir(&self.dir) {
            Ok(entries) => {
                self.entries = entries.into_iter().map(|e| (e.name.clone(), e)).collect();
                self.problems(Vec::new(), out);
            }
            Err(e) => {
                self.entries.clear();
                let problem = Problem::new(
                    self.dir.display().to_string(),
                    format!("cannot list the folder: {}", crate::fsread::describe(&e)),
                );
                self.problems(vec![problem], out);
            }
        }
        // Indexes on disk now, and those reported before (which may have gone).
        let indexes: BTreeSet<Vec<u8>> = self
            .entries
            .keys()
            .map(|n| n.as_bytes())
            .chain(self.calls.keys().map(Vec::as_slice))
            .filter_map(|n| names::index_digits(n).map(<[u8]>::to_vec))
            .collect();
        self.regroup(indexes, ctx, false, out);
        self.stray_problems(out);
    }

    /// Some entries of this folder changed: `lstat` just those and rebuild their calls.
    pub fn changed(&mut self, names: &[OsString], ctx: BuildContext, out: &mut Vec<Update>) {
        let mut indexes = BTreeSet::new();
        for name in names {
            match Entry::stat(&self.dir, name.clone()) {
                Ok(Some(entry)) => {
                    self.entries.insert(name.clone(), entry);
                }
                _ => {
                    self.entries.remove(name);
                }
            }
            if let Some(digits) = names::index_digits(name.as_bytes()) {
                indexes.insert(digits.to_vec());
            }
        }
        self.regroup(indexes, ctx, false, out);
        self.stray_problems(out);
    }

    /// When a young call must be looked at again.
    pub fn next_recheck(&self) -> Option<Nanos> {
        self.calls.values().filter_map(|c| c.recheck_at).min()
    }

    /// Rebuild the calls whose settle time has come.
    pub fn recheck(&mut self, ctx: BuildContext, out: &mut Vec<Update>) {
        let due: BTreeSet<Vec<u8>> = self
            .calls
            .iter()
            .filter(|(_, c)| c.recheck_at.is_some_and(|t| t <= ctx.now_ns))
            .filter_map(|(p, _)| names::index_digits(p).map(<[u8]>::to_vec))
            .collect();
        self.regroup(due, ctx, true, out);
    }

    /// Regroup the entries of the given indexes and report calls that appeared, changed or
    /// went away. `force` rebuilds calls even when their files look the same.
    fn regroup(
        &mut self,
        indexes: BTreeSet<Vec<u8>>,
        ctx: BuildContext,
        force: bool,
        out: &mut Vec<Update>,
    ) {
        for digits in indexes {
            let mut start = digits.clone();
            start.push(b'.');
            let entries: Vec<Entry> = self
                .entries
                .range(OsString::from(std::ffi::OsStr::from_bytes(&start))..)
                .take_while(|(name, _)| name.as_bytes().starts_with(&start))
                .map(|(_, e)| e.clone())
                .collect();
            let (groups, _) = poml::group_calls(&entries);
            let mut seen = BTreeSet::new();
            for group in &groups {
                seen.insert(group.prefix.clone());
                let files: Vec<Entry> = group.files.iter().map(|(e, _)| (*e).clone()).collect();
                if !force
                    && self
                        .calls
                        .get(&group.prefix)
                        .is_some_and(|r| r.files == files)
                {
                    continue;
                }
                let record = poml::build_call(&self.dir, group, ctx);
                let recheck_at = record
                    .end_ns
                    .filter(|_| record.status == crate::model::Status::Running)
                    .map(|end| end + ctx.settle_ns);
                out.push(Update::Span {
                    session: self.key.clone(),
                    span: record,
                });
                self.calls
                    .insert(group.prefix.clone(), Reported { files, recheck_at });
            }
            let gone: Vec<Vec<u8>> = self
                .calls
                .keys()
                .filter(|p| names::index_digits(p) == Some(&digits[..]) && !seen.contains(*p))
                .cloned()
                .collect();
            for prefix in gone {
                self.calls.remove(&prefix);
                out.push(Update::RemoveSpan {
                    session: self.key.clone(),
                    key: names::lossy(&prefix).into(),
                });
            }
        }
    }

    /// Entries that look like calls but cannot be: folders and special files.
    fn stray_problems(&mut self, out: &mut Vec<Update>) {
        let problems: Vec<Problem> = self
            .entries
            .values()
            .filter(|e| names::index_digits(e.name.as_bytes()).is_some())
            .filter_map(|e| {
                let what = match e.kind {
                    EntryKind::Dir => "a folder where a call file was expected; ignored",
                    EntryKind::Other => "not a regular file; ignored",
                    _ => return None,
                };
                Some(Problem::new(e.name.to_string_lossy(), what))
            })
            .collect();
        if problems == self.strays {
            return;
        }
        self.strays = problems.clone();
        out.push(Update::Problems {
            session: Some(self.key.clone()),
            origin: "entries".into(),
            problems,
        });
    }

    fn problems(&self, problems: Vec<Problem>, out: &mut Vec<Update>) {
        out.push(Update::Problems {
            session: Some(self.key.clone()),
            origin: LISTING.into(),
            problems,
        });
    }
}

/// A folder's own name, even for `.` or a path ending in `..`.
pub fn display_name(dir: &Path) -> String {
    let named = dir
        .file_name()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_string_lossy().into_owned());
    named
        .or_else(|| {
            std::fs::canonicalize(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| dir.display().to_string())
}
