//! A private scratch folder for one render (the prompt copy, its `.env`, the context and
//! stylesheet, the output), under the temporary directory and never inside a folder being
//! watched or read: removed when dropped, on success and on error alike.

use crate::untrusted::private_files;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A fresh folder, refused when the temporary directory lies inside one of `avoid`
    /// (the renderer's files would land in a trace).
    pub fn new(avoid: &[PathBuf]) -> std::io::Result<Self> {
        let tmp = std::env::temp_dir();
        if let Some(root) = private_files::inside(&tmp, avoid) {
            return Err(std::io::Error::other(format!(
                "the temporary folder {} is inside {}: set TMPDIR to a folder outside the traces",
                tmp.display(),
                root.display()
            )));
        }
        Ok(Self {
            dir: private_files::new_dir("render")?,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write a new private file `name` in the folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        private_files::write_new(&self.dir, name, bytes)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        private_files::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_gone_when_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = Scratch::new(&[]).expect("scratch");
        let file = scratch.write("call.poml", b"<poml/>").expect("write");
        let mode = std::fs::metadata(scratch.dir())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private: {mode:o}");
        let dir = scratch.dir().to_path_buf();
        drop(scratch);
        assert!(!file.exists() && !dir.exists());
    }

    #[test]
    fn refused_inside_an_avoided_folder() {
        let err = Scratch::new(&[std::env::temp_dir()]).expect_err("inside");
        assert!(err.to_string().contains("TMPDIR"), "{err}");
    }
}
