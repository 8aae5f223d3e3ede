//! Lanes for the Chrome trace format: complete events on one thread must nest strictly, so
//! each span goes on a lane where the innermost span still open is one of its ancestors (or
//! nothing is open). Children share their parent's lane when they fit inside it; siblings
//! that overlap, and children that outlive their parent, get lanes of their own.

use crate::model::time::Nanos;
use crate::model::{Session, SpanId};
use std::collections::HashMap;

/// A finished span's interval.
#[derive(Clone, Copy, Debug)]
pub struct Interval {
    pub id: SpanId,
    pub start: Nanos,
    pub end: Nanos,
}

/// The lane (0-based) of each interval.
pub fn assign(session: &Session, intervals: &[Interval]) -> HashMap<SpanId, usize> {
    let mut order: Vec<usize> = (0..intervals.len()).collect();
    // By start; at the same start the longer one first (it is the outer one); then as given
    // (tree order: parents before children).
    order.sort_by_key(|&i| (intervals[i].start, std::cmp::Reverse(intervals[i].end), i));
    let mut lanes: Vec<Vec<Interval>> = Vec::new();
    let mut lane_of: HashMap<SpanId, usize> = HashMap::with_capacity(intervals.len());
    for i in order {
        let span = intervals[i];
        // Every later span starts at or after this one: what has ended by now is done.
        for lane in &mut lanes {
            while lane.last().is_some_and(|open| open.end <= span.start) {
                lane.pop();
            }
        }
        let fits = |lane: &Vec<Interval>| match lane.last() {
            None => true,
            Some(open) => open.end >= span.end && is_ancestor(session, open.id, span.id),
        };
        let parent_lane = session
            .get(span.id)
            .and_then(|s| s.parent)
            .and_then(|p| lane_of.get(&p).copied());
        let lane = parent_lane
            .filter(|&l| fits(&lanes[l]))
            .or_else(|| lanes.iter().position(fits))
            .unwrap_or_else(|| {
                lanes.push(Vec::new());
                lanes.len() - 1
            });
        lanes[lane].push(span);
        lane_of.insert(span.id, lane);
    }
    lane_of
}

fn is_ancestor(session: &Session, ancestor: SpanId, id: SpanId) -> bool {
    let mut up = session.get(id).and_then(|s| s.parent);
    while let Some(p) = up {
        if p == ancestor {
            return true;
        }
        up = session.get(p).and_then(|s| s.parent);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionRecord, Source, SpanKind, SpanRecord, Store, Update};

    /// (key, parent, start, end) in a fresh session.
    fn session(spans: &[(&str, Option<&str>, Nanos, Nanos)]) -> Store {
        let key: crate::model::SessionKey = "s".into();
        let mut store = Store::new();
        store.apply(Update::Session(SessionRecord {
            key: key.clone(),
            id: "s".into(),
            source: Source::Pml,
            path: "x".into(),
            start_ns: None,
            note: None,
        }));
        for (k, parent, start, end) in spans {
            let mut r = SpanRecord::new(*k, SpanKind::ToolCall, *k);
            r.parent = parent.map(Into::into);
            r.start_ns = Some(*start);
            r.end_ns = Some(*end);
            store.apply(Update::Span {
                session: key.clone(),
                span: r,
            });
        }
        store
    }

    #[test]
    fn children_share_lanes_overlapping_siblings_do_not() {
        let store = session(&[
            ("root", None, 0, 100),
            ("a", Some("root"), 10, 50),
            ("b", Some("root"), 40, 90), // overlaps its sibling a
            ("a1", Some("a"), 20, 30),
            ("b1", Some("b"), 60, 120), // outlives its parent b (and the root)
            ("c", Some("root"), 95, 99),
        ]);
        let (_, s) = store.sessions().next().expect("session");
        let intervals: Vec<Interval> = s
            .spans_in_order()
            .into_iter()
            .map(|id| {
                let span = s.span(id);
                Interval {
                    id,
                    start: span.start_ns().expect("start"),
                    end: span.end_ns().expect("end"),
                }
            })
            .collect();
        let lanes = assign(s, &intervals);
        let lane = |k: &str| lanes[&s.find(k).expect(k)];
        assert_eq!(lane("root"), 0);
        assert_eq!(lane("a"), 0, "inside its parent");
        assert_eq!(lane("a1"), 0);
        assert_ne!(lane("b"), lane("a"), "overlapping siblings");
        assert_ne!(lane("b1"), lane("b"), "does not fit in its parent");
        assert_ne!(lane("b1"), 0);
        assert_eq!(lane("c"), 0, "after a ended, back in its parent's lane");
    }
}
