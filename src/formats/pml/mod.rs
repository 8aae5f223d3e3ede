//! PML tool-call traces (formats.md sections 0 and 2): the documented event shape, PML's
//! sandbox start/end events, execution traces and SSE captures, in JSON Lines, JSON arrays
//! or `event:`/`data:` streams.

pub mod body;
mod pairs;
pub mod raw;
pub mod reader;
mod shapes;
pub mod sse;

pub use reader::{Context, PmlReader};
