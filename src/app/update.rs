//! `App::update`: what each action does to the view state.

use super::{Action, App, Focus, Node};
use crate::detail::Tab;
use crate::model::time::Nanos;

impl App {
    pub fn update(&mut self, action: Action) {
        if let Some(overlay) = self.overlay {
            self.overlay_update(overlay, action);
            return;
        }
        let before = self.selected();
        if action.moves_selection(self.focus) {
            self.follow = false;
        }
        // After the wheel, a key brings the selection back into view.
        self.unpin_views();
        match action {
            Action::Quit => self.should_quit = true,
            Action::ToggleFollow => {
                self.follow = !self.follow;
                if self.follow {
                    self.jump_to_newest();
                }
            }
            Action::Help => self.open_overlay(super::OverlayKind::Help),
            Action::Patterns => self.open_overlay(super::OverlayKind::Patterns),
            Action::Problems => self.open_overlay(super::OverlayKind::Problems),
            Action::Mark => self.toggle_mark(),
            Action::Diff => self.diff_marked(),
            Action::DiffPrevious => self.diff_previous(),
            Action::Edit => self.edit(),
            Action::Rerender => self.rerender(false),
            Action::RerenderLive => self.rerender(true),
            Action::Copy => self.copy(),
            Action::Related => {
                let related = self
                    .selected_span()
                    .and_then(|(sid, id)| crate::analysis::relate::related(&self.store, sid, id));
                match related {
                    Some(r) => self
                        .tree
                        .select_node(&self.store, Node::Span(r.session, r.span)),
                    None => self.notify(
                        "Nothing related: o goes between a POML call and the MLflow span that recorded it, and between one span recorded both by MLflow and over OTLP.",
                    ),
                }
            }
            Action::Back => {
                if self.filter.is_some() {
                    self.clear_filter();
                }
            }
            Action::Filter => self.start_filter(),
            Action::NextMatch | Action::PrevMatch => {
                let forward = action == Action::NextMatch;
                let h = self.panes.prompt_body().height as usize;
                // In the prompt pane, n/N go through the matches in the text shown.
                let in_pane = self.focus == Focus::Prompt && self.prompt.step_match(forward, h);
                if !in_pane && let Some(row) = self.tree.next_match(forward) {
                    self.tree.select_row(row);
                }
            }
            Action::FocusNext | Action::FocusPrev => self.cycle_focus(action == Action::FocusNext),
            Action::Up | Action::Down => {
                let delta = if action == Action::Up { -1 } else { 1 };
                match self.focus {
                    Focus::Prompt => self.scroll_prompt(delta),
                    Focus::Timeline => self.move_timeline(delta),
                    Focus::Tree => {
                        self.tree.move_by(delta);
                    }
                }
            }
            Action::PageUp | Action::PageDown => {
                let sign = if action == Action::PageUp { -1 } else { 1 };
                match self.focus {
                    Focus::Prompt => {
                        let page = self.panes.prompt_body().height.max(2) as isize - 1;
                        self.scroll_prompt(sign * page);
                    }
                    Focus::Timeline => {
                        let page = self.panes.timeline_rows().height.max(2) as isize - 1;
                        self.move_timeline(sign * page);
                    }
                    Focus::Tree => {
                        let page = self.panes.tree_body().height.max(2) as isize - 1;
                        self.tree.move_by(sign * page);
                    }
                }
            }
            Action::First | Action::Last => {
                let last = action == Action::Last;
                match self.focus {
                    Focus::Prompt => {
                        let h = self.panes.prompt_body().height as usize;
                        self.prompt.set_scroll(if last { usize::MAX } else { 0 }, h);
                    }
                    Focus::Timeline => {
                        self.move_timeline(if last { isize::MAX / 2 } else { isize::MIN / 2 })
                    }
                    Focus::Tree => {
                        let row = if last {
                            self.tree.rows().len().saturating_sub(1)
                        } else {
                            0
                        };
                        self.tree.select_row(row);
                    }
                }
            }
            Action::Collapse => {
                self.tree.collapse(&self.store);
            }
            Action::Expand => {
                self.tree.expand(&self.store);
            }
            Action::ExpandAll => {
                self.tree.expand_all(&self.store);
            }
            Action::Toggle => {
                self.tree.toggle(&self.store);
            }
            Action::PrevSession | Action::NextSession => {
                if let Some(row) = self.tree.session_row(action == Action::NextSession) {
                    self.tree.select_row(row);
                }
            }
            Action::Tab(n) => {
                let count = self.tabs().len();
                self.prompt.tab = usize::from(n).saturating_sub(1).min(count - 1);
            }
            Action::NextTab | Action::PrevTab => {
                let n = self.tabs().len();
                let i = self.prompt.tab.min(n - 1);
                self.prompt.tab = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
            }
            Action::ZoomIn
            | Action::ZoomOut
            | Action::ZoomFit
            | Action::PanLeft
            | Action::PanRight => {
                self.timeline_action(action);
            }
        }
        self.tree.refresh(&self.store);
        if self.selected() != before {
            self.selection_changed();
        }
    }

