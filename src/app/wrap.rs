//! Wrapping document lines to a width, by words where possible, keeping each chunk's tone.

use crate::detail::doc::{Chunk, Line, Tone};
use unicode_width::UnicodeWidthChar;

/// Wrapped rows, and for each document line the first row it starts on.
#[derive(Debug, Default, PartialEq)]
pub struct Wrapped {
    pub rows: Vec<Line>,
    pub starts: Vec<usize>,
}

pub fn wrap(lines: &[Line], width: usize) -> Wrapped {
    let width = width.max(1);
    let mut out = Wrapped {
        rows: Vec::with_capacity(lines.len()),
        starts: Vec::with_capacity(lines.len()),
    };
    for line in lines {
        out.starts.push(out.rows.len());
        wrap_line(line, width, &mut out.rows);
    }
    out
}

fn wrap_line(line: &Line, width: usize, rows: &mut Vec<Line>) {
    // A gutter (`12 │ `) hangs: the text wraps beside it, and each further row starts with
    // blanks of its width and its bar, so line numbers stay a column of their own.
    if let Some((gutter, rest)) = line.chunks.split_first()
        && gutter.tone == Tone::Gutter
    {
        let gutter_w = unicode_width::UnicodeWidthStr::width(gutter.text.as_str());
        if gutter_w < width {
            let text = Line {
                chunks: rest.to_vec(),
            };
            let first = rows.len();
            wrap_line(&text, width - gutter_w, rows);
            let blank = match gutter.text.trim_end().strip_suffix('│') {
                Some(_) => format!("{}│ ", " ".repeat(gutter_w.saturating_sub(2))),
                None => " ".repeat(gutter_w),
            };
            for (i, row) in rows[first..].iter_mut().enumerate() {
                let text = if i == 0 {
                    gutter.text.clone()
                } else {
                    blank.clone()
                };
                row.chunks.insert(
                    0,
                    Chunk {
                        text,
                        tone: Tone::Gutter,
                    },
                );
            }
            return;
        }
    }
    let chars: Vec<(char, Tone)> = line
        .chunks
        .iter()
        .flat_map(|c| c.text.chars().map(move |ch| (ch, c.tone)))
        .collect();
    if chars.is_empty() {
        rows.push(Line::default());
        return;
    }
    // A field (`key: value`) hangs its value's further rows two columns in, so a long value
    // does not read as a line of its own.
    let hang = match line.chunks.first() {
        Some(c) if c.tone == Tone::Key && c.text.ends_with(": ") && width > 8 => 2,
        _ => 0,
    };
    let mut start = 0;
    while start < chars.len() {
        let indent = if start > 0 { hang } else { 0 };
        let width = width - indent;
        let mut used = 0;
        let mut end = start;
        let mut last_break = None;
        while end < chars.len() {
            let w = chars[end].0.width().unwrap_or(0);
            if used + w > width && end > start {
                break;
            }
            used += w;
            if chars[end].0 == ' ' {
                last_break = Some(end + 1);
            }
            end += 1;
        }
        if end < chars.len()
            && let Some(b) = last_break.filter(|&b| b > start && b < end)
        {
            end = b;
        }
        let mut row = to_line(&chars[start..end]);
        if indent > 0 {
            row.chunks.insert(
                0,
                Chunk {
                    text: " ".repeat(indent),
                    tone: Tone::Plain,
                },
            );
        }
        rows.push(row);
        start = end;
    }
}

fn to_line(chars: &[(char, Tone)]) -> Line {
    let mut chunks: Vec<Chunk> = Vec::new();
    for &(ch, tone) in chars {
        match chunks.last_mut() {
            Some(last) if last.tone == tone => last.text.push(ch),
            _ => chunks.push(Chunk {
                text: ch.to_string(),
                tone,
            }),
        }
    }
    Line { chunks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detail::Doc;

    fn texts(w: &Wrapped) -> Vec<String> {
        w.rows.iter().map(Line::plain_text).collect()
    }

    #[test]
    fn wraps_at_words_and_breaks_long_words() {
        let mut doc = Doc::new();
        doc.text("the quick brown fox", Tone::Plain);
        doc.text("abcdefghij", Tone::Plain);
        doc.text("", Tone::Plain);
        let w = wrap(&doc.lines, 8);
        assert_eq!(
            texts(&w),
            vec!["the ", "quick ", "brown ", "fox", "abcdefgh", "ij", ""]
        );
        assert_eq!(w.starts, vec![0, 4, 6]);
    }

    #[test]
    fn a_fields_value_hangs_under_it() {
        let mut doc = Doc::new();
        doc.field("id", "tr-80e3ff883adbed565035e04c88d0a2bd");
        let w = wrap(&doc.lines, 16);
        assert_eq!(
            texts(&w),
            vec!["id: ", "  tr-80e3ff883ad", "  bed565035e04c8", "  8d0a2bd"]
        );
    }

    #[test]
    fn wide_characters_count_double_and_tones_survive() {
        let mut doc = Doc::new();
        doc.line(&[("界界", Tone::Key), ("界", Tone::Plain)]);
        let w = wrap(&doc.lines, 4);
        assert_eq!(texts(&w), vec!["界界", "界"]);
        assert_eq!(w.rows[0].chunks[0].tone, Tone::Key);
        assert_eq!(w.rows[1].chunks[0].tone, Tone::Plain);
    }

    #[test]
    fn a_gutter_hangs_beside_its_wrapped_text() {
        let mut doc = Doc::new();
        doc.line(&[(" 9 │ ", Tone::Gutter), ("one two three", Tone::Code)]);
        doc.line(&[("10 │ ", Tone::Gutter), ("x", Tone::Code)]);
        let w = wrap(&doc.lines, 10);
        assert_eq!(
            texts(&w),
            vec![" 9 │ one ", "   │ two ", "   │ three", "10 │ x"]
        );
        assert_eq!(w.starts, vec![0, 3]);
        assert_eq!(w.rows[1].chunks[0].tone, Tone::Gutter);
        assert_eq!(w.rows[1].chunks[1].tone, Tone::Code);
    }

    #[test]
    fn zero_width_is_safe() {
        let mut doc = Doc::new();
        doc.text("abc", Tone::Plain);
        assert_eq!(texts(&wrap(&doc.lines, 0)), vec!["a", "b", "c"]);
    }
}
