//! Private files for copies of trace content (a context to edit, a prompt to re-render, under
//! the temporary directory) and for the receiver's recording: folders only we can enter
//! (0700), files only we can read (0600), created new, never over something already there,
//! never inside a traced folder.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Folders `new_dir` made that are still there: an ending signal removes them, since no
/// destructor runs then.
static MADE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn made() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    MADE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fresh folder `tracetui-<what>-<pid>-<ns>-<n>` (mode 0700) under the temporary
/// directory; remove it with `remove_dir`.
pub fn new_dir(what: &str) -> std::io::Result<PathBuf> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tracetui-{what}-{}-{}-{}",
        std::process::id(),
        crate::model::time::now_ns(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    // `create`, not `create_all`: a folder someone else made there is refused.
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    made().push(dir.clone());
    Ok(dir)
}

/// Remove a folder `new_dir` made, with what it holds.
pub fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    made().retain(|d| d != dir);
}

/// Remove every folder `new_dir` made that is still there (the process is ending by a
/// signal: copies of trace content must not outlive it).
pub fn remove_all_made() {
    for dir in std::mem::take(&mut *made()) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The first of `roots` that `path` lies inside, links resolved (a path not there yet is
/// made absolute): what keeps our own files out of the folders being traced.
pub fn inside<'a>(path: &Path, roots: &'a [PathBuf]) -> Option<&'a PathBuf> {
    let resolved = |p: &Path| {
        std::fs::canonicalize(p)
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let at = resolved(path);
    roots.iter().find(|root| at.starts_with(resolved(root)))
}

/// `dir` and any missing parents, each made with mode 0700 (folders already there are
/// left as they are: they may be the user's own, such as `~/.local/state`).
pub fn create_dir_all(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A new file at `path` (mode 0600), for writing, or appending; never one already there.
pub fn create_new(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .append(append)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// A new file `name` (mode 0600) in `dir` holding `bytes`.
pub fn write_new(dir: &Path, name: impl AsRef<Path>, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(name);
    create_new(&path, false)?.write_all(bytes)?;
    Ok(path)
}
