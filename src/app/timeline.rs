//! The timeline's view state per session: zoom, horizontal pan and vertical scroll.

use crate::model::time::{NS_PER_MS, Nanos};

/// Zoom steps multiply or divide the visible width by this.
const ZOOM_STEP: f64 = 1.5;
const MAX_ZOOM: f64 = 1e6;

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineView {
    /// 1.0 shows the whole session; 2.0 half of it.
    pub zoom: f64,
    /// Window start, as an offset from the session start.
    pub start: Nanos,
    /// First row drawn.
    pub row_offset: usize,
    /// The wheel scrolled the rows away from the selection: leave them until a key.
    pub pinned: bool,
}

impl Default for TimelineView {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            start: 0,
            row_offset: 0,
            pinned: false,
        }
    }
}

impl TimelineView {
    /// The visible width for a session lasting `extent`.
    pub fn width(&self, extent: Nanos) -> Nanos {
        ((extent.max(NS_PER_MS) as f64 / self.zoom).round() as Nanos).max(1)
    }

    /// Zoom in (`factor` > 1) or out around `focus`, an offset from the session start.
    pub fn zoom_by(&mut self, factor: f64, focus: Nanos, extent: Nanos) {
        let old = self.width(extent);
        self.zoom = (self.zoom * factor).clamp(1.0, MAX_ZOOM);
        let new = self.width(extent);
        // Keep `focus` at the same place on screen.
        let frac = if old > 0 {
            (focus - self.start) as f64 / old as f64
        } else {
            0.5
        };
        self.start = focus - (frac.clamp(0.0, 1.0) * new as f64) as Nanos;
        self.clamp(extent);
    }

    pub fn zoom_in(&mut self, focus: Nanos, extent: Nanos) {
        self.zoom_by(ZOOM_STEP, focus, extent);
    }

    pub fn zoom_out(&mut self, focus: Nanos, extent: Nanos) {
        self.zoom_by(1.0 / ZOOM_STEP, focus, extent);
    }

    pub fn fit(&mut self) {
        self.zoom = 1.0;
        self.start = 0;
    }

    /// Pan by a fraction of the visible width (negative: earlier).
    pub fn pan(&mut self, fraction: f64, extent: Nanos) {
        self.start += (self.width(extent) as f64 * fraction) as Nanos;
        self.clamp(extent);
    }

    /// Pan just enough to show `[from, to]` (offsets), or its start if it is wider.
    pub fn reveal(&mut self, from: Nanos, to: Nanos, extent: Nanos) {
        let width = self.width(extent);
        if from < self.start || to - from > width {
            self.start = from;
        } else if to > self.start + width {
            self.start = to - width;
        }
        self.clamp(extent);
    }

    fn clamp(&mut self, extent: Nanos) {
        let width = self.width(extent);
        self.start = self.start.clamp(0, (extent - width).max(0));
    }

    pub fn scroll_rows_into_view(&mut self, selected: Option<usize>, rows: usize, height: usize) {
        if let Some(row) = selected.filter(|_| !self.pinned) {
            if row < self.row_offset {
                self.row_offset = row;
            } else if height > 0 && row >= self.row_offset + height {
                self.row_offset = row + 1 - height;
            }
        }
        self.row_offset = self.row_offset.min(rows.saturating_sub(height.max(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = 1_000_000_000;

    #[test]
    fn zoom_keeps_the_focus_in_place_and_stays_in_bounds() {
        let mut view = TimelineView::default();
        view.zoom_in(5 * S, 10 * S);
        assert!((view.zoom - 1.5).abs() < 1e-9);
        let width = view.width(10 * S);
        assert!(view.start <= 5 * S && 5 * S <= view.start + width);
        view.zoom_out(5 * S, 10 * S);
        view.zoom_out(5 * S, 10 * S);
        assert_eq!(view.zoom, 1.0);
        assert_eq!(view.start, 0);
    }

    #[test]
    fn pan_and_reveal_clamp_to_the_session() {
        let mut view = TimelineView::default();
        view.zoom_by(4.0, 0, 8 * S);
        view.pan(10.0, 8 * S);
        assert_eq!(view.start, 6 * S);
        view.pan(-100.0, 8 * S);
        assert_eq!(view.start, 0);
        view.reveal(7 * S, 7 * S + 1, 8 * S);
        assert!(view.start <= 7 * S && 7 * S < view.start + view.width(8 * S));
    }

    #[test]
    fn rows_follow_the_selection() {
        let mut view = TimelineView::default();
        view.scroll_rows_into_view(Some(20), 30, 5);
        assert_eq!(view.row_offset, 16);
        view.scroll_rows_into_view(Some(2), 30, 5);
        assert_eq!(view.row_offset, 2);
    }
}
