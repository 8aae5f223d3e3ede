//! The help overlay, listing every key from the one keymap table.

use super::Theme;
use crate::app::Focus;
use crate::app::keymap::{Keymap, Scope};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

const SECTIONS: [(Scope, &str); 4] = [
    (Scope::Global, "Everywhere"),
    (Scope::Pane(Focus::Tree), "In the call tree"),
    (Scope::Pane(Focus::Timeline), "In the timeline"),
    (Scope::Pane(Focus::Prompt), "In the prompt pane"),
];

pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (scope, title) in SECTIONS {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            title,
            theme.tone(crate::detail::Tone::Heading),
        ));
        for b in keymap
            .rows
            .iter()
            .filter(|b| b.scope == scope && !b.help.is_empty())
        {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.label), theme.key()),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Diff view (m on one call, d on another; D: the previous run's): n/N or ]/[ step",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "through changes, j/k PgDn/PgUp scroll, y copies the diff, Esc closes.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "Mouse: wheel scrolls the pane (or overlay) under it; click selects rows, tabs, bars.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "j/k scroll this help; any other key closes it.",
        theme.dim(),
    ));
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, keymap: &Keymap, scroll: usize, theme: &Theme) {
    let lines = lines(keymap, theme);
    let popup = centered(area, 96, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let visible = popup.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let more = if lines.len() > visible + scroll {
        " ↓ more "
    } else {
        ""
    };
    let block = Block::bordered()
        .title(" tracetui keys ")
        .title_bottom(more)
        .border_style(theme.border(true));
    let paragraph = Paragraph::new(lines)
        .block(block)
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0));
    frame.render_widget(paragraph, popup);
}

pub use crate::app::layout::centered;
