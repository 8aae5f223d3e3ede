//! Which call to compare with which: the same call in an earlier run (by name), and two runs'
//! calls paired by index and name.

use crate::model::{SessionId, SpanId, Store};

/// What pairs two spans across runs: a POML call's index and name; for spans without an
/// index, the name and how many spans of that name came before it (event ids differ from run
/// to run, names and order do not).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MatchKey {
    Indexed(u64, String),
    Nth(String, usize),
}

/// Each live span of a session with its match key, in tree order.
pub fn keyed(store: &Store, sid: SessionId) -> Vec<(SpanId, MatchKey)> {
    let Some(session) = store.session(sid) else {
        return Vec::new();
    };
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    session
        .spans_in_order()
        .into_iter()
        .map(|id| {
            let span = session.span(id);
            let name = store.name(span.name);
            let key = match span.index() {
                Some(i) => MatchKey::Indexed(i, name.to_string()),
                None => {
                    let n = seen.entry(name).or_default();
                    *n += 1;
                    MatchKey::Nth(name.to_string(), *n)
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
    let old_keys = keyed(old.0, old.1);
    let new_keys = keyed(new.0, new.1);
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
/// call of the same name; of its calls with that name, the one at the same position among
/// them, else the last. Calls without a name have no "same call".
pub fn previous_run(store: &Store, sid: SessionId, id: SpanId) -> Option<(SessionId, SpanId)> {
    let session = store.session(sid)?;
    let span = session.get(id)?;
    let name = store.name(span.name);
    if name.is_empty() {
        return None;
    }
    let same_name = |s: SessionId| -> Vec<SpanId> {
        store.session(s).map_or_else(Vec::new, |session| {
            session
                .spans_in_order()
                .into_iter()
                .filter(|&other| store.name(session.span(other).name) == name)
                .collect()
        })
    };
    let position = same_name(sid).iter().position(|&other| other == id)?;
    let order = store.session_ids();
    let at = order.iter().position(|&s| s == sid)?;
    order[..at].iter().rev().find_map(|&earlier| {
        let candidates = same_name(earlier);
        let pick = candidates.get(position).or(candidates.last())?;
        Some((earlier, *pick))
    })
}
