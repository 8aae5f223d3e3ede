//! MLflow's local trace store (formats.md section 3): one folder per trace under
//! `<experiment>/traces/`, with `trace_info.yaml` (v3 or v2 layout), tag and metadata files,
//! and `artifacts/traces.json` holding every span once the trace has ended; and its SQL store
//! (`sql.rs`: `mlflow.db`), and what a tracking server answers over REST (`rest.rs`).

pub mod attachment;
pub mod info;
pub mod rest;
pub mod span;
pub mod sql;
pub mod trace;

pub use info::TraceInfo;
pub use trace::{TraceRead, read_trace};

/// Whether a folder is one MLflow trace (it holds `trace_info.yaml`).
pub fn is_trace_dir(dir: &std::path::Path) -> bool {
    dir.join("trace_info.yaml").is_file()
}
