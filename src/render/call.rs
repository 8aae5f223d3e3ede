//! A traced call named the way a person types it (`.../0003.planner`, `.../0003`, or any of
//! its files), and the files of it that re-rendering reads.

use crate::formats::poml::{group_calls, list_dir, names};
use crate::untrusted::fsread;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Small files (`.env`) are read up to this much.
const SMALL_LIMIT: u64 = 64 << 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceCall {
    pub dir: PathBuf,
    /// `0003.planner`: what every file of the call starts with.
    pub prefix: OsString,
}

impl TraceCall {
    /// The call `path` names. Its folder must list it: a prefix that matches no call file is
    /// refused rather than guessed at.
    pub fn find(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        if path.is_dir() {
            return Err(format!(
                "{shown} is a folder: give one call (its prefix, e.g. {shown}/0001.name), or use --all"
            ));
        }
        let name = path
            .file_name()
            .ok_or_else(|| format!("{shown}: not a call"))?
            .as_bytes()
            .to_vec();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let prefixes = prefixes_in(&dir).map_err(|e| format!("cannot open {shown}: {e}"))?;
        let exact = prefixes.iter().find(|p| **p == name);
        let extends: Vec<&Vec<u8>> = prefixes
            .iter()
            .filter(|p| {
                p.strip_prefix(&name[..])
                    .is_some_and(|r| r.starts_with(b"."))
            })
            .collect();
        let file_of = prefixes
            .iter()
            .filter(|p| {
                name.strip_prefix(&p[..])
                    .is_some_and(|r| r.starts_with(b"."))
            })
            .max_by_key(|p| p.len());
        let found = exact
            .or(match extends.as_slice() {
                [one] => Some(*one),
                _ => None,
            })
            .or(file_of)
            .ok_or_else(|| {
                format!(
                    "{shown}: no such call (give a call prefix such as pomlruns/<session>/0003.planner, or any of its files)"
                )
            })?;
        Ok(Self {
            dir,
            prefix: OsString::from_vec(found.clone()),
        })
    }

    /// A call known by its folder and prefix (the UI's).
    pub fn new(dir: &Path, prefix: &OsStr) -> Self {
        Self {
            dir: dir.to_path_buf(),
            prefix: prefix.to_os_string(),
        }
    }

    /// Every call of a run folder, in index order.
    pub fn all_in(dir: &Path) -> Result<Vec<Self>, String> {
        let prefixes =
            prefixes_in(dir).map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
        Ok(prefixes
            .into_iter()
            .map(|p| Self {
                dir: dir.to_path_buf(),
                prefix: OsString::from_vec(p),
            })
            .collect())
    }

    /// The path of the call's file with `suffix` (`.context.json`), there or not.
    pub fn path(&self, suffix: &str) -> PathBuf {
        let mut name = self.prefix.clone();
        name.push(suffix);
        self.dir.join(name)
    }

    /// `session/0003.planner`, as a label (not sanitized).
    pub fn label(&self) -> String {
        self.dir.join(&self.prefix).display().to_string()
    }

    pub fn name(&self) -> String {
        names::lossy(self.prefix.as_bytes())
    }

    /// The whole file with `suffix`, or `None` when the call has none; a file too large or
    /// unreadable is an error, not an absence.
    pub fn read(&self, suffix: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        let path = self.path(suffix);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let prefix = fsread::read_prefix(&path, limit)
            .map_err(|e| format!("{}: {}", path.display(), fsread::describe(&e)))?;
        if prefix.truncated() {
            return Err(format!(
                "{}: too large ({}; the limit is {})",
                path.display(),
                fsread::human_size(prefix.len),
                fsread::human_size(limit)
            ));
        }
        Ok(Some(prefix.bytes))
    }

    /// `SOURCE_PATH` from the call's `.env`, as written.
    pub fn source_path(&self) -> Option<PathBuf> {
        let env = self.read(".env", SMALL_LIMIT).ok().flatten()?;
        crate::formats::poml::call::source_path(&env).map(|p| PathBuf::from(&*p))
    }

    /// The file the `.source.poml` link points at, when it resolves to a file.
    pub fn link_target(&self) -> Option<PathBuf> {
        let link = self.path(".source.poml");
        std::fs::symlink_metadata(&link)
            .ok()
            .filter(|m| m.file_type().is_symlink())?;
        std::fs::canonicalize(&link).ok().filter(|p| p.is_file())
    }

    /// The person's prompt file today: the link's target, else `SOURCE_PATH` if it is there.
    pub fn live_source(&self) -> Option<PathBuf> {
        self.link_target().or_else(|| {
            self.source_path()
                .filter(|p| p.is_absolute() && p.is_file())
        })
    }
}

/// The prefixes of the calls in `dir` that have a `.poml` (the source re-rendering needs).
fn prefixes_in(dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    let entries = list_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => fsread::describe(&e),
    })?;
    let (groups, _) = group_calls(&entries);
    Ok(groups
        .into_iter()
        .filter(|g| g.files.iter().any(|(_, s)| s == b".poml"))
        .map(|g| g.prefix)
        .collect())
}
