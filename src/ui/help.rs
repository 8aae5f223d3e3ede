//! The help overlay, listing every key from the one keymap table.

use super::Theme;
use crate::app::keymap::{Keymap, Scope};
use crate::app::{Action, Focus};
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
    // Written with the keys in use, so an override in the config file shows here too.
    let k = |action: Action| {
        keymap
            .first_key(action)
            .unwrap_or_else(|| "(no key)".into())
    };
    let pair = |a: Action, b: Action| format!("{}/{}", k(a), k(b));
    let notes = [
        format!(
            "Diff view ({} on a call, {} on another; {}: the previous run's):",
            k(Action::Mark),
            k(Action::Diff),
            k(Action::DiffPrevious)
        ),
        format!(
            "  {} or {} step through changes, {} scroll, {} copies, {} closes.",
            pair(Action::NextMatch, Action::PrevMatch),
            pair(Action::NextSession, Action::PrevSession),
            pair(Action::Down, Action::Up),
            k(Action::Copy),
            k(Action::Back)
        ),
        format!(
            "Filter ({}): terms that must all hold, applied as you type; {} undoes it.",
            k(Action::Filter),
            k(Action::Back)
        ),
        "  tool:NAME (globs: github:*)  status:ok|error|incomplete|running".into(),
        "  kind:tool_call  after:NAME (follows that sibling)  min:50ms".into(),
        "  since:24h|30m|2025-11-01|yesterday".into(),
        "  any other word or \"a phrase\": text in names and contents, highlighted".into(),
        format!(
            "  in the prompt pane, where {} step through the matches (3/25).",
            pair(Action::NextMatch, Action::PrevMatch)
        ),
        "Mouse: the wheel scrolls what is under it; a click selects rows, tabs, bars.".into(),
        format!(
            "{} scroll this help; any other key closes it.",
            pair(Action::Down, Action::Up)
        ),
    ];
    lines.extend(
        notes
            .into_iter()
            .map(|text| Line::styled(text, theme.dim())),
    );
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
