//! Private files for copies of trace content (a context to edit, a prompt to re-render):
//! each in a fresh folder only we can read, under the temporary directory, never inside a
//! traced folder; files created new, never over something already there.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh folder `tracetui-<what>-<pid>-<ns>-<n>` (mode 0700) under the temporary
/// directory.
pub fn new_dir(what: &str) -> std::io::Result<PathBuf> {
    static MADE: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tracetui-{what}-{}-{}-{}",
        std::process::id(),
        crate::model::time::now_ns(),
        MADE.fetch_add(1, Ordering::Relaxed)
    ));
    // `create`, not `create_all`: a folder someone else made there is refused.
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// A new file `name` (mode 0600) in `dir` holding `bytes`.
pub fn write_new(dir: &Path, name: impl AsRef<Path>, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    file.write_all(bytes)?;
    Ok(path)
}
