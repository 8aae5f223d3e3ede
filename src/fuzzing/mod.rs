//! Fuzz targets: one function per target, driving a public API with arbitrary bytes and
//! panicking when an invariant breaks. `fuzz/` (cargo-fuzz) and `tests/fuzz_regress.rs` call them.

mod checks;
mod feed;
mod otel;
mod pml;
mod poml;
mod scratch;
mod tail;
mod text;

#[cfg(test)]
mod regress;

use crate::model::time::{NS_PER_SEC, Nanos};

pub use otel::{mlflow_rest, mlflow_trace, otlp_batch, receiver_proto};
pub use pml::{pml_document, pml_lines, pml_sse};
pub use poml::{poml_call, poml_names, poml_result};
pub use tail::tail;
pub use text::{filter, sanitize, sniff};

/// A fixed "now" (2023-11-14), so runs are reproducible.
const NOW: Nanos = 1_700_000_000 * NS_PER_SEC;
