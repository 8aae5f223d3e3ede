//! Input formats: each turns what it reads into model `Update`s and knows how to show a
//! span's payload. No terminal, watcher or UI code lives here.

pub mod bytes;
pub mod file_problems;
pub mod json;
pub mod mlflow;
pub mod otel;
pub mod otlp;
pub mod pml;
pub mod poml;
pub mod reader;
pub mod reply;
pub mod sniff;
pub mod usage;
