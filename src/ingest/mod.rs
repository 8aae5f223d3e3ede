//! Turning opened paths into model updates: discovering trace roots, listing and re-reading
//! what changed. The same code serves the startup scan, live events and rescans, so
//! "loaded at once" and "arrived bit by bit" give the same store.

pub mod discover;
pub mod ingestor;
pub mod live;
pub mod mlflow_db;
pub mod mlflow_dir;
pub mod mlflow_server;
pub mod poml_dir;
pub mod settle;
pub mod tail;
pub mod trace_file;
pub mod watch;

pub use ingestor::{Ingestor, LoadProgress, Options, load};
