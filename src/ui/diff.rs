//! The diff view: two calls compared, drawn over the panes with added and removed lines
//! toned, the change being looked at counted in the title, and the keys at the bottom.

use super::Theme;
use crate::app::layout::diff_popup;
use crate::app::{Action, App};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
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
        .map(|l| super::doc_line(l, theme))
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
            " {} {} change · {} {} scroll · {} copy · {} close {position}",
            app.keys_for(Action::NextMatch, Action::PrevMatch),
            app.keys_for(Action::NextSession, Action::PrevSession),
            app.keys_for(Action::Down, Action::Up),
            app.key_for(Action::PageDown),
            app.key_for(Action::Copy),
            app.key_for(Action::Back),
        ))
        .border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
