//! Headless output of the model the UI draws: JSON for scripts and tests, text for people.

pub mod json;
pub mod text;

use crate::model::Session;
use crate::model::time::{Nanos, ns_to_ms};

/// Whole milliseconds between two times, as a difference of their millisecond floors, so
/// `start_ms + duration_ms` is always the end's `ms`.
pub fn ms_between(start: Nanos, end: Nanos) -> i64 {
    ns_to_ms(end) - ns_to_ms(start)
}

/// The gap before each span: its start minus the latest end among the spans before it in the
/// session (in display order); `None` for the first or when times are unknown.
pub fn gaps(session: &Session, order: &[crate::model::SpanId]) -> Vec<Option<Nanos>> {
    let mut latest_end: Option<Nanos> = None;
    order
        .iter()
        .map(|&id| {
            let span = session.span(id);
            let gap = match (latest_end, span.start_ns) {
                (Some(end), Some(start)) => Some(start - end),
                _ => None,
            };
            if let Some(end) = span.end_ns.or(span.start_ns) {
                latest_end = Some(latest_end.map_or(end, |l| l.max(end)));
            }
            gap
        })
        .collect()
}
