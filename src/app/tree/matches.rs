//! The filter in the call tree: its matches kept with the view, the ancestors of each
//! match opened, and stepping from match to match.

use super::{TreeView, parent_of};
use crate::analysis::Matches;
use crate::app::node::Node;
use crate::model::{SessionId, Store};

impl TreeView {
    /// Show only matches and their ancestors (opening the ancestors), or everything.
    pub fn set_matches(&mut self, store: &Store, matches: Option<Matches>) {
        if let Some(m) = &matches {
            self.open_to_matches(store, m, store.session_ids());
        }
        self.matches = matches;
        self.filter_generation += 1;
    }

    /// The same filter, matched again in `sessions` only (spans came to them): open the
    /// ancestors of their matches. Their rows are rebuilt as the sessions changed.
    pub fn update_matches(
        &mut self,
        store: &Store,
        sessions: &[SessionId],
        update: impl FnOnce(&mut Matches),
    ) {
        let Some(mut matches) = self.matches.take() else {
            return;
        };
        update(&mut matches);
        self.open_to_matches(store, &matches, sessions);
        self.matches = Some(matches);
        self.rematched.extend_from_slice(sessions);
        self.built_for = None;
    }

    fn open_to_matches(&mut self, store: &Store, m: &Matches, sessions: &[SessionId]) {
        for &sid in sessions {
            let Some(session) = store.session(sid) else {
                continue;
            };
            if !m.session_visible(sid) {
                continue;
            }
            for id in session.spans_in_order() {
                if m.is_match(sid, id) {
                    let mut up = parent_of(store, Node::Span(sid, id));
                    while let Some(p) = up {
                        self.set_open(store, p, true);
                        up = parent_of(store, p);
                    }
                }
            }
        }
    }

    pub fn matches(&self) -> Option<&Matches> {
        self.matches.as_ref()
    }

    pub fn filter_generation(&self) -> u64 {
        self.filter_generation
    }

    /// The next (or previous) row that matches the filter, from the selection, wrapping.
    pub fn next_match(&self, forward: bool) -> Option<usize> {
        let n = self.rows.len();
        if n == 0 || self.matches.is_none() {
            return None;
        }
        let at = self.selected_row().unwrap_or(0);
        (1..=n)
            .map(|step| {
                if forward {
                    (at + step) % n
                } else {
                    (at + n - step % n) % n
                }
            })
            .find(|&i| matches!(self.rows[i].node, Node::Span(..)) && !self.rows[i].context)
    }
}
