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

/// A pane title that fits `width` columns (the border's two corners taken off): whole
/// parts are dropped from the end, least important last, rather than a word cut in half.
pub fn fit_title(mut title: Vec<Span<'static>>, width: u16) -> Vec<Span<'static>> {
    let room = usize::from(width).saturating_sub(2);
    let total = |t: &[Span]| t.iter().map(|s| self::width(&s.content)).sum::<usize>();
    while title.len() > 1 && total(&title) > room {
        title.pop();
    }
    if total(&title) > room
        && let Some(first) = title.first_mut()
    {
        first.content = fit(&first.content, room).into();
    }
    title
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

/// `text` in at most `width` columns, cut in the middle (`exec_00…0010`): for ids, whose
/// ends tell them apart and whose beginnings they share.
pub fn fit_middle(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    if width < 5 {
        return fit(text, width);
    }
    // The end gets the larger half: that is where generated ids differ.
    let keep = width - 1;
    let head_w = keep / 2;
    let tail_w = keep - head_w;
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_w {
            break;
        }
        used += w;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_w {
            break;
        }
        used += w;
        tail.push(c);
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

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
/// The store's spans: `12 spans`, and `(3 traces unread)` for the rows that stand in for
/// spans not read yet (not spans themselves).
pub fn span_total(store: &crate::model::Store) -> String {
    let stand_ins = store.stand_in_count();
    let spans = counted(store.span_count() - stand_ins, store.span_noun());
    match stand_ins {
        0 => spans,
        n => format!("{spans} ({} unread)", counted(n, "traces")),
    }
}

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
    fn ids_are_shortened_in_the_middle() {
        assert_eq!(fit_middle("exec_0000010", 20), "exec_0000010");
        assert_eq!(fit_middle("exec_0000010", 9), "exec…0010");
        assert_eq!(fit_middle("exec_0000011", 9), "exec…0011");
        assert_eq!(width(&fit_middle("20261121123900861020", 11)), 11);
        assert!(width(&fit_middle("界界界界界界", 7)) <= 7);
        assert_eq!(fit_middle("abcdef", 3), fit("abcdef", 3));
    }

    #[test]
    fn fit_cuts_by_columns() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit("界界界", 4), "界…");
        assert_eq!(fit("abc", 0), "");
    }
}
