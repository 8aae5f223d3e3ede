//! What changed, kept as it changes: which sessions each batch touched (so views redo only
//! those) and the store-wide counts the status bar shows every frame (so no frame walks
//! every session to sum them).

use crate::model::ids::SessionId;
use crate::model::session::Session;
use crate::model::span::Source;
use std::collections::VecDeque;

/// The last `N` changes, by the store generation that made them: a view further behind
/// than the log reaches redoes everything.
#[derive(Debug)]
pub(super) struct ChangeLog<T, const N: usize> {
    entries: VecDeque<(u64, T)>,
    /// Changes up to this generation have been forgotten.
    floor: u64,
}

impl<T, const N: usize> Default for ChangeLog<T, N> {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
            floor: 0,
        }
    }
}

impl<T: Copy, const N: usize> ChangeLog<T, N> {
    pub(super) fn record(&mut self, generation: u64, item: T) {
        if self.entries.len() == N
            && let Some((forgotten, _)) = self.entries.pop_front()
        {
            self.floor = forgotten;
        }
        self.entries.push_back((generation, item));
    }

    /// What changed after `generation` (with repeats), or `None` when that is no longer
    /// known.
    pub(super) fn since(&self, generation: u64) -> Option<impl Iterator<Item = T> + '_> {
        if generation < self.floor {
            return None;
        }
        let from = self.entries.partition_point(|&(g, _)| g <= generation);
        Some(self.entries.range(from..).map(|&(_, item)| item))
    }
}

/// One session's share of the store-wide counts, as last added in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Share {
    spans: usize,
    running: bool,
    problems: usize,
    not_poml: bool,
    stand_in: bool,
}

impl Share {
    pub(super) fn of(session: &Session) -> Self {
        Self {
            spans: session.span_count(),
            running: session.any_running(),
            problems: session.problem_count(),
            not_poml: session.source != Source::Poml,
            stand_in: session.is_stand_in(),
        }
    }
}

/// The sums of every live session's share.
#[derive(Debug, Default)]
pub(super) struct Totals {
    shares: Vec<Share>,
    pub spans: usize,
    pub running_sessions: usize,
    pub problems: usize,
    pub not_poml_sessions: usize,
    /// Sessions whose one row stands in for spans not read yet (counted in `spans`).
    pub stand_ins: usize,
}

impl Totals {
    /// Replace a session's share (`None`: it is gone).
    pub(super) fn set(&mut self, id: SessionId, share: Option<Share>) {
        if self.shares.len() <= id.index() {
            self.shares.resize(id.index() + 1, Share::default());
        }
        let old = std::mem::replace(&mut self.shares[id.index()], share.unwrap_or_default());
        let new = self.shares[id.index()];
        self.spans = self.spans - old.spans + new.spans;
        self.problems = self.problems - old.problems + new.problems;
        self.running_sessions =
            self.running_sessions - usize::from(old.running) + usize::from(new.running);
        self.not_poml_sessions =
            self.not_poml_sessions - usize::from(old.not_poml) + usize::from(new.not_poml);
        self.stand_ins = self.stand_ins - usize::from(old.stand_in) + usize::from(new.stand_in);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_answers_what_it_remembers_and_says_when_it_forgot() {
        const LOG_ENTRIES: usize = 100;
        let mut log = ChangeLog::<SessionId, LOG_ENTRIES>::default();
        for g in 1..=(LOG_ENTRIES as u64 + 10) {
            log.record(g, SessionId(g as u32 % 3));
        }
        let since = |g| log.since(g).map(Iterator::collect::<Vec<_>>);
        assert_eq!(since(LOG_ENTRIES as u64 + 10), Some(vec![]));
        let last = LOG_ENTRIES as u64 + 10;
        assert_eq!(
            since(last - 2),
            Some(vec![
                SessionId((last - 1) as u32 % 3),
                SessionId(last as u32 % 3)
            ])
        );
        assert_eq!(since(0), None);
        assert!(since(10).is_some());
        assert_eq!(since(9), None);
    }
}
