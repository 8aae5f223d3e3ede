//! tracetui: a terminal UI for the traces of LLM prompt programs and agents.
//!
//! The crate is a library so tests and benches reach every layer; `main.rs` is the CLI.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod detail;
pub mod dump;
pub mod event;
pub mod formats;
pub mod fsread;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod live;
pub mod model;
pub mod sanitize;
pub mod terminal;
pub mod tui;
pub mod ui;
pub mod watch;
