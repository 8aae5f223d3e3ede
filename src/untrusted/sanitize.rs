//! The one place untrusted text becomes printable. Trace content comes from models and tools,
//! so control characters, escape sequences and invisible formatting are shown escaped and
//! never reach the terminal. The data itself (and `dump --format json`) keeps the original.
//!
//! Text must also take the columns the layout thinks it takes. Terminals disagree with each
//! other (and with ratatui) on emoji sequences: tmux draws `✈️` in one column where ratatui
//! counts two, and the rest of the row shifts. So presentation selectors, zero-width joiners
//! and skin-tone modifiers are dropped (`✈️` shows as `✈`, a family as its members), and
//! flags show as their letters (`[PT]`), leaving characters every terminal measures alike.

use std::borrow::Cow;

pub const TAB_WIDTH: usize = 4;
/// Lines longer than this are cut for display (never in the data).
pub const MAX_LINE_CHARS: usize = 4_000;

/// One line made safe to draw: tabs expanded, everything unprintable escaped.
/// A newline inside `line` is escaped too; split text into lines first.
pub fn line(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut column = 0usize;
    let mut in_flag = false;
    for c in text.chars() {
        // Flags (pairs of regional indicators) show as their letters: `[PT]`.
        let flag_letter = regional_indicator_letter(c);
        if flag_letter.is_some() != in_flag {
            out.push(if in_flag { ']' } else { '[' });
            column += 1;
            in_flag = !in_flag;
        }
        if let Some(letter) = flag_letter {
            out.push(letter);
            column += 1;
            continue;
        }
        if c == '\t' {
            let pad = TAB_WIDTH - column % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', pad));
            column += pad;
            continue;
        }
        let before = out.len();
        escape_into(c, &mut out);
        column += out[before..].chars().count();
    }
    if in_flag {
        out.push(']');
    }
    Cow::Owned(out)
}

fn regional_indicator_letter(c: char) -> Option<char> {
    let offset = u32::from(c).checked_sub(0x1f1e6).filter(|o| *o < 26)?;
    char::from_u32(u32::from('A') + offset)
}

/// `line`, then cut to `MAX_LINE_CHARS` with a note of what was left out.
pub fn display_line(text: &str) -> Cow<'_, str> {
    let safe = line(text);
    match safe.char_indices().nth(MAX_LINE_CHARS) {
        None => safe,
        Some((at, _)) => {
            let rest = safe[at..].chars().count();
            Cow::Owned(format!("{}… [{rest} more characters]", &safe[..at]))
        }
    }
}

/// Every line of a text made safe, split on `\n` (a `\r` before it is dropped).
pub fn lines(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split('\n')
        .map(|l| display_line(l.strip_suffix('\r').unwrap_or(l)))
}

/// Text for the clipboard: as the trace has it (flags, emoji sequences, tabs, no length
/// cut), with only what could act on a terminal or hide text escaped: control characters
/// and invisible formatting, as `line` shows them.
pub fn for_copy(text: &str) -> Cow<'_, str> {
    let acts = |c: char| c != '\t' && (c.is_control() || is_invisible_format(c));
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts(c) {
            escape_into(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Safe for a single-line label: newlines are escaped as well.
pub fn label(text: &str) -> Cow<'_, str> {
    line(text)
}

fn is_plain(c: char) -> bool {
    matches!(c, ' '..='~') || (c > '\u{9f}' && !is_invisible_format(c) && !is_width_ambiguous(c))
}

/// Characters that join or restyle their neighbours into sequences whose width terminals
/// disagree on: variation selectors 15 and 16, the zero-width joiner, skin-tone modifiers,
/// and regional indicators (tmux keeps a flag's two halves in two cells, ratatui in one).
pub(crate) fn is_width_ambiguous(c: char) -> bool {
    matches!(
        c,
        '\u{fe0e}' | '\u{fe0f}' | '\u{200d}' | '\u{1f3fb}'..='\u{1f3ff}' | '\u{1f1e6}'..='\u{1f1ff}'
    )
}

fn escape_into(c: char, out: &mut String) {
    match c {
        // C0 controls as Unicode control pictures: ESC shows as ␛, NUL as ␀.
        '\0'..='\x1f' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\x7f' => out.push('␡'),
        // C1 controls (CSI, OSC, DCS, APC ... as single characters).
        '\u{80}'..='\u{9f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if is_invisible_format(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
        c if is_width_ambiguous(c) => {}
        c => out.push(c),
    }
}

/// Bidi overrides and isolates, and invisible characters that change how text reads (tag
/// characters can hide a whole sentence inside a prompt).
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(line("Olá, 世界 👍 e\u{301}"), Cow::Borrowed(_)));
    }

    #[test]
    fn emoji_sequences_become_characters_every_terminal_measures_alike() {
        use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
        for (text, shown) in [
            ("✈\u{fe0f} LIS", "✈ LIS"),
            ("👨\u{200d}👩\u{200d}👧", "👨👩👧"),
            ("👍\u{1f3fd}", "👍"),
            ("1\u{fe0f}\u{20e3}", "1\u{20e3}"),
            ("Lisboa 🇵🇹!", "Lisboa [PT]!"),
            ("🇩🇪🇵🇹", "[DEPT]"),
        ] {
            let safe = line(text);
            assert_eq!(safe, shown);
            // The width ratatui gives the whole equals the sum of its characters' widths,
            // which is what a terminal without emoji sequence support draws.
            let chars: usize = safe.chars().map(|c| c.width().unwrap_or(0)).sum();
            assert_eq!(safe.width(), chars, "{text:?}");
        }
        // Hidden text in tag characters is made visible.
        assert_eq!(line("hi\u{e0041}\u{e0042}"), "hi<U+E0041><U+E0042>");
        assert_eq!(line("soft\u{ad}hyphen"), "soft<U+00AD>hyphen");
    }

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        assert_eq!(line("\x1b[2J\x1b[H"), "␛[2J␛[H");
        assert_eq!(line("\x1b]0;pwned\x07"), "␛]0;pwned␇");
        assert_eq!(line("a\rb\x08\0\x7f"), "a␍b␈␀␡");
        assert_eq!(line("\u{9b}31m"), "\\x9b31m");
        assert_eq!(line("abc\u{202e}def"), "abc<U+202E>def");
        assert_eq!(line("x\ny"), "x␊y");
        assert_eq!(line("\x0b\x0c"), "␋␌");
    }

    #[test]
    fn tabs_expand_to_the_next_stop() {
        assert_eq!(line("a\tb"), "a   b");
        assert_eq!(line("\t"), "    ");
        assert_eq!(line("abcd\te"), "abcd    e");
    }

    #[test]
    fn long_lines_are_cut_for_display_only() {
        let long = "y".repeat(MAX_LINE_CHARS + 10);
        let shown = display_line(&long);
        assert!(shown.ends_with("… [10 more characters]"));
        assert_eq!(long.len(), MAX_LINE_CHARS + 10);
    }

    #[test]
    fn no_output_char_is_a_control() {
        let nasty: String = (0u32..0x300).filter_map(char::from_u32).collect();
        for l in lines(&nasty) {
            assert!(
                l.chars()
                    .all(|c| !c.is_control() && !is_invisible_format(c)),
                "{l:?}"
            );
        }
    }
}
