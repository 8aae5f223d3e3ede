//! The settle rule: something written live (a last line without its newline, a JSON
//! document, a POML call, an MLflow trace) counts as finished once tracetui has seen it
//! unchanged for the settle time, measured on its own clock between its own reads. A
//! file's modification time is never compared with this machine's clock for that: it comes
//! from whichever machine wrote the file (a share, a container, a copied folder), whose
//! clock may run ahead or behind.

use crate::model::time::Nanos;

/// What a read is judged by: the ingest clock, the settle time, and whether more writes
/// can come at all.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// The ingest thread's steady clock (`time::steady_ns`) or a test's.
    pub now_ns: Nanos,
    pub settle_ns: Nanos,
    /// A headless load: nothing more is coming, take everything as it is.
    pub finished: bool,
}

impl Clock {
    /// Seen as it is since `since_ns`, and not for the settle time yet: it may still be
    /// being written.
    pub fn young(&self, since_ns: Nanos) -> bool {
        !self.finished && self.now_ns.saturating_sub(since_ns) < self.settle_ns
    }

    /// When something seen as it is since `since_ns` settles, if it has not.
    pub fn settles_at(&self, since_ns: Nanos) -> Option<Nanos> {
        self.young(since_ns)
            .then(|| since_ns.saturating_add(self.settle_ns))
    }
}

/// A state (sizes and times from `stat`, the files of a call) and when tracetui first saw
/// it as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen<S> {
    pub state: S,
    pub since_ns: Nanos,
}

impl<S: PartialEq> Seen<S> {
    /// Record `state` as seen at `now_ns`; a state unlike the last one starts its quiet
    /// time over. Returns whether it changed (or was seen for the first time).
    pub fn update(slot: &mut Option<Self>, state: S, now_ns: Nanos) -> bool {
        match slot {
            Some(seen) if seen.state == state => false,
            _ => {
                *slot = Some(Self {
                    state,
                    since_ns: now_ns,
                });
                true
            }
        }
    }
}

/// When a file last changed, as far as tracetui can tell: its modification time, unless
/// tracetui saw it change earlier than that (the writer's clock runs ahead of ours).
pub fn changed_at(mtime_ns: Nanos, seen_since_ns: Nanos) -> Nanos {
    mtime_ns.min(seen_since_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = 1_000_000_000;

    fn clock(now_ns: Nanos) -> Clock {
        Clock {
            now_ns,
            settle_ns: S,
            finished: false,
        }
    }

    #[test]
    fn young_until_seen_unchanged_for_the_settle_time() {
        assert!(clock(100 * S).young(100 * S));
        assert!(clock(100 * S).young(99 * S + 1));
        assert!(
            !clock(100 * S).young(99 * S),
            "unchanged for a second: settled"
        );
        assert_eq!(clock(100 * S).settles_at(100 * S), Some(101 * S));
        assert_eq!(clock(100 * S).settles_at(10 * S), None);
        let done = Clock {
            finished: true,
            ..clock(100 * S)
        };
        assert!(
            !done.young(100 * S),
            "a headless load takes things as they are"
        );
    }

    #[test]
    fn a_changed_state_starts_the_quiet_time_over() {
        let mut seen = None;
        assert!(Seen::update(&mut seen, (10, 5), 100));
        assert!(!Seen::update(&mut seen, (10, 5), 200));
        assert_eq!(seen.as_ref().map(|s| s.since_ns), Some(100));
        assert!(Seen::update(&mut seen, (11, 5), 300));
        assert_eq!(seen.as_ref().map(|s| s.since_ns), Some(300));
    }

    #[test]
    fn a_file_time_ahead_of_our_clock_gives_way_to_what_we_saw() {
        assert_eq!(changed_at(50, 80), 50, "an older file time stands");
        assert_eq!(
            changed_at(10_000, 80),
            80,
            "a future one is capped at when we saw the change"
        );
    }
}
