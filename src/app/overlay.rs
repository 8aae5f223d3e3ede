//! Overlays over the panes (help, patterns, problems, the diff view): which one is open,
//! where it is scrolled to, and what keys do while it is open.

use super::{Action, App, Focus, Node};
use crate::analysis::problems;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverlayKind {
    Help,
    Patterns,
    Problems,
    /// Two calls compared (`App::diff` holds the comparison).
    Diff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overlay {
    pub kind: OverlayKind,
    /// First line shown (help, patterns) or first row shown (problems).
    pub scroll: usize,
    /// The selected row (problems).
    pub selected: usize,
}

impl Overlay {
    pub fn new(kind: OverlayKind) -> Self {
        Self {
            kind,
            scroll: 0,
            selected: 0,
        }
    }
}

/// What an action opens, if it opens an overlay.
fn opens(action: Action) -> Option<OverlayKind> {
    match action {
        Action::Help => Some(OverlayKind::Help),
        Action::Patterns => Some(OverlayKind::Patterns),
        Action::Problems => Some(OverlayKind::Problems),
        _ => None,
    }
}

impl App {
    pub fn open_overlay(&mut self, kind: OverlayKind) {
        self.overlay = Some(Overlay::new(kind));
        match kind {
            OverlayKind::Patterns => {
                self.patterns_doc();
            }
            OverlayKind::Problems => {
                self.problem_list();
            }
            OverlayKind::Help | OverlayKind::Diff => {}
        }
    }

    /// An action while an overlay is open. Moving keys scroll it (or move the problem
    /// selection); the key of another overlay switches to it, its own key closes it, quit
    /// quits, and anything else closes it.
    pub(super) fn overlay_update(&mut self, mut overlay: Overlay, action: Action) {
        let list = overlay.kind == OverlayKind::Problems;
        let step = |at: usize, delta: isize| at.saturating_add_signed(delta);
        let page = match (&self.diff, overlay.kind) {
            (Some(d), OverlayKind::Diff) => d.page.saturating_sub(1).max(1) as isize,
            _ => 10,
        };
        if overlay.kind == OverlayKind::Diff {
            match action {
                Action::NextMatch
                | Action::NextSession
                | Action::PrevMatch
                | Action::PrevSession => {
                    let forward = matches!(action, Action::NextMatch | Action::NextSession);
                    if let Some(diff) = &mut self.diff {
                        match diff.jump(overlay.scroll, forward) {
                            Some(row) => overlay.scroll = row,
                            None => {
                                self.notice = Some("No changes: the two calls are the same.".into())
                            }
                        }
                    }
                    self.overlay = Some(overlay);
                    return;
                }
                _ => {}
            }
        }
        let moved = match action {
            Action::Up => Some(-1),
            Action::Down => Some(1),
            Action::PageUp => Some(-page),
            Action::PageDown => Some(page),
            Action::First => Some(isize::MIN / 2),
            Action::Last => Some(isize::MAX / 2),
            _ => None,
        };
        if let Some(delta) = moved {
            if list {
                let count = self.problem_list().len();
                overlay.selected = step(overlay.selected, delta).min(count.saturating_sub(1));
            } else {
                overlay.scroll = step(overlay.scroll, delta);
                if let (OverlayKind::Diff, Some(d)) = (overlay.kind, &self.diff) {
                    overlay.scroll = overlay.scroll.min(d.max_scroll());
                }
            }
            self.overlay = Some(overlay);
            return;
        }
        match action {
            Action::Quit => self.should_quit = true,
            Action::Toggle | Action::Expand if list => {
                self.overlay = None;
                self.go_to_problem(overlay.selected);
            }
            // Copy what the overlay shows.
            Action::Copy => self.copy(),
            _ => match opens(action) {
                Some(kind) if kind != overlay.kind => self.open_overlay(kind),
                _ => self.overlay = None,
            },
        }
    }

    /// The problems view's rows, listed again only when the store changed.
    pub fn problem_list(&mut self) -> &[problems::Located] {
        let generation = self.store.generation;
        if self
            .problems
            .as_ref()
            .is_some_and(|(g, _)| *g != generation)
        {
            self.problems = None;
        }
        let store = &self.store;
        &self
            .problems
            .get_or_insert_with(|| (generation, problems::all(store)))
            .1
    }

    /// The problems as last listed (drawing only reads).
    pub fn problems(&self) -> &[problems::Located] {
        self.problems.as_ref().map_or(&[], |(_, list)| list)
    }

    /// Select the node the `index`th problem belongs to and show it in the prompt pane.
    fn go_to_problem(&mut self, index: usize) {
        let target = self
            .problem_list()
            .get(index)
            .and_then(|p| match (p.session, p.span) {
                (Some(sid), Some(id)) => Some(Node::Span(sid, id)),
                (Some(sid), None) => Some(Node::Session(sid)),
                _ => None,
            });
        if let Some(node) = target {
            self.follow = false;
            self.focus = Focus::Tree;
            self.tree.select_node(&self.store, node);
            if self.selected() != Some(node) && self.filter.is_some() {
                // The filter hides it: show everything rather than go nowhere.
                self.clear_filter();
                self.tree.select_node(&self.store, node);
            }
            self.selection_changed();
        }
    }
}
