//! tracetui: a terminal UI for the traces of LLM prompt programs and agents.
//!
//! The crate is a library so tests and benches reach every layer; `main.rs` is the CLI.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod compare;
pub mod detail;
pub mod dump;
pub mod export;
pub mod formats;
// Entry points for the fuzz crate and the seed replays: not part of the shipped library.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod model;
pub mod receiver;
pub mod render;
pub mod terminal;
pub mod ui;
pub mod untrusted;
