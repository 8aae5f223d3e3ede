//! Headless output of the model the UI draws: JSON for scripts and tests, text for people.

pub mod json;
mod span;
pub mod text;
pub mod writer;

use crate::model::time::{Nanos, ns_to_ms};

/// Whole milliseconds between two times, as a difference of their millisecond floors, so
/// `start_ms + duration_ms` is always the end's `ms`.
pub fn ms_between(start: Nanos, end: Nanos) -> i64 {
    ns_to_ms(end) - ns_to_ms(start)
}
