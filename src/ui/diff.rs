//! The diff view: two calls compared, drawn over the panes with added and removed lines
//! toned, the change being looked at counted in the title, and the keys at the bottom.

use super::Theme;
use crate::app::App;
use crate::app::layout::diff_popup;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let Some(diff) = &app.diff else {
        return;
    };
    let popup = diff_popup(area);
    frame.render_widget(Clear, popup);
    let rows = diff.rows();
    let visible = popup.height.saturating_sub(2) as usize;
    let scroll = scroll.min(rows.len().saturating_sub(visible));
    let lines: Vec<Line> = rows
        .iter()
        .skip(scroll)
        .take(visible)
        .map(|l| {
            Line::from(
                l.chunks
                    .iter()
                    .map(|c| Span::styled(c.text.clone(), theme.tone(c.tone)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let changes = diff.hunk_count();
    let title = match (changes, diff.current) {
        (0, _) => " Diff · no changes ".to_string(),
        (n, Some(i)) => format!(" Diff · change {}/{n} ", i + 1),
        (1, None) => " Diff · 1 change ".to_string(),
        (n, None) => format!(" Diff · {n} changes "),
    };
    let position = if rows.len() > visible {
        format!(
            "[{}-{}/{}] ",
            scroll + 1,
            (scroll + visible).min(rows.len()),
            rows.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(format!(
            " n/N ]/[ change · j/k PgDn scroll · y copy · Esc close {position}"
        ))
        .border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
