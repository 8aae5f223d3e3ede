//! Turning terminal input into actions: keys through the keymap, the mouse by position.

use super::{Action, App, Focus, OverlayKind};
use crate::detail::Tab;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

const WHEEL_ROWS: isize = 3;

impl App {
    /// Returns whether anything may have changed on screen.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        // A notice lasts until the next key.
        let had_notice = self.notice.take().is_some();
        if self.input.is_some() {
            self.filter_key(key);
            return true;
        }
        match self.keymap.lookup(key, self.focus) {
            Some(action) => {
                self.prepare_prompt();
                self.update(action);
                true
            }
            // An unbound key still closes an overlay.
            None if self.overlay.is_some() => {
                self.overlay = None;
                true
            }
            None => had_notice,
        }
    }

    pub fn handle_mouse(&mut self, event: MouseEvent) -> bool {
        if self.overlay.is_some() {
            return self.overlay_mouse(event);
        }
        let Some(pane) = self.panes.hit(event.column, event.row) else {
            return false;
        };
        match event.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let delta = if event.kind == MouseEventKind::ScrollUp {
                    -WHEEL_ROWS
                } else {
                    WHEEL_ROWS
                };
                self.scroll_pane(pane, delta);
                true
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                if pane != Focus::Prompt {
                    self.follow = false;
                }
                self.click(pane, event.column, event.row);
                true
            }
            _ => false,
        }
    }

    /// With an overlay open the mouse is its: the wheel scrolls it (moves the selection in
    /// problems and patterns), a click on a row there selects it (a second click acts on
    /// it, as Enter), a click outside closes it.
    fn overlay_mouse(&mut self, event: MouseEvent) -> bool {
        let Some(overlay) = self.overlay else {
            return false;
        };
        match event.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let action = if event.kind == MouseEventKind::ScrollUp {
                    Action::Up
                } else {
                    Action::Down
                };
                for _ in 0..WHEEL_ROWS {
                    self.overlay_update(self.overlay.unwrap_or(overlay), action);
                }
                true
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let area = self.panes_area();
                // Rows a click can select (problems, patterns' lines).
                let rows = match overlay.kind {
                    OverlayKind::Problems => self.problems().len(),
                    OverlayKind::Patterns => self.patterns().map_or(0, |p| p.doc.lines.len()),
                    _ => 0,
                };
                let popup = match overlay.kind {
                    OverlayKind::Diff => super::layout::diff_popup(area),
                    OverlayKind::Problems => super::layout::list_popup(area, rows).0,
                    OverlayKind::Patterns => super::layout::patterns_popup(area, rows).0,
                    // Help: anywhere closes it (it is read, not used).
                    OverlayKind::Help => Rect::default(),
                };
                let inside = popup.contains(Position::new(event.column, event.row));
                let list = overlay.selects();
                if !inside {
                    self.overlay = None;
                } else if list && event.row > popup.y && event.row + 1 < popup.bottom() {
                    let row = overlay.scroll + usize::from(event.row - popup.y - 1);
                    if row < rows {
                        if row == overlay.selected {
                            self.overlay_update(overlay, Action::Toggle);
                        } else if let Some(o) = &mut self.overlay {
                            o.selected = row;
                        }
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// The wheel scrolls the pane under the pointer without moving the selection.
    fn scroll_pane(&mut self, pane: Focus, delta: isize) {
        match pane {
            Focus::Tree => {
                let h = self.panes.tree_body().height as usize;
                self.tree.scroll(delta, h);
            }
            Focus::Prompt => {
                let h = self.panes.prompt_body().height as usize;
                self.prompt.scroll_by(delta, h);
            }
            Focus::Timeline => {
                if let Some(sid) = self.selected_session() {
                    let rows = self.timeline_rows().len();
                    let h = self.panes.timeline_rows().height as usize;
                    let view = self.timelines.entry(sid).or_default();
                    view.pinned = true;
                    let max = rows.saturating_sub(h.max(1)) as isize;
                    view.row_offset =
                        (view.row_offset as isize + delta).clamp(0, max.max(0)) as usize;
                }
            }
        }
    }

    fn click(&mut self, pane: Focus, column: u16, row: u16) {
        let before = self.selected();
        match pane {
            Focus::Tree => {
                let body = self.panes.tree_body();
                if row >= body.y && row < body.y + body.height {
                    let target = self.tree.offset + usize::from(row - body.y);
                    // A click on the selected row toggles it, like Enter.
                    if !self.tree.select_row(target) {
                        self.tree.toggle(&self.store);
                    }
                }
            }
            Focus::Prompt => {
                let tabs = self.panes.prompt_tabs();
                if row == tabs.y {
                    let mut x = tabs.x;
                    let current = self.prompt.current();
                    for (i, text) in tab_labels(self.tabs(), current, tabs.width)
                        .iter()
                        .enumerate()
                    {
                        let w = text.chars().count() as u16;
                        if column >= x && column < x + w {
                            self.prompt.tab = i;
                        }
                        x += w;
                    }
                }
            }
            Focus::Timeline => {
                let rows = self.panes.timeline_rows();
                if row >= rows.y && row < rows.y + rows.height {
                    let view = self.timeline_view();
                    let target = view.row_offset + usize::from(row - rows.y);
                    if let Some(node) = self.timeline_rows().get(target).map(|r| r.node) {
                        self.tree.select_node(&self.store, node);
                    }
                }
            }
        }
        self.tree.refresh(&self.store);
        if self.selected() != before {
            self.selection_changed();
        }
    }
}

/// The tab labels as the pane shows them: ` 1 Messages  2 Context …` when they all fit; else
/// the current tab and as many others as fit (in order) named, the rest by number only. A
/// tab is called the same at every width: narrow panes drop names, never abbreviate them.
pub fn tab_labels(tabs: &[Tab], current: Option<Tab>, width: u16) -> Vec<String> {
    let named = |i: usize, t: Tab| format!(" {} {} ", i + 1, t.title());
    let mut out: Vec<String> = tabs
        .iter()
        .enumerate()
        .map(|(i, &t)| match Some(t) == current {
            true => named(i, t),
            false => format!(" {} ", i + 1),
        })
        .collect();
    let mut used: usize = out.iter().map(|l| l.chars().count()).sum();
    for (i, &t) in tabs.iter().enumerate() {
        let full = named(i, t);
        let more = full.chars().count() - out[i].chars().count();
        if used + more <= usize::from(width) {
            used += more;
            out[i] = full;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tab_is_named_the_same_at_every_width() {
        for width in 0..120 {
            for current in Tab::POML {
                let labels = tab_labels(&Tab::POML, Some(current), width);
                for (i, (label, tab)) in labels.iter().zip(Tab::POML).enumerate() {
                    let number = format!(" {} ", i + 1);
                    let named = format!(" {} {} ", i + 1, tab.title());
                    assert!(*label == number || *label == named, "{label:?} at {width}");
                    if tab == current {
                        assert_eq!(*label, named, "the current tab is always named");
                    }
                }
                // Names are added only while they fit.
                let named_others = labels.iter().filter(|l| l.split(' ').count() > 3).count() > 1;
                let used: usize = labels.iter().map(|l| l.chars().count()).sum();
                assert!(!named_others || used <= usize::from(width), "{labels:?}");
            }
        }
        assert!(
            tab_labels(&Tab::POML, None, 200)
                .iter()
                .zip(Tab::POML)
                .all(|(l, t)| l.contains(t.title())),
            "all named when they fit"
        );
    }
}
