//! Finding the filter's words in the prompt pane: where each match is in the wrapped rows,
//! which one is current (`n`/`N` step through them, the title says `3/25`), and scrolling
//! to it. Matching is case-insensitive, as the filter's text terms are.

use crate::detail::doc::Line;

/// One match: its wrapped row, and the characters it covers in that row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub row: usize,
    pub start: usize,
    pub len: usize,
}

#[derive(Debug, Default)]
pub struct Search {
    /// What the hits were found for: the words, and the document's identity and width.
    key: Option<(Vec<String>, u64, usize)>,
    pub hits: Vec<Hit>,
    /// The match `n`/`N` last went to.
    pub current: Option<usize>,
    /// Go to the first match once it is found (a new selection under a filter).
    pub jump_pending: bool,
}

impl Search {
    /// Find `words` in `rows`, unless already found for the same words and document
    /// (`doc` identifies the document and its width). Returns whether the hits changed.
    pub fn find(&mut self, words: &[String], rows: &[Line], doc: (u64, usize)) -> bool {
        let key = (words.to_vec(), doc.0, doc.1);
        if self.key.as_ref() == Some(&key) {
            return false;
        }
        self.key = Some(key);
        self.hits = find_all(words, rows);
        self.current = None;
        true
    }

    /// The match after (or before) the current one, wrapping around; its row.
    pub fn step(&mut self, forward: bool) -> Option<usize> {
        let n = self.hits.len();
        if n == 0 {
            return None;
        }
        let next = match (self.current, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        self.current = Some(next);
        Some(self.hits[next].row)
    }

    /// `match 3/25`, once a match has been gone to; `25 matches` before.
    pub fn position(&self) -> Option<String> {
        match (self.current, self.hits.len()) {
            (_, 0) => None,
            (Some(i), n) => Some(format!("match {}/{n}", i + 1)),
            (None, 1) => Some("1 match".into()),
            (None, n) => Some(format!("{n} matches")),
        }
    }

    /// The hits on `row`, with whether each is the current one.
    pub fn on_row(&self, row: usize) -> impl Iterator<Item = (Hit, bool)> + '_ {
        let first = self.hits.partition_point(|h| h.row < row);
        self.hits[first..]
            .iter()
            .enumerate()
            .take_while(move |(_, h)| h.row == row)
            .map(move |(i, h)| (*h, self.current == Some(first + i)))
    }
}

/// Every occurrence of any of `words` in each row, in reading order, not overlapping.
fn find_all(words: &[String], rows: &[Line]) -> Vec<Hit> {
    let words: Vec<Vec<char>> = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(lower).collect())
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (row, line) in rows.iter().enumerate() {
        // Lowercased per character, so positions stay those of the row as drawn.
        let text: Vec<char> = line.plain_text().chars().map(lower).collect();
        let mut at = 0;
        while at < text.len() {
            let found = words
                .iter()
                .filter(|w| text[at..].starts_with(w))
                .map(Vec::len)
                .max();
            match found {
                Some(len) => {
                    hits.push(Hit {
                        row,
                        start: at,
                        len,
                    });
                    at += len;
                }
                None => at += 1,
            }
        }
    }
    hits
}

/// One character lowercased to one character, so positions in the lowered text are
/// positions in the text.
fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detail::Doc;
    use crate::detail::doc::Tone;

    fn rows(texts: &[&str]) -> Vec<Line> {
        let mut doc = Doc::new();
        for t in texts {
            doc.text(t, Tone::Plain);
        }
        doc.lines
    }

    #[test]
    fn finds_every_word_case_insensitively_and_steps_around() {
        let rows = rows(&["Lisbon and lisbon", "no", "Flight LISBON"]);
        let mut s = Search::default();
        assert!(s.find(&["lisbon".into()], &rows, (1, 80)));
        assert!(!s.find(&["lisbon".into()], &rows, (1, 80)), "found once");
        let at: Vec<(usize, usize)> = s.hits.iter().map(|h| (h.row, h.start)).collect();
        assert_eq!(at, vec![(0, 0), (0, 11), (2, 7)]);
        assert_eq!(s.position().as_deref(), Some("3 matches"));
        assert_eq!(s.step(true), Some(0));
        assert_eq!(s.step(true), Some(0));
        assert_eq!(s.position().as_deref(), Some("match 2/3"));
        assert_eq!(s.step(true), Some(2));
        assert_eq!(s.step(true), Some(0), "wraps around");
        assert_eq!(s.step(false), Some(2));
        let on_first: Vec<(usize, bool)> = s.on_row(0).map(|(h, c)| (h.start, c)).collect();
        assert_eq!(on_first, vec![(0, false), (11, false)]);
        assert_eq!(s.on_row(2).map(|(_, c)| c).collect::<Vec<_>>(), vec![true]);
    }

    #[test]
    fn no_words_no_hits() {
        let mut s = Search::default();
        s.find(&[], &rows(&["text"]), (1, 80));
        assert!(s.hits.is_empty());
        assert_eq!(s.step(true), None);
        assert_eq!(s.position(), None);
    }
}
