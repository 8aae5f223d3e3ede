//! Overlays over the panes (help, patterns, problems, the diff view): which one is open,
//! where it is scrolled to, and what keys do while it is open.

use super::{Action, App, Focus, Node};
use crate::analysis::problems;
use crate::analysis::stats::Target;

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
    /// First line shown (help, patterns, diff) or first row shown (problems).
    pub scroll: usize,
    /// The selected row (problems) or line (patterns).
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

    /// Whether the overlay moves a selection (rather than only scrolling).
    pub fn selects(self) -> bool {
        matches!(self.kind, OverlayKind::Problems | OverlayKind::Patterns)
    }

    /// The selection kept among `count` rows, and scrolled into a view `visible` rows high.
    pub fn keep_selected_in_view(&mut self, count: usize, visible: usize) {
        self.selected = self.selected.min(count.saturating_sub(1));
        self.scroll = self.scroll.clamp(
            self.selected.saturating_sub(visible.saturating_sub(1)),
            self.selected,
        );
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
                let first = self.patterns_line(0, true, 0);
                if let Some(o) = &mut self.overlay {
                    o.selected = first;
                }
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
        let list = overlay.selects();
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
            if list && overlay.kind == OverlayKind::Patterns {
                let at = step(overlay.selected, delta);
                overlay.selected = self.patterns_line(at, delta >= 0, overlay.selected);
            } else if list {
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
            Action::Toggle | Action::Expand if overlay.kind == OverlayKind::Problems => {
                self.overlay = None;
                self.go_to_problem(overlay.selected);
            }
            Action::Toggle | Action::Expand if overlay.kind == OverlayKind::Patterns => {
                self.go_to_pattern(overlay);
            }
            // Copy what the overlay shows.
            Action::Copy => self.copy(),
            _ => match opens(action) {
                Some(kind) if kind != overlay.kind => self.open_overlay(kind),
                _ => self.overlay = None,
            },
        }
    }

    /// The patterns line the cursor lands on when it moves to `at`: the nearest line that
    /// leads somewhere (a tool, a sequence, a call), looking `forward` first, then back.
    /// Headings and blank lines are passed over; with nothing to go to, `stay`.
    fn patterns_line(&mut self, at: usize, forward: bool, stay: usize) -> usize {
        let targets = &self.patterns_doc().targets;
        let leads = |i: &usize| targets.get(*i).is_some_and(Option::is_some);
        let last = targets.len().saturating_sub(1);
        let at = at.min(last);
        let ahead = (at..targets.len()).find(leads);
        let behind = (0..=at).rev().find(leads);
        let found = if forward {
            ahead.or(behind)
        } else {
            behind.or(ahead)
        };
        found.unwrap_or(stay)
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
            self.go_to(node);
        }
    }

    /// Enter on the patterns view's selected line: a call is selected, a tool or sequence
    /// narrows the filter; the view stays open on a line that leads nowhere.
    fn go_to_pattern(&mut self, overlay: Overlay) {
        let targets = &self.patterns_doc().targets;
        match targets.get(overlay.selected).cloned().flatten() {
            Some(Target::Span(sid, id)) => {
                self.overlay = None;
                self.go_to(Node::Span(sid, id));
            }
            Some(Target::Filter(terms)) => {
                self.overlay = None;
                self.narrow_filter(&terms);
            }
            None => {
                self.overlay = Some(overlay);
                self.notice =
                    Some("Enter goes to a call (slowest, failed) or filters by a tool.".into());
            }
        }
    }

    /// Select `node` in the tree (showing everything if the filter hides it) and show it in
    /// the prompt pane.
    fn go_to(&mut self, node: Node) {
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
