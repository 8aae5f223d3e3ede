//! The timeline pane: one bar per span of the selected session on a labelled ms/s axis;
//! in-flight spans grow with the clock.

use super::{Theme, fit, focused, pane_block};
use crate::app::layout::{inner, timeline_label_width};
use crate::app::{App, Focus, Node};
use crate::model::time::{Nanos, format_duration, format_offset};
use crate::untrusted::sanitize;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

/// Nice tick steps, in nanoseconds: 1, 2, 5 times powers of ten from 1 µs to 10^6 s.
fn tick_step(window: Nanos, columns: u16, min_gap: u16) -> Nanos {
    let max_ticks = (columns / min_gap.max(1)).max(1) as Nanos;
    let mut unit: Nanos = 1_000;
    loop {
        for m in [1, 2, 5] {
            let step = unit.saturating_mul(m);
            if window / step < max_ticks || step >= Nanos::MAX / 20 {
                return step;
            }
        }
        unit = unit.saturating_mul(10);
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let session = app.selected_session().and_then(|s| app.store.session(s));
    let view = app.timeline_view();
    let (origin, extent) = app.timeline_extent().unwrap_or((0, 0));
    let window_w = view.width(extent);
    let mut title = vec![Span::raw(" Timeline ")];
    if let Some(s) = session {
        // The window first: which session it is shows in the tree as well.
        title.push(Span::raw(format!(
            "· {}–{} of {}{} ",
            // Written as durations are everywhere (`1m41s`, not `1.686m`), so the window
            // and the whole agree when they are the same.
            match view.start {
                0 => "0".to_string(),
                start => format_duration(start),
            },
            format_duration(view.start + window_w),
            format_duration(extent),
            if view.zoom > 1.0 {
                format!(" · {:.1}×", view.zoom)
            } else {
                String::new()
            }
        )));
        title.push(Span::raw(format!(
            "· {} ",
            super::fit_middle(&sanitize::label(&s.id), 24)
        )));
    }
    let block = pane_block(
        super::fit_title(title, area.width),
        focused(app, Focus::Timeline),
        theme,
    );
    frame.render_widget(block, area);
    let body = inner(area);
    if body.width < 4 || body.height == 0 || session.is_none() {
        return;
    }
    let label_w = timeline_label_width(body.width);
    let bars = Rect::new(
        body.x + label_w + 1,
        body.y,
        body.width.saturating_sub(label_w + 1),
        body.height,
    );
    let rows_area = app.panes.timeline_rows();
    let rows = app.timeline_rows();
    let selected = app.selected_span();
    let buf = frame.buffer_mut();
    let to_col = |offset: Nanos| -> f64 {
        (offset - view.start) as f64 * f64::from(bars.width) / window_w as f64
    };
    let Some(session) = session else { return };
    for (i, row) in rows
        .iter()
        .skip(view.row_offset)
        .take(rows_area.height as usize)
        .enumerate()
    {
        let y = rows_area.y + i as u16;
        let Node::Span(sid, id) = row.node else {
            continue;
        };
        let Some(span) = session.get(id) else {
            continue;
        };
        let is_selected = selected == Some((sid, id));
        let label = format!(
            "{}{}",
            " ".repeat((row.depth as usize).min(6)),
            super::tree::span_label(&app.store, span)
        );
        let label_style = if is_selected {
            theme.selected()
        } else {
            Style::new()
        };
        buf.set_stringn(
            body.x,
            y,
            format!(
                "{:<w$}",
                fit(&label, label_w as usize),
                w = label_w as usize
            ),
            label_w as usize,
            label_style,
        );
        let Some(start) = span.start_ns() else {
            continue;
        };
        let in_flight = span.in_flight();
        // Started and never ended: drawn open to the session's end, not as a point.
        let open = !in_flight && span.end_ns().is_none();
        let end = if in_flight {
            app.now_ns.max(start)
        } else if open {
            (origin + extent).max(start)
        } else {
            span.end_ns().unwrap_or(start)
        };
        let (x0, x1) = (to_col(start - origin), to_col(end - origin));
        let mut style = theme.bar(span.status);
        if is_selected {
            style = style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
        }
        let shape = match (in_flight, open) {
            (true, _) => BarShape::Growing,
            (_, true) => BarShape::Open,
            _ => BarShape::Solid,
        };
        draw_bar(buf, bars, y, x0, x1, shape, style, theme);
        // The duration right after the bar, when there is room.
        let after = x1.ceil().max(x0.floor() + 1.0);
        if after >= 0.0 && after + 2.0 < f64::from(bars.width) {
            let mut text = match shape {
                BarShape::Growing => format!(" {}…", format_duration(end - start)),
                BarShape::Open => " no end".to_string(),
                BarShape::Solid => format!(" {}", format_duration(end - start)),
            };
            text.push_str(&size_text(session, id, span));
            let col = bars.x + after as u16;
            let room = (bars.x + bars.width).saturating_sub(col) as usize;
            buf.set_stringn(col, y, text, room, theme.dim());
        }
    }
    draw_axis(buf, bars, body, view.start, window_w, theme);
}

/// `  ~1,912 tok +312 · 632→75`: the estimated prompt size, its growth since the previous
/// call, and the reported input and output tokens.
fn size_text(
    session: &crate::model::Session,
    id: crate::model::SpanId,
    span: &crate::model::Span,
) -> String {
    use crate::analysis::size;
    let mut text = String::new();
    if let Some(s) = size::of_span(session, id) {
        text.push_str(&format!("  ~{} tok", size::thousands(s.tokens)));
        if let Some((growth, _)) = s.growth {
            text.push_str(&format!(" {}", size::signed(growth)));
        }
    }
    if let Some(u) = span.payload.usage() {
        text.push_str(&format!(" · used {}", size::usage_arrow(u)));
    }
    text
}

/// How a bar is drawn: finished, still growing with the clock, or started and never ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BarShape {
    Solid,
    Growing,
    Open,
}

