//! Scratch files and folders for targets whose API reads from disk: unique per process and
//! call, removed on drop.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A file under the temp dir, unique to this process and call, removed on drop.
pub(super) struct Scratch(pub(super) PathBuf);

/// A path under the temp dir no other process or call uses: pid and a counter in the name.
fn scratch_path(name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let id = std::process::id();
    std::env::temp_dir().join(format!("tracetui-fuzz-{id}-{n}-{name}"))
}

impl Scratch {
    pub(super) fn new(name: &str, data: &[u8]) -> Self {
        let path = scratch_path(name);
        std::fs::write(&path, data).expect("write scratch file");
        Self(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A folder under the temp dir, unique to this process and call, removed with all it holds
/// on drop.
pub(super) struct ScratchDir(pub(super) PathBuf);

impl ScratchDir {
    pub(super) fn new(name: &str) -> Self {
        let path = scratch_path(name);
        std::fs::create_dir_all(&path).expect("create scratch folder");
        Self(path)
    }

    pub(super) fn write(&self, relative: &str, data: &[u8]) {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create scratch folders");
        }
        std::fs::write(&path, data).expect("write scratch file");
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
