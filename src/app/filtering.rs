//! The filter and the patterns view on the app: applying a filter typed at the `/` prompt,
//! keeping its matches current as spans arrive, and the patterns document.

use super::App;
use super::line_input::{LineInput, Outcome};
use crate::analysis::{Filter, Matches, stats};
use crate::formats::bytes::Pread;
use ratatui::crossterm::event::KeyEvent;

/// How long typing pauses before the filter is applied as typed: long enough not to match a
/// million spans per keystroke, short enough to feel immediate.
pub const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(150);

/// The filter prompt while open.
#[derive(Debug)]
pub struct Typing {
    /// When the text last changed and has not been applied yet.
    changed: Option<std::time::Instant>,
    /// The expression applied when the prompt opened (Esc goes back to it).
    before: Option<String>,
}

impl App {
    /// Open the filter prompt with the current expression.
    pub fn start_filter(&mut self) {
        let current = self.filter.as_ref().map(|f| f.expr.clone());
        self.input = Some(LineInput::new(current.as_deref().unwrap_or("")));
        self.typing = Some(Typing {
            changed: None,
            before: current,
        });
    }

    /// Whether typed text waits to be applied (the run loop wakes up for it).
    pub fn preview_pending(&self) -> bool {
        self.typing.as_ref().is_some_and(|t| t.changed.is_some())
    }

    /// Apply the text typed so far once typing has paused: the tree, the matches and the
    /// prompt pane's highlights follow as you type. Text that does not parse yet says why
    /// and leaves the last good filter in place.
    pub(super) fn preview_filter(&mut self) {
        let due = self
            .typing
            .as_ref()
            .and_then(|t| t.changed)
            .is_some_and(|at| at.elapsed() >= self.filter_debounce);
        if !due {
            return;
        }
        if let Some(t) = self.typing.as_mut() {
            t.changed = None;
        }
        let Some(text) = self.input.as_ref().map(|i| i.text.clone()) else {
            return;
        };
        self.apply_filter(&text);
    }

    /// A key while the filter prompt is open.
    pub fn filter_key(&mut self, key: KeyEvent) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        let before = input.text.clone();
        match input.key(key) {
            Outcome::Editing => {
                if input.text != before
                    && let Some(t) = self.typing.as_mut()
                {
                    t.changed = Some(std::time::Instant::now());
                }
            }
            Outcome::Cancel => {
                self.input = None;
                self.filter_error = None;
                // Back to the filter from before the prompt opened, if typing changed it.
                let before = self.typing.take().and_then(|t| t.before);
                let now = self.filter.as_ref().map(|f| f.expr.clone());
                if now != before {
                    match before {
                        Some(expr) => {
                            self.apply_filter(&expr);
                        }
                        None => self.clear_filter(),
                    }
                }
            }
            Outcome::Submit => {
                let expr = input.text.clone();
                if self.apply_filter(&expr) {
                    self.input = None;
                    self.typing = None;
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
                self.prompt.search.jump_pending = filter.texts().next().is_some();
                self.filter = Some(filter);
                self.tree.set_matches(&self.store, Some(matches));
                self.tree.refresh(&self.store);
                // A selection that already matches stays (typing refines the filter
                // around what you look at); otherwise go to the next match.
                let on_match = self.tree.selected_row().is_some_and(|r| {
                    self.tree.rows().get(r).is_some_and(|row| {
                        matches!(row.node, super::Node::Span(..)) && !row.context
                    })
                });
                if !on_match && let Some(row) = self.tree.next_match(true) {
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