    pub(super) fn unpin_views(&mut self) {
        self.tree.unpin();
        if let Some(view) = self
            .selected_session()
            .and_then(|sid| self.timelines.get_mut(&sid))
        {
            view.pinned = false;
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        let order = Focus::ORDER;
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = order.len();
        self.focus = order[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    fn scroll_prompt(&mut self, delta: isize) {
        let h = self.panes.prompt_body().height as usize;
        self.prompt.scroll_by(delta, h);
    }

    /// Move the selection among the timeline's spans (the tree follows).
    fn move_timeline(&mut self, delta: isize) {
        self.prepare_timeline();
        let rows = self.timeline_rows();
        if rows.is_empty() {
            return;
        }
        let current = self.timeline_selected_row().map_or(-1, |r| r as isize);
        let target = if current < 0 && delta < 0 {
            0
        } else {
            (current.saturating_add(delta)).clamp(0, rows.len() as isize - 1) as usize
        };
        let node = rows[target].node;
        self.tree.select_node(&self.store, node);
    }

    fn prepare_timeline(&mut self) {
        let area = self.panes_area();
        self.prepare(area, self.now_ns);
    }

    pub(super) fn panes_area(&self) -> ratatui::layout::Rect {
        let p = self.panes;
        p.tree.union(p.prompt).union(p.timeline).union(p.status)
    }

    /// Session extent and the selected span's place in it, as offsets from its start.
    fn timeline_focus(&self) -> Option<(Nanos, Option<(Nanos, Nanos)>)> {
        let (origin, extent) = self.timeline_extent()?;
        let session = self.store.session(self.selected_session()?)?;
        let selected = self.selected_span().and_then(|(_, id)| {
            let span = session.get(id)?;
            let start = span.start_ns()?;
            let end = if span.in_flight() {
                self.now_ns
            } else {
                span.end_ns().unwrap_or(start)
            };
            Some((start - origin, end.max(start) - origin))
        });
        Some((extent, selected))
    }

    fn timeline_action(&mut self, action: Action) {
        let Some(sid) = self.selected_session() else {
            return;
        };
        let Some((extent, selected)) = self.timeline_focus() else {
            return;
        };
        let view = self.timelines.entry(sid).or_default();
        let center = view.start + view.width(extent) / 2;
        let focus = selected.map_or(center, |(s, _)| s);
        match action {
            Action::ZoomIn => view.zoom_in(focus, extent),
            Action::ZoomOut => view.zoom_out(focus, extent),
            Action::ZoomFit => view.fit(),
            Action::PanLeft => view.pan(-0.25, extent),
            Action::PanRight => view.pan(0.25, extent),
            _ => {}
        }
    }

    /// A new row is selected: show its part of the prompt and its bar.
    pub(super) fn selection_changed(&mut self) {
        // Under a filter with words, a new selection opens at its first match (a message or
        // file row opens at that message or file instead).
        self.prompt.search.jump_pending = self
            .filter
            .as_ref()
            .is_some_and(|f| f.texts().next().is_some())
            && !matches!(self.selected(), Some(Node::Message(..) | Node::File(..)));
        let h = self.panes.prompt_body().height as usize;
        let area = self.panes_area();
        match self.selected() {
            Some(Node::Message(_, _, i)) => {
                self.prompt.tab = tab_position(Tab::Messages);
                self.prepare(area, self.now_ns);
                self.prompt.scroll_to_anchor(i as usize, h);
            }
            Some(Node::File(_, _, i)) => {
                self.prompt.tab = tab_position(Tab::Files);
                self.prepare(area, self.now_ns);
                self.prompt.scroll_to_anchor(i as usize, h);
            }
            _ => {}
        }
        if let (Some(sid), Some((extent, Some((s, e))))) =
            (self.selected_session(), self.timeline_focus())
        {
            self.timelines.entry(sid).or_default().reveal(s, e, extent);
        }
    }
}

/// Where a POML tab sits in the tab bar.
fn tab_position(tab: Tab) -> usize {
    Tab::POML.iter().position(|t| *t == tab).unwrap_or(0)
}
