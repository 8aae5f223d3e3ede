//! A document: styled lines of safe text that a pane draws and `diff` compares. Styles are
//! meanings (a speaker, an error); the theme decides colours.

use crate::untrusted::sanitize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    Plain,
    Heading,
    Dim,
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
        for l in sanitize::lines(text) {
            self.lines.push(Line {
                chunks: vec![Chunk {
                    text: format!("{indent}{l}"),
                    tone,
                }],
            });
        }
        self
    }

    /// One line of chunks; each chunk's text is made safe on a single line.
    pub fn line(&mut self, chunks: &[(&str, Tone)]) -> &mut Self {
        self.lines.push(Line {
            chunks: chunks
                .iter()
                .map(|(t, tone)| Chunk {
                    text: sanitize::display_line(t).into_owned(),
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
        self.lines.extend(other.lines);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn plain_lines(&self) -> Vec<String> {
        self.lines.iter().map(Line::plain_text).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_split_and_sanitized() {
        let mut doc = Doc::new();
        doc.text("one\r\ntwo \x1b[31mred", Tone::Plain);
        assert_eq!(doc.plain_lines(), vec!["one", "two ␛[31mred"]);
        doc.field("k", "v\x07");
        assert_eq!(doc.plain_lines()[2], "k: v␇");
    }
}
