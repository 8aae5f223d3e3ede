//! The filter and the patterns view on the app: applying a filter typed at the `/` prompt,
//! keeping its matches current as spans arrive, and the patterns document.

use super::App;
use super::line_input::{LineInput, Outcome};
use crate::analysis::{Filter, Matches, stats};
use crate::formats::bytes::Pread;
use ratatui::crossterm::event::KeyEvent;

impl App {
    /// Open the filter prompt with the current expression.
    pub fn start_filter(&mut self) {
        let current = self.filter.as_ref().map_or("", |f| f.expr.as_str());
        self.input = Some(LineInput::new(current));
    }

    /// A key while the filter prompt is open.
    pub fn filter_key(&mut self, key: KeyEvent) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        match input.key(key) {
            Outcome::Editing => {}
            Outcome::Cancel => {
                self.input = None;
                self.filter_error = None;
            }
            Outcome::Submit => {
                let expr = input.text.clone();
                if self.apply_filter(&expr) {
                    self.input = None;
                }
            }
        }
    }

    /// Apply `expr` (empty clears the filter); false when it does not parse.
    pub fn apply_filter(&mut self, expr: &str) -> bool {
        if expr.trim().is_empty() {
            self.clear_filter();
            return true;
        }
        let now = if self.now_ns > 0 {
            self.now_ns
        } else {
            crate::model::time::now_ns()
        };
        match Filter::parse(expr, now, self.zone) {
            Ok(filter) => {
                self.filter_error = None;
                let matches = Matches::compute(&self.store, &filter, &mut Pread);
                self.filter = Some(filter);
                self.tree.set_matches(&self.store, Some(matches));
                self.tree.refresh(&self.store);
                if let Some(row) = self.tree.next_match(true) {
                    let before = self.selected();
                    self.tree.select_row(row);
                    if self.selected() != before {
                        // The match is what the person asked to see: a live update must
                        // not move them off it.
                        self.follow = false;
                        self.selection_changed();
                    }
                }
                true
            }
            Err(e) => {
                self.filter_error = Some(e);
                false
            }
        }
    }

    pub fn clear_filter(&mut self) {
        self.filter = None;
        self.filter_error = None;
        self.tree.set_matches(&self.store, None);
        self.tree.refresh(&self.store);
    }

    /// New spans arrived: match the sessions they came to against the active filter (all
    /// sessions only when what changed is no longer known).
    pub(super) fn refilter(&mut self) {
        let Some(filter) = &self.filter else {
            return;
        };
        let changed = self
            .tree
            .matches()
            .and_then(|m| self.store.changed_since(m.generation));
        match changed {
            Some(mut sessions) => {
                sessions.sort_unstable();
                sessions.dedup();
                let store = &self.store;
                self.tree.update_matches(store, &sessions, |m| {
                    m.recompute(store, filter, &mut Pread, &sessions);
                });
            }
            None => {
                let matches = Matches::compute(&self.store, filter, &mut Pread);
                self.tree.set_matches(&self.store, Some(matches));
            }
        }
    }

    pub fn match_count(&self) -> Option<usize> {
        self.tree.matches().map(|m| m.count)
    }

    /// The patterns view's lines, computed again only when the spans or the filter change.
    pub fn patterns_doc(&mut self) -> &stats::Patterns {
        let key = (self.store.generation, self.tree.filter_generation());
        if self.patterns.as_ref().is_some_and(|(k, _)| *k != key) {
            self.patterns = None;
        }
        let (store, matches) = (&self.store, self.tree.matches());
        &self
            .patterns
            .get_or_insert_with(|| (key, stats::document(&stats::compute(store, matches))))
            .1
    }

    /// The patterns document as last computed (drawing only reads).
    pub fn patterns(&self) -> Option<&stats::Patterns> {
        self.patterns.as_ref().map(|(_, patterns)| patterns)
    }

    /// Add `terms` to the filter in force (or make them the filter): drilling down from
    /// the patterns view.
    pub fn narrow_filter(&mut self, terms: &str) {
        let expr = match &self.filter {
            Some(f) => format!("{} {terms}", f.expr),
            None => terms.to_string(),
        };
        if self.apply_filter(&expr) {
            self.focus = super::Focus::Tree;
        } else if let Some(e) = self.filter_error.take() {
            self.notice = Some(format!("Cannot filter by {terms}: {e}"));
        }
    }
}
