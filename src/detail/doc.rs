//! A document: styled lines of safe text that a pane draws and `diff` compares. Styles are
//! meanings (a speaker, an error); the theme decides colours.

use crate::untrusted::sanitize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    Plain,
    Heading,
    Dim,
    /// A line number and its bar (`12 │ `), drawn dim; wrapped rows of the line repeat its
    /// width and bar, so the text keeps its column.
    Gutter,
    Key,
    Code,
    Error,
    Warn,
    /// A line only the newer side of a comparison has.
    Added,
    /// A line only the older side has.
    Removed,
    Speaker(Speaker),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Speaker {
    System,
    Human,
    Ai,
    Tool,
    Other,
}

impl Speaker {
    pub fn of(name: &str) -> Self {
        match name {
            "system" | "developer" => Speaker::System,
            "human" | "user" => Speaker::Human,
            "ai" | "assistant" | "model" => Speaker::Ai,
            "tool" | "function" => Speaker::Tool,
            _ => Speaker::Other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub text: String,
    pub tone: Tone,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Line {
    pub chunks: Vec<Chunk>,
}

impl Line {
    pub fn plain_text(&self) -> String {
        self.chunks.iter().map(|c| c.text.as_str()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Doc {
    pub lines: Vec<Line>,
    /// For the few lines whose text was changed to be drawn (a flag shown as `[PT]`, an
    /// emoji's joiners dropped, tabs expanded, a long line cut): the line as `y` copies it,
    /// the original with only what could act on a terminal escaped.
    copies: Vec<(usize, String)>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// Untrusted text, one document line per text line, sanitized.
    pub fn text(&mut self, text: &str, tone: Tone) -> &mut Self {
        self.indented(text, "", tone)
    }

    pub fn indented(&mut self, text: &str, indent: &str, tone: Tone) -> &mut Self {
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let shown = sanitize::display_line(raw);
            if matches!(shown, std::borrow::Cow::Owned(_)) {
                let copy = format!("{indent}{}", sanitize::for_copy(raw));
                self.copies.push((self.lines.len(), copy));
            }
            self.lines.push(Line {
                chunks: vec![Chunk {
                    text: format!("{indent}{shown}"),
                    tone,
                }],
            });
        }
        self
    }

    /// One line of chunks; each chunk's text is made safe on a single line.
    pub fn line(&mut self, chunks: &[(&str, Tone)]) -> &mut Self {
        let shown: Vec<_> = chunks
            .iter()
            .map(|(t, _)| sanitize::display_line(t))
            .collect();
        if shown
            .iter()
            .any(|s| matches!(s, std::borrow::Cow::Owned(_)))
        {
            let copy = chunks.iter().map(|(t, _)| sanitize::for_copy(t)).collect();
            self.copies.push((self.lines.len(), copy));
        }
        self.lines.push(Line {
            chunks: shown
                .into_iter()
                .zip(chunks)
                .map(|(text, (_, tone))| Chunk {
                    text: text.into_owned(),
                    tone: *tone,
                })
                .collect(),
        });
        self
    }

    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.line(&[(text, Tone::Heading)])
    }

    pub fn blank(&mut self) -> &mut Self {
        self.lines.push(Line::default());
        self
    }

    /// `key: value` with the key styled.
    pub fn field(&mut self, key: &str, value: &str) -> &mut Self {
        self.line(&[(&format!("{key}: "), Tone::Key), (value, Tone::Plain)])
    }

    pub fn append(&mut self, other: Doc) -> &mut Self {
        let offset = self.lines.len();
        self.copies
            .extend(other.copies.into_iter().map(|(i, c)| (i + offset, c)));
        self.lines.extend(other.lines);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn plain_lines(&self) -> Vec<String> {
        self.lines.iter().map(Line::plain_text).collect()
    }

    /// The document as `y` copies it: the text as the trace has it (flags, emoji sequences,
    /// tabs, whole long lines), with only control characters and invisible formatting
    /// escaped, since a paste can land in a shell.
    pub fn copy_text(&self) -> String {
        let mut copies = self.copies.iter().peekable();
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match copies.next_if(|(at, _)| *at == i) {
                Some((_, copy)) => out.push_str(copy),
                None => out.extend(line.chunks.iter().map(|c| c.text.as_str())),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_keep_the_trace_text_and_escape_only_what_acts() {
        let mut doc = Doc::new();
        doc.text("Lisbon 🇵🇹\tdone", Tone::Plain);
        doc.line(&[("a ", Tone::Key), ("👍🏽 \u{1b}[31mred", Tone::Plain)]);
        doc.text("plain", Tone::Plain);
        let mut other = Doc::new();
        other.text("✈️ \u{202e}evil", Tone::Plain);
        doc.append(other);
        assert_eq!(
            doc.plain_lines(),
            vec![
                "Lisbon [PT] done",
                "a 👍 ␛[31mred",
                "plain",
                "✈ <U+202E>evil"
            ]
        );
        assert_eq!(
            doc.copy_text(),
            "Lisbon 🇵🇹\tdone\na 👍🏽 ␛[31mred\nplain\n✈️ <U+202E>evil"
        );
    }

    #[test]
    fn text_is_split_and_sanitized() {
        let mut doc = Doc::new();
        doc.text("one\r\ntwo \x1b[31mred", Tone::Plain);
        assert_eq!(doc.plain_lines(), vec!["one", "two ␛[31mred"]);
        doc.field("k", "v\x07");
        assert_eq!(doc.plain_lines()[2], "k: v␇");
    }
}
