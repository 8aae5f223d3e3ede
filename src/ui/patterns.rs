//! The patterns overlay: tool statistics, sequences, capabilities, slowest and failed, for
//! the spans the filter selects (or all of them), with a line cursor: Enter on a call goes
//! to it, on a tool or sequence filters by it.

use super::Theme;
use crate::analysis::stats::Target;
use crate::app::layout::patterns_popup;
use crate::app::{Action, App, Overlay};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, overlay: Overlay, theme: &Theme) {
    let Some(patterns) = app.patterns() else {
        return;
    };
    let (popup, visible) = patterns_popup(area, patterns.doc.lines.len());
    frame.render_widget(Clear, popup);
    let inner_w = usize::from(popup.width.saturating_sub(2));
    let lines: Vec<Line> = patterns
        .doc
        .lines
        .iter()
        .enumerate()
        .skip(overlay.scroll)
        .take(visible)
        .map(|(i, l)| {
            let mut line = super::doc_line(l, theme);
            let leads = patterns.targets.get(i).is_some_and(Option::is_some);
            if i == overlay.selected && leads {
                // The bar spans the row, not only the text.
                let rest = inner_w.saturating_sub(line.width());
                line.spans.push(" ".repeat(rest).into());
                line = line.patch_style(theme.selected());
            }
            line
        })
        .collect();
    let title = match &app.filter {
        Some(f) => format!(
            " Patterns · filter: {} ",
            crate::untrusted::sanitize::label(&f.expr)
        ),
        None => " Patterns ".to_string(),
    };
    let action = match patterns
        .targets
        .get(overlay.selected)
        .and_then(Option::as_ref)
    {
        Some(Target::Span(..)) => format!(" · {} go to it", app.key_for(Action::Toggle)),
        Some(Target::Filter(_)) => format!(" · {} filter by it", app.key_for(Action::Toggle)),
        None => String::new(),
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(format!(
            " {} move{action} · {} close ",
            app.keys_for(Action::Down, Action::Up),
            app.key_for(Action::Back)
        ))
        .border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
