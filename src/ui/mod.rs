//! Drawing: one function per pane, all reading an `App` that `App::prepare` made ready.

pub mod diff;
pub mod help;
pub mod patterns;
pub mod problems;
pub mod prompt;
pub mod status;
pub mod theme;
pub mod timeline;
pub mod tree;

pub use theme::Theme;

use crate::app::{App, Focus, OverlayKind};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let panes = app.panes;
    tree::draw(frame, panes.tree, app, theme);
    prompt::draw(frame, panes.prompt, app, theme);
    timeline::draw(frame, panes.timeline, app, theme);
    status::draw(frame, panes.status, app, theme);
    if let Some(overlay) = app.overlay {
        let area = frame.area();
        match overlay.kind {
            OverlayKind::Help => help::draw(frame, area, &app.keymap, overlay.scroll, theme),
            OverlayKind::Patterns => patterns::draw(frame, area, app, overlay, theme),
            OverlayKind::Problems => problems::draw(frame, area, app, overlay, theme),
            OverlayKind::Diff => diff::draw(frame, area, app, overlay.scroll, theme),
        }
    }
}

/// A pane's border with its title; the focused pane stands out.
pub fn pane_block<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(Line::from(title).style(theme.title(focused)))
}

pub fn focused(app: &App, pane: Focus) -> bool {
    app.focus == pane
}

/// Cut `text` to `width` columns, marking the cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    let mut out = String::new();
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Display width of `text` in columns.
/// A line of a `Doc` (already sanitized) in the theme's colours.
pub fn doc_line(line: &crate::detail::doc::Line, theme: &Theme) -> ratatui::text::Line<'static> {
    ratatui::text::Line::from(
        line.chunks
            .iter()
            .map(|c| ratatui::text::Span::styled(c.text.clone(), theme.tone(c.tone)))
            .collect::<Vec<_>>(),
    )
}

/// `1 session`, `3 sessions`: `plural` is the noun that ends in `s`.
pub fn counted(n: usize, plural: &str) -> String {
    match n {
        1 => format!("1 {}", plural.strip_suffix('s').unwrap_or(plural)),
        n => format!("{n} {plural}"),
    }
}

pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_columns() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit("界界界", 4), "界…");
        assert_eq!(fit("abc", 0), "");
    }
}
