//! Where each pane goes for a terminal size; the app keeps the last one for scrolling and
//! mouse hits, and the UI draws into it.

use ratatui::layout::{Position, Rect};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Panes {
    pub tree: Rect,
    pub prompt: Rect,
    pub timeline: Rect,
    pub status: Rect,
}

/// A popup of at most `width` x `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The diff view: the whole screen above the status bar.
pub fn diff_popup(area: Rect) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1))
}

/// The popup of a list overlay (problems) holding `rows` rows, and how many rows fit in it.
pub fn list_popup(area: Rect, rows: usize) -> (Rect, usize) {
    let height = u16::try_from(rows.max(1) + 2).unwrap_or(u16::MAX);
    let popup = centered(area, 120, height.min(area.height.saturating_sub(2).max(3)));
    (popup, popup.height.saturating_sub(2) as usize)
}

/// The patterns popup for a document of `lines` lines, and how many lines fit in it.
pub fn patterns_popup(area: Rect, lines: usize) -> (Rect, usize) {
    let height = u16::try_from(lines + 2).unwrap_or(u16::MAX);
    let popup = centered(area, 110, height);
    (popup, popup.height.saturating_sub(2) as usize)
}

impl Panes {
    pub fn new(area: Rect) -> Self {
        let status_h = area.height.min(1);
        let body_h = area.height - status_h;
        // The timeline takes about a third of the height, within sensible bounds.
        let timeline_h = if body_h < 12 {
            body_h / 3
        } else {
            (body_h / 3).clamp(7, 18)
        };
        let top_h = body_h - timeline_h;
        let tree_w = if area.width < 60 {
            area.width / 2
        } else {
            (area.width * 2 / 5).clamp(30, 64)
        };
        Self {
            tree: Rect::new(area.x, area.y, tree_w, top_h),
            prompt: Rect::new(area.x + tree_w, area.y, area.width - tree_w, top_h),
            timeline: Rect::new(area.x, area.y + top_h, area.width, timeline_h),
            status: Rect::new(area.x, area.y + body_h, area.width, status_h),
        }
    }

    pub fn tree_body(&self) -> Rect {
        inner(self.tree)
    }

    /// The prompt pane below its tab bar.
    pub fn prompt_body(&self) -> Rect {
        let r = inner(self.prompt);
        let tabs = r.height.min(1);
        Rect::new(r.x, r.y + tabs, r.width, r.height - tabs)
    }

    pub fn prompt_tabs(&self) -> Rect {
        let r = inner(self.prompt);
        Rect::new(r.x, r.y, r.width, r.height.min(1))
    }

    /// The timeline's bar rows (below its header, above its axis).
    pub fn timeline_rows(&self) -> Rect {
        let r = inner(self.timeline);
        let axis = r.height.min(1);
        Rect::new(r.x, r.y, r.width, r.height - axis)
    }

    pub fn hit(&self, column: u16, row: u16) -> Option<super::Focus> {
        let p = Position::new(column, row);
        if self.tree.contains(p) {
            Some(super::Focus::Tree)
        } else if self.prompt.contains(p) {
            Some(super::Focus::Prompt)
        } else if self.timeline.contains(p) {
            Some(super::Focus::Timeline)
        } else {
            None
        }
    }
}

/// Inside a one-cell border.
pub fn inner(r: Rect) -> Rect {
    if r.width < 2 || r.height < 2 {
        return Rect::new(r.x, r.y, 0, 0);
    }
    Rect::new(r.x + 1, r.y + 1, r.width - 2, r.height - 2)
}

/// The label column of the timeline: wide enough for `0003 tool_caller`, never most of it.
pub fn timeline_label_width(width: u16) -> u16 {
    (width / 4).clamp(0, 28)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen_at_any_size() {
        for (w, h) in [(0, 0), (1, 1), (10, 3), (80, 24), (120, 40), (300, 100)] {
            let area = Rect::new(0, 0, w, h);
            let p = Panes::new(area);
            let total = p.tree.area() + p.prompt.area() + p.timeline.area() + p.status.area();
            assert_eq!(total, area.area(), "{w}x{h}");
            for r in [p.tree, p.prompt, p.timeline, p.status] {
                assert!(
                    area.contains(r.as_position()) || r.area() == 0,
                    "{w}x{h} {r:?}"
                );
            }
        }
    }

    #[test]
    fn usable_at_80x24() {
        let p = Panes::new(Rect::new(0, 0, 80, 24));
        assert!(p.tree_body().height >= 10);
        assert!(p.prompt_body().width >= 40);
        assert!(p.timeline_rows().height >= 4);
    }
}