#[allow(clippy::too_many_arguments)]
fn draw_bar(
    buf: &mut Buffer,
    bars: Rect,
    y: u16,
    x0: f64,
    x1: f64,
    shape: BarShape,
    style: Style,
    theme: &Theme,
) {
    let width = f64::from(bars.width);
    if x1 < 0.0 {
        buf.set_string(bars.x, y, "◂", theme.dim());
        return;
    }
    if x0 > width {
        buf.set_string(bars.x + bars.width - 1, y, "▸", theme.dim());
        return;
    }
    // A span starting at the window's last instant (often a session's last call, or a
    // one-call session's only one) is a tick in the last column, not off the edge.
    let first = (x0.floor().max(0.0) as u16).min(bars.width.saturating_sub(1));
    let last = (x1.ceil().max(x0.floor() + 1.0).min(width) as u16).max(first + 1);
    for col in first..last.min(bars.width) {
        let symbol = match shape {
            BarShape::Growing if col + 1 == last => "▶",
            BarShape::Open if col > first => "░",
            _ => "█",
        };
        buf.set_string(bars.x + col, y, symbol, style);
    }
}

fn draw_axis(buf: &mut Buffer, bars: Rect, body: Rect, start: Nanos, window: Nanos, theme: &Theme) {
    let y = body.y + body.height - 1;
    if bars.width == 0 || body.height < 2 {
        return;
    }
    let step = tick_step(window, bars.width, 10);
    let first = (start + step - 1).div_euclid(step) * step;
    let mut tick = first;
    buf.set_string(body.x, y, "ms/s", theme.dim());
    while tick <= start + window {
        let col = ((tick - start) as f64 * f64::from(bars.width) / window as f64) as u16;
        if col < bars.width {
            let label = format!("┆{}", format_offset(tick));
            let room = (bars.width - col) as usize;
            buf.set_stringn(bars.x + col, y, label, room, theme.dim());
        }
        tick += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_nice_and_fit() {
        const MS: Nanos = 1_000_000;
        assert_eq!(tick_step(18_000 * MS, 100, 10), 2_000 * MS);
        assert_eq!(tick_step(40 * MS, 100, 10), 5 * MS);
        assert_eq!(tick_step(1, 100, 10), 1_000);
        let step = tick_step(Nanos::MAX / 2, 100, 10);
        assert!(step > 0);
    }
}
