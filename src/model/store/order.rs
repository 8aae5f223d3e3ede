//! Sessions in start order, kept sorted as sessions come and their start moves: only the
//! sessions whose place may have changed are taken out and put back by binary search, not
//! the whole list sorted again per batch (live traces add a session at the end every few
//! batches; a sort of tens of thousands of sessions each time was a tenth of the UI's work).

use super::Store;
use crate::model::ids::SessionId;
use crate::model::session::Session;
use crate::model::time::Nanos;

/// What sessions are ordered by: start (none: last), then key (unique).
fn sort_key(session: &Session) -> (Nanos, &str) {
    (sort_start(session), &session.key)
}

pub(super) fn sort_start(session: &Session) -> Nanos {
    session.start_ns().unwrap_or(Nanos::MAX)
}

impl Store {
    /// Put the sessions in `self.unplaced` where they now belong.
    pub(super) fn place_unplaced(&mut self) {
        if self.unplaced.is_empty() {
            return;
        }
        let mut moving = std::mem::take(&mut self.unplaced);
        moving.sort_unstable();
        moving.dedup();
        // Out first: the rest is still sorted, so each can go back by binary search. A new
        // session was never in (a search of the whole order for each of thousands of new
        // sessions was most of a large load's ordering); one placed before is found by the
        // start it was placed by.
        for &id in &moving {
            let placed = self
                .placed_by
                .get(id.index())
                .is_some_and(|&p| p != NEVER_PLACED);
            if !placed {
                continue;
            }
            let at = self
                .placed_at(id)
                .or_else(|| self.order.iter().rposition(|&s| s == id));
            if let Some(at) = at {
                self.order.remove(at);
            }
        }
        let sessions = &self.sessions;
        let key = |id: SessionId| sessions[id.index()].as_ref().map(sort_key);
        for id in moving {
            let Some(mine) = key(id) else {
                continue; // removed since
            };
            let at = self
                .order
                .partition_point(|&other| key(other).is_some_and(|k| k < mine));
            self.order.insert(at, id);
            if self.placed_by.len() <= id.index() {
                self.placed_by.resize(id.index() + 1, NEVER_PLACED);
            }
            self.placed_by[id.index()] = mine.0;
        }
    }

    /// Where `id` stands in the order, by binary search: the order is sorted by the start
    /// each session was placed by, then by key.
    fn placed_at(&self, id: SessionId) -> Option<usize> {
        let placed = |s: SessionId| {
            let start = *self.placed_by.get(s.index())?;
            Some((start, &*self.sessions[s.index()].as_ref()?.key))
        };
        let mine = placed(id)?;
        let at = self
            .order
            .partition_point(|&other| placed(other).is_some_and(|k| k < mine));
        (self.order.get(at) == Some(&id)).then_some(at)
    }
}

/// `placed_by` of a session not in the order yet: no session starts there (times are
/// clamped well inside the range).
const NEVER_PLACED: Nanos = Nanos::MIN;

#[cfg(test)]
mod tests {
    use crate::model::{SessionKey, SessionRecord, Source, SpanKind, SpanRecord, Status};
    use crate::model::{Store, Update};

    /// Sessions come, move (an earlier span, a new named start) and go in a deterministic
    /// jumble; after every batch the order is the sorted one and the counts are the sums.
    #[test]
    fn the_order_and_counts_kept_as_they_change_equal_those_recomputed() {
        let mut seed = 7u64;
        let mut below = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut store = Store::new();
        let mut keys: Vec<SessionKey> = Vec::new();
        for step in 0..2_000u64 {
            let update = match below(10) {
                0 | 1 => {
                    let key: SessionKey = format!("k{step}").into();
                    keys.push(key.clone());
                    Update::Session(SessionRecord {
                        key,
                        id: "s".into(),
                        source: if below(2) == 0 {
                            Source::Pml
                        } else {
                            Source::Poml
                        },
                        path: "x".into(),
                        start_ns: (below(3) > 0).then(|| below(1_000) as i64),
                        note: None,
                    })
                }
                2 if keys.len() > 2 => Update::RemoveSession {
                    key: keys.remove(below(keys.len() as u64) as usize),
                },
                _ if !keys.is_empty() => {
                    let key = keys[below(keys.len() as u64) as usize].clone();
                    let mut span =
                        SpanRecord::new(format!("s{}", below(50)), SpanKind::ToolCall, "t");
                    span.start_ns = Some(below(1_000) as i64);
                    span.status = if below(4) == 0 {
                        Status::Running
                    } else {
                        Status::Ok
                    };
                    Update::Span { session: key, span }
                }
                _ => continue,
            };
            store.apply(update);
            let ids = store.session_ids();
            let sorted = ids.windows(2).all(|w| {
                let key = |id| {
                    let s = store.session(id).expect("live");
                    (s.start_ns().unwrap_or(i64::MAX), s.key.clone())
                };
                key(w[0]) < key(w[1])
            });
            assert!(sorted, "step {step}");
            assert_eq!(ids.len(), keys.len(), "step {step}");
            // Every placed session is found where it stands by binary search (the linear
            // search behind it is only a fallback).
            for (at, &id) in store.order.iter().enumerate() {
                assert_eq!(store.placed_at(id), Some(at), "step {step}");
            }
            let sessions = || store.sessions().map(|(_, s)| s);
            assert_eq!(
                store.span_count(),
                sessions().map(|s| s.span_count()).sum::<usize>()
            );
            assert_eq!(store.any_running(), sessions().any(|s| s.any_running()));
            assert_eq!(
                store.problem_count(),
                sessions().map(|s| s.problem_count()).sum::<usize>()
            );
            let all_poml = sessions().all(|s| s.source == Source::Poml);
            assert_eq!(store.span_noun(), if all_poml { "calls" } else { "spans" });
        }
    }
}
