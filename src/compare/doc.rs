//! A comparison as a document for the diff view: the summary, then each section with its
//! hunks (old and new line numbers in a gutter, added and removed lines toned), unchanged
//! sections as one line. `hunks` are where each hunk header is, for jumping between changes.

use super::Comparison;
use super::diff::Change;
use crate::detail::{Doc, Tone};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffDoc {
    pub doc: Doc,
    /// Document line of each hunk header, in order.
    pub hunks: Vec<usize>,
}

pub fn render(c: &Comparison) -> DiffDoc {
    let mut out = DiffDoc::default();
    let doc = &mut out.doc;
    doc.line(&[("− old  ", Tone::Removed), (&c.old_label, Tone::Plain)]);
    doc.line(&[("+ new  ", Tone::Added), (&c.new_label, Tone::Plain)]);
    doc.line(&[(&c.diff.summary(), Tone::Heading)]);
    let width = c
        .diff
        .sections
        .iter()
        .map(|s| s.old_lines.max(s.new_lines))
        .max()
        .unwrap_or(0)
        .to_string()
        .len();
    for s in &c.diff.sections {
        if !s.old_present && !s.new_present {
            continue;
        }
        doc.blank();
        if !s.changed() {
            let lines = match s.old_lines {
                1 => "1 line".to_string(),
                n => format!("{n} lines"),
            };
            doc.line(&[(&format!("── {}: unchanged ({lines}) ──", s.name), Tone::Dim)]);
            continue;
        }
        let what = match (s.old_present, s.new_present) {
            (false, true) => format!("── {}: only in new  +{} ──", s.name, s.added),
            (true, false) => format!("── {}: only in old  −{} ──", s.name, s.removed),
            _ => format!("── {}  +{} −{} ──", s.name, s.added, s.removed),
        };
        doc.heading(&what);
        for hunk in &s.hunks {
            out.hunks.push(doc.lines.len());
            doc.line(&[(&hunk.header(), Tone::Key)]);
            for line in &hunk.lines {
                let number = |n: Option<usize>| n.map_or_else(String::new, |n| n.to_string());
                let gutter = format!(
                    "{:>width$} {:>width$} │",
                    number(line.old),
                    number(line.new)
                );
                let (sign, tone) = match line.change {
                    Change::Same => (' ', Tone::Plain),
                    Change::Added => ('+', Tone::Added),
                    Change::Removed => ('-', Tone::Removed),
                };
                doc.line(&[
                    (&gutter, Tone::Dim),
                    (&format!("{sign}{}", line.text), tone),
                ]);
            }
        }
    }
    out
}
