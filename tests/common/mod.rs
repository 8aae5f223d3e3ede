//! Helpers shared by the integration tests: the real corpus unpacked with its mtimes, and
//! running the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The corpus written by the real poml and mlflow packages, unpacked once per test binary
/// from the tarball (git does not keep the modification times the timeline is built from).
pub fn corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        unpack(&fixture("corpus-public.tar.gz"), dir.path());
        dir
    })
    .path()
    .join("public")
    .leak()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn unpack(tarball: &Path, into: &Path) {
    let file = std::fs::File::open(tarball).expect("fixture tarball");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive.set_preserve_mtime(true);
    archive.set_preserve_permissions(true);
    archive.unpack(into).expect("unpack fixture");
}

pub fn tracetui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetui"))
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run tracetui")
}

pub fn dump_json(paths: &[&Path]) -> serde_json::Value {
    let mut args = vec!["dump", "--format", "json"];
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let out = tracetui(&args);
    assert!(
        out.status.success(),
        "dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("dump prints JSON")
}

pub fn manifest() -> serde_json::Value {
    let text = std::fs::read(corpus().join("manifest.json")).expect("manifest");
    serde_json::from_slice(&text).expect("manifest is JSON")
}
