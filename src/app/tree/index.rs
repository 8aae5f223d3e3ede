//! Where each session's rows start in the flattened list, and what they were built from, so
//! that a change rebuilds only the rows from the first changed session on. In a live trace
//! the sessions that change are the newest, at the end: rebuilding every row of every
//! session instead made each frame's work grow with everything loaded (issue 14 item 13).

use crate::model::{SessionId, Store};
use std::ops::Range;

/// No position: the session has no place in the built rows.
const NONE: u32 = u32::MAX;

#[derive(Debug, Default)]
pub(super) struct Index {
    /// The store generation the rows are current with.
    pub generation: u64,
    pub filter_generation: u64,
    /// Whether sessions were open by default (it depends on how many there are).
    pub sessions_open: bool,
    /// The sessions, in the order their rows were laid out.
    order: Vec<SessionId>,
    /// The first row of `order[i]`'s rows (where they would be, if it has none).
    starts: Vec<u32>,
    /// How many span ids `order[i]` had given out when its rows were built.
    slots: Vec<u32>,
    /// By session index: its position in `order`, or `NONE`.
    positions: Vec<u32>,
}

impl Index {
    /// The session at position `at` and the span ids it had given out then, if it is there.
    pub fn at(&self, at: usize) -> Option<(SessionId, usize)> {
        Some((*self.order.get(at)?, *self.slots.get(at)? as usize))
    }

    fn position(&self, sid: SessionId) -> Option<usize> {
        self.positions
            .get(sid.index())
            .filter(|&&p| p != NONE)
            .map(|&p| p as usize)
    }

    /// The rows of session `sid` (empty when it has none).
    pub fn rows_of(&self, sid: SessionId, total: usize) -> Option<Range<usize>> {
        let at = self.position(sid)?;
        let start = self.starts[at] as usize;
        let end = self.starts.get(at + 1).map_or(total, |&e| e as usize);
        Some(start..end)
    }

    /// The first position (in the store's session order) whose rows may differ from those
    /// built: the earliest old or new place of any session in `changed`. Positions before
    /// it hold the same untouched sessions in both orders (moving or adding a session
    /// touches it), so their rows stand.
    pub fn first_stale(&self, store: &Store, changed: &mut Vec<SessionId>) -> usize {
        changed.sort_unstable();
        changed.dedup();
        let order = store.session_ids();
        let mut cut = self.order.len().min(order.len());
        for &sid in changed.iter() {
            if let Some(old) = self.position(sid) {
                cut = cut.min(old);
            }
            // Changed sessions are usually the newest: search from the end.
            if let Some(new) = order.iter().rposition(|&s| s == sid) {
                cut = cut.min(new);
            }
        }
        cut
    }

    /// The session at position `at` was brought up to date with `slots` span ids.
    pub fn set_slots(&mut self, at: usize, slots: usize) {
        if let Some(s) = self.slots.get_mut(at) {
            *s = u32::try_from(slots).unwrap_or(u32::MAX);
        }
    }

    /// Forget positions from `cut` on; returns the first row to rebuild.
    pub fn truncate(&mut self, cut: usize, total_rows: usize) -> usize {
        for &sid in &self.order[cut.min(self.order.len())..] {
            self.positions[sid.index()] = NONE;
        }
        let row = self.starts.get(cut).map_or(total_rows, |&r| r as usize);
        self.order.truncate(cut);
        self.starts.truncate(cut);
        self.slots.truncate(cut);
        row
    }

    /// Session `sid`'s rows start at row `start`, after those already placed; it had given
    /// out `slots` span ids.
    pub fn place(&mut self, sid: SessionId, start: usize, slots: usize) {
        if self.positions.len() <= sid.index() {
            self.positions.resize(sid.index() + 1, NONE);
        }
        self.positions[sid.index()] = self.order.len() as u32;
        self.order.push(sid);
        self.starts.push(start as u32);
        self.slots.push(u32::try_from(slots).unwrap_or(u32::MAX));
    }
}
