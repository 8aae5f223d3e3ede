//! What an event file's reader does, whatever the format: the tailer hands it one JSON
//! value at a time (a line, an array element, an SSE frame) and it turns them into updates.

use super::file_problems::FileProblems;
use crate::model::time::Nanos;
use crate::model::{LineRef, SessionKey, Update};
use std::collections::HashSet;

/// The clock a reader judges "still running" by.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub now_ns: Nanos,
    /// When the file last changed: its modification time, capped at when tracetui saw it
    /// change (`ingest::settle::changed_at`).
    pub file_changed_ns: Nanos,
}

pub trait ValueReader: std::fmt::Debug + Send {
    /// One JSON value; `kind` is a type given from outside it (an SSE event's name). When
    /// `bytes` are exactly the file's bytes at `at`, the reader may remember where parts
    /// of it are, so `dump` can copy them without parsing again.
    fn value_as(
        &mut self,
        bytes: &[u8],
        at: LineRef,
        kind: Option<&str>,
        ctx: Context,
        out: &mut Vec<Update>,
    );

    fn value(&mut self, bytes: &[u8], at: LineRef, ctx: Context, out: &mut Vec<Update>) {
        self.value_as(bytes, at, None, ctx, out);
    }

    /// A value longer than the line limit: only its length is known.
    fn cut(&mut self, at: LineRef, full: u64) {
        self.problems().line(
            at.number(),
            format!(
                "value of {} is too large to read; skipped",
                crate::untrusted::fsread::human_size(full)
            ),
        );
    }

    fn problems(&mut self) -> &mut FileProblems;

    /// Every session this file has put spans in.
    fn sessions(&self) -> &HashSet<SessionKey>;

    /// Spans started and not ended: they turn from running to stopped as time passes.
    fn has_open(&self) -> bool {
        false
    }

    /// When an open span would turn from running to stopped.
    fn goes_stale_at(&self, _ctx: Context) -> Option<Nanos> {
        None
    }

    /// Report open spans whose status changed with the clock.
    fn recheck(&mut self, _ctx: Context, _out: &mut Vec<Update>) {}
}
