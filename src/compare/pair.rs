//! Which call to compare with which: the same call in an earlier run, and two runs' calls
//! paired by index, or by where they sit in the tree and name.

use crate::model::{Session, SessionId, SpanId, Store};
use std::collections::HashMap;

/// What pairs two spans across runs: a POML call's index and name; for spans without an
/// index, their path (the names from the root down to it) and how many spans on that path
/// came before it. Event ids differ from run to run; names, nesting and order do not, and
/// the path keeps the "llm" under a planner apart from the "llm" under a summarizer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MatchKey {
    Indexed(u64, String),
    Nth(PathId, usize),
}

/// A path of span names from a root, numbered by `Paths`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathId(u32);

/// Numbers paths of names so that the same path in two runs (of one store or two) gets the
/// same number: each path is its parent's number and its own name, so numbering a whole
/// session is linear however deep it nests.
#[derive(Debug, Default)]
pub struct Paths(HashMap<(Option<PathId>, String), PathId>);

impl Paths {
    fn id(&mut self, parent: Option<PathId>, name: &str) -> PathId {
        let next = PathId(u32::try_from(self.0.len()).unwrap_or(u32::MAX));
        *self.0.entry((parent, name.to_string())).or_insert(next)
    }
}

/// Each live span of a session with its match key, in tree order; paths numbered in
/// `paths` (share it between the sessions compared).
pub fn keyed(store: &Store, sid: SessionId, paths: &mut Paths) -> Vec<(SpanId, MatchKey)> {
    let Some(session) = store.session(sid) else {
        return Vec::new();
    };
    let order = session.spans_in_order();
    // Parents come before their children in tree order; an orphan's path starts at it.
    let mut path_of: HashMap<SpanId, PathId> = HashMap::with_capacity(order.len());
    let mut seen: HashMap<PathId, usize> = HashMap::new();
    order
        .into_iter()
        .map(|id| {
            let span = session.span(id);
            let name = store.name(span.name);
            let parent = span.parent.and_then(|p| path_of.get(&p).copied());
            let path = paths.id(parent, name);
            path_of.insert(id, path);
            let key = match span.index() {
                Some(i) => MatchKey::Indexed(i, name.to_string()),
                None => {
                    let n = seen.entry(path).or_default();
                    *n += 1;
                    MatchKey::Nth(path, *n)
                }
            };
            (id, key)
        })
        .collect()
}

/// One row of two runs side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pair {
    Both(SpanId, SpanId),
    OnlyOld(SpanId),
    OnlyNew(SpanId),
}

/// Pair the spans of two sessions (of one store or two) by `MatchKey`: the old run's order,
/// with calls only the new run has after them.
pub fn sessions(old: (&Store, SessionId), new: (&Store, SessionId)) -> Vec<Pair> {
    let mut paths = Paths::default();
    let old_keys = keyed(old.0, old.1, &mut paths);
    let new_keys = keyed(new.0, new.1, &mut paths);
    let mut by_key: std::collections::HashMap<&MatchKey, SpanId> =
        new_keys.iter().map(|(id, k)| (k, *id)).collect();
    let mut pairs: Vec<Pair> = old_keys
        .iter()
        .map(|(id, k)| match by_key.remove(k) {
            Some(other) => Pair::Both(*id, other),
            None => Pair::OnlyOld(*id),
        })
        .collect();
    pairs.extend(
        new_keys
            .iter()
            .filter(|(_, k)| by_key.contains_key(k))
            .map(|(id, _)| Pair::OnlyNew(*id)),
    );
    pairs
}

