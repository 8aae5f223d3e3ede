//! tracetui: a terminal UI for the traces of LLM prompt programs and agents.
//!
//! The crate is a library so tests and benches reach every layer; `main.rs` is the CLI.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod compare;
pub mod config;
pub mod detail;
pub mod dump;
pub mod event;
pub mod export;
pub mod fingerprint;
pub mod formats;
pub mod fsread;
#[doc(hidden)]
pub mod fuzzing;
pub mod host;
pub mod ingest;
pub mod input_gate;
pub mod live;
pub mod model;
pub mod receiver;
pub mod sanitize;
pub mod signals;
pub mod terminal;
pub mod tui;
pub mod ui;
pub mod usage;
pub mod watch;
