//! The patterns overlay: tool statistics, sequences, capabilities, slowest and failed, for
//! the spans the filter selects (or all of them).

use super::{Theme, help};
use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let Some(doc) = app.patterns() else {
        return;
    };
    let lines: Vec<Line> = doc
        .lines
        .iter()
        .map(|l| {
            Line::from(
                l.chunks
                    .iter()
                    .map(|c| Span::styled(c.text.clone(), theme.tone(c.tone)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let popup = help::centered(area, 110, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let visible = popup.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let title = match &app.filter {
        Some(f) => format!(" Patterns · filter: {} ", crate::sanitize::label(&f.expr)),
        None => " Patterns ".to_string(),
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(" j/k scroll · Esc close ")
        .border_style(theme.border(true));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        popup,
    );
}
