//! One POML session folder: what was last seen in it, and the updates when that changes.

use super::settle::{Clock, Seen};
use crate::formats::poml::call::BuildContext;
use crate::formats::poml::{self, Entry, EntryKind, names, session_name};
use crate::model::time::Nanos;
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
    /// Per reported call: the entries it was built from (and since when they look like
    /// that), and when it must be looked at again even if nothing changes (a young call
    /// settling).
    calls: HashMap<Vec<u8>, Reported>,
    strays: Vec<Problem>,
    /// The session header last reported.
    header: Option<SessionRecord>,
}

#[derive(Debug, PartialEq)]
struct Reported {
    files: Seen<Vec<Entry>>,
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
            header: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The session as its name and files say. The name's time is the writer's local time:
    /// it is placed by the first call file's time, and the note says at which offset.
    pub fn session_record(&self) -> SessionRecord {
        let name = display_name(&self.dir);
        let first_file = self
            .entries
            .values()
            .filter(|e| names::index_digits(e.name.as_bytes()).is_some())
            .map(|e| e.mtime_ns)
            .min();
        let (start_ns, note) = match (session_name::parse(&name), first_file) {
            (Some(named), Some(first)) => match session_name::place(named, first) {
                Some(placed) => (
                    Some(placed.start_ns),
                    Some(format!(
                        "name's time read as {} (inferred from its first call's file)",
                        session_name::offset_text(placed.offset_s)
                    )),
                ),
                None => (
                    None,
                    Some("name's time not used: no time zone fits its first call's file".into()),
                ),
            },
            _ => (None, None),
        };
        SessionRecord {
            key: self.key.clone(),
            start_ns,
            id: name.into(),
            source: Source::Poml,
            path: self.dir.to_path_buf(),
            note: note.map(Into::into),
        }
    }

    /// Report the session header if it is new or changed (the first call file placed its
    /// name's time).
    fn report_header(&mut self, out: &mut Vec<Update>) {
        let record = self.session_record();
        if self.header.as_ref() != Some(&record) {
            self.header = Some(record.clone());
            out.push(Update::Session(record));
        }
    }

    /// List the whole folder again and report every difference.
    pub fn rescan(&mut self, clock: Clock, out: &mut Vec<Update>) {
        match poml::list_dir(&self.dir) {
            Ok(entries) => {
                self.entries = entries.into_iter().map(|e| (e.name.clone(), e)).collect();
                self.problems(Vec::new(), out);
            }
            Err(e) => {
                self.entries.clear();
                let problem = Problem::new(
                    self.dir.display().to_string(),
                    format!(
                        "cannot list the folder: {}",
                        crate::untrusted::fsread::describe(&e)
                    ),
                );
                self.problems(vec![problem], out);
            }
        }
        self.report_header(out);
        // Indexes on disk now, and those reported before (which may have gone).
        let indexes: BTreeSet<Vec<u8>> = self
            .entries
            .keys()
            .map(|n| n.as_bytes())
            .chain(self.calls.keys().map(Vec::as_slice))
            .filter_map(|n| names::index_digits(n).map(<[u8]>::to_vec))
            .collect();
        self.regroup(indexes, clock, false, out);
        self.stray_problems(out);
    }

    /// Some entries of this folder changed: `lstat` just those and rebuild their calls.
    pub fn changed(&mut self, names: &[OsString], clock: Clock, out: &mut Vec<Update>) {
        let indexes = self.restat(names);
        self.report_header(out);
        self.regroup(indexes, clock, false, out);
        self.stray_problems(out);
    }

    /// `lstat` the named entries again; the call indexes they belong to.
    fn restat(&mut self, names: &[OsString]) -> BTreeSet<Vec<u8>> {
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
        indexes
    }

    /// When a young call must be looked at again.
    pub fn next_recheck(&self) -> Option<Nanos> {
        self.calls.values().filter_map(|c| c.recheck_at).min()
    }

    /// Look again at the calls whose settle time has come: `lstat` their files, so a call
    /// counts as settled only if it was seen unchanged, and rebuild them.
    pub fn recheck(&mut self, clock: Clock, out: &mut Vec<Update>) {
        let due: BTreeSet<Vec<u8>> = self
            .calls
            .iter()
            .filter(|(_, c)| c.recheck_at.is_some_and(|t| t <= clock.now_ns))
            .filter_map(|(p, _)| names::index_digits(p).map(<[u8]>::to_vec))
            .collect();
        if due.is_empty() {
            return;
        }
        let names: Vec<OsString> = self
            .entries
            .keys()
            .filter(|n| names::index_digits(n.as_bytes()).is_some_and(|d| due.contains(d)))
            .cloned()
            .collect();
        self.restat(&names);
        self.regroup(due, clock, true, out);
    }

    /// Regroup the entries of the given indexes and report calls that appeared, changed or
    /// went away. `force` rebuilds calls even when their files look the same.
    fn regroup(
        &mut self,
        indexes: BTreeSet<Vec<u8>>,
        clock: Clock,
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
                let before = self.calls.remove(&group.prefix);
                let recheck_before = before.as_ref().and_then(|r| r.recheck_at);
                let mut files_seen = before.map(|r| r.files);
                let changed = Seen::update(&mut files_seen, files, clock.now_ns);
                let Some(files_seen) = files_seen else {
                    continue;
                };
                let since = files_seen.since_ns;
                if !force && !changed {
                    let reported = Reported {
                        files: files_seen,
                        recheck_at: recheck_before,
                    };
                    self.calls.insert(group.prefix.clone(), reported);
                    continue;
                }
                let ctx = BuildContext {
                    now_ns: clock.now_ns,
                    young: clock.young(since),
                    seen_since_ns: since,
                };
                let record = poml::build_call(&self.dir, group, ctx);
                // A young call may be waiting for its result, or hiding a half-written
                // context: build it again once it has settled.
                let recheck_at = clock.settles_at(since);
                out.push(Update::Span {
                    session: self.key.clone(),
                    span: record,
                });
                self.calls.insert(
                    group.prefix.clone(),
                    Reported {
                        files: files_seen,
                        recheck_at,
                    },
                );
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