/// The same call in the run before: the nearest earlier session (in start order) with a
/// call of the same name. In it, the call at the same place (same path from the root, as
/// many before it on that path), else the one at the same position among the calls of that
/// name, else the last of them. POML calls, numbered by position in their run, go by name
/// and position alone. Calls without a name have no "same call".
pub fn previous_run(store: &Store, sid: SessionId, id: SpanId) -> Option<(SessionId, SpanId)> {
    let session = store.session(sid)?;
    let span = session.get(id)?;
    let name = store.name(span.name);
    if name.is_empty() {
        return None;
    }
    let same_name = |session: &Session| -> Vec<SpanId> {
        let mut ids = session.spans_in_order();
        ids.retain(|&other| store.name(session.span(other).name) == name);
        ids
    };
    let position = same_name(session).iter().position(|&other| other == id)?;
    let mut paths = Paths::default();
    let place = match span.index() {
        Some(_) => None,
        None => keyed(store, sid, &mut paths)
            .into_iter()
            .find_map(|(other, key)| (other == id).then_some(key)),
    };
    let order = store.session_ids();
    let at = order.iter().position(|&s| s == sid)?;
    order[..at].iter().rev().find_map(|&earlier| {
        let candidates = same_name(store.session(earlier)?);
        let fallback = candidates.get(position).or(candidates.last())?;
        let same_place = place.as_ref().and_then(|place| {
            keyed(store, earlier, &mut paths)
                .into_iter()
                .find_map(|(other, key)| (key == *place).then_some(other))
        });
        Some((earlier, same_place.unwrap_or(*fallback)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionRecord, Source, SpanKind, SpanRecord, Update};

    /// A run: (key, name, parent key) in tree order, started at `start` seconds.
    fn run(store: &mut Store, id: &str, start: i64, spans: &[(&str, &str, Option<&str>)]) {
        let key: crate::model::SessionKey = id.into();
        store.apply(Update::Session(SessionRecord {
            key: key.clone(),
            id: id.into(),
            source: Source::Pml,
            path: "x".into(),
            start_ns: Some(start * crate::model::time::NS_PER_SEC),
            note: None,
        }));
        for (i, (k, name, parent)) in spans.iter().enumerate() {
            let mut r = SpanRecord::new(*k, SpanKind::ToolCall, *name);
            r.parent = parent.map(Into::into);
            r.start_ns = Some((start * 1000 + i as i64) * crate::model::time::NS_PER_MS);
            store.apply(Update::Span {
                session: key.clone(),
                span: r,
            });
        }
    }

    /// Run a: a planner and a summarizer each ask the model once, then a reviewer does.
    /// Run b: the planner asks twice (a retry), the summarizer once; no reviewer.
    fn two_runs() -> Store {
        let mut store = Store::new();
        run(
            &mut store,
            "a",
            1,
            &[
                ("a1", "agent", None),
                ("a2", "planner", Some("a1")),
                ("a3", "llm", Some("a2")),
                ("a4", "summarizer", Some("a1")),
                ("a5", "llm", Some("a4")),
                ("a6", "reviewer", Some("a1")),
                ("a7", "llm", Some("a6")),
            ],
        );
        run(
            &mut store,
            "b",
            2,
            &[
                ("b1", "agent", None),
                ("b2", "planner", Some("b1")),
                ("b3", "llm", Some("b2")),
                ("b4", "llm", Some("b2")),
                ("b5", "summarizer", Some("b1")),
                ("b6", "llm", Some("b5")),
            ],
        );
        store
    }

    fn span(store: &Store, session: &str, key: &str) -> (SessionId, SpanId) {
        let sid = store
            .session_ids()
            .iter()
            .copied()
            .find(|&s| store.session(s).is_some_and(|x| &*x.id == session))
            .expect("session");
        let id = store.session(sid).and_then(|s| s.find(key)).expect(key);
        (sid, id)
    }

    #[test]
    fn runs_pair_by_place_in_the_tree_not_by_name_alone() {
        let store = two_runs();
        let (a, _) = span(&store, "a", "a1");
        let (b, _) = span(&store, "b", "b1");
        let key = |sid: SessionId, id: SpanId| store.session(sid).map(|s| s.key(id).to_string());
        let rows: Vec<(Option<String>, Option<String>)> = sessions((&store, a), (&store, b))
            .into_iter()
            .map(|pair| match pair {
                Pair::Both(o, n) => (key(a, o), key(b, n)),
                Pair::OnlyOld(o) => (key(a, o), None),
                Pair::OnlyNew(n) => (None, key(b, n)),
            })
            .collect();
        let row = |o: Option<&str>, n: Option<&str>| (o.map(String::from), n.map(String::from));
        assert_eq!(
            rows,
            [
                row(Some("a1"), Some("b1")),
                row(Some("a2"), Some("b2")),
                row(Some("a3"), Some("b3")),
                // The summarizer's call pairs with the summarizer's, not the planner's retry.
                row(Some("a4"), Some("b5")),
                row(Some("a5"), Some("b6")),
                row(Some("a6"), None),
                row(Some("a7"), None),
                row(None, Some("b4")),
            ]
        );
    }

    #[test]
    fn the_previous_run_of_a_call_is_the_one_at_the_same_place() {
        let store = two_runs();
        let previous = |key: &str| {
            let (sid, id) = span(&store, "b", key);
            let (psid, pid) = previous_run(&store, sid, id).expect("a previous run");
            store.session(psid).map(|s| s.key(pid).to_string())
        };
        // Third "llm" of run b (the summarizer's): by position it would be the reviewer's.
        assert_eq!(previous("b6").as_deref(), Some("a5"));
        assert_eq!(previous("b3").as_deref(), Some("a3"));
        // The planner's retry has no twin: the same position among the "llm" calls.
        assert_eq!(previous("b4").as_deref(), Some("a5"));
        assert_eq!(previous("b5").as_deref(), Some("a4"));
        // Run a is the first: nothing before it.
        let (sid, id) = span(&store, "a", "a3");
        assert_eq!(previous_run(&store, sid, id), None);
    }
}
