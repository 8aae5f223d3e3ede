//! Line diffs of two calls' sections, in hunks with context, as `diff -u` shows them.
//! The diff itself is `similar`'s (Myers, with a deadline so a pathological input cannot
//! hang the UI).

use super::sections::Section;
use similar::{ChangeTag, TextDiff};
use std::time::Duration;

/// Lines of context around each change.
pub const CONTEXT: usize = 3;
/// Past this, similar gives up looking for the smallest diff and returns a correct but
/// larger one.
const DEADLINE: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub change: Change,
    /// 1-based line numbers in the old and new text (none on the side it is missing from).
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    /// 1-based first line and count, per side, as in `@@ -a,b +c,d @@`.
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
    pub lines: Vec<DiffLine>,
}

impl Hunk {
    pub fn header(&self) -> String {
        format!(
            "@@ -{} +{} @@",
            range(self.old_start, self.old_len),
            range(self.new_start, self.new_len)
        )
    }
}

/// `diff -u`'s convention: an empty range names the line before it.
fn range(start: usize, len: usize) -> String {
    match len {
        1 => start.to_string(),
        0 => format!("{},0", start.saturating_sub(1)),
        n => format!("{start},{n}"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDiff {
    pub name: &'static str,
    pub old_present: bool,
    pub new_present: bool,
    /// Lines on each side (for "unchanged (23 lines)").
    pub old_lines: usize,
    pub new_lines: usize,
    pub added: usize,
    pub removed: usize,
    pub hunks: Vec<Hunk>,
}

impl SectionDiff {
    pub fn changed(&self) -> bool {
        !self.hunks.is_empty() || self.old_present != self.new_present
    }
}

/// Two calls compared section by section.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CallDiff {
    pub sections: Vec<SectionDiff>,
}

impl CallDiff {
    pub fn is_identical(&self) -> bool {
        !self.sections.iter().any(SectionDiff::changed)
    }

    pub fn hunk_count(&self) -> usize {
        self.sections.iter().map(|s| s.hunks.len()).sum()
    }

    /// `+12 −3 in messages, +1 −1 in runtime; context, source unchanged`.
    pub fn summary(&self) -> String {
        let mut changed = Vec::new();
        let mut same = Vec::new();
        for s in &self.sections {
            if !s.old_present && !s.new_present {
                continue;
            }
            match (s.old_present, s.new_present, s.changed()) {
                (_, _, false) => same.push(s.name.to_string()),
                (false, true, _) => changed.push(format!("+{} in {} (new)", s.added, s.name)),
                (true, false, _) => changed.push(format!("−{} in {} (gone)", s.removed, s.name)),
                _ => changed.push(format!("+{} −{} in {}", s.added, s.removed, s.name)),
            }
        }
        let same_text = match same.len() {
            0 => String::new(),
            1 => format!("{} unchanged", same[0]),
            _ => format!("{} unchanged", same.join(", ")),
        };
        match (changed.is_empty(), same_text.is_empty()) {
            (true, true) => "nothing to compare".into(),
            (true, false) => format!("identical: {same_text}"),
            (false, true) => changed.join(", "),
            (false, false) => format!("{}; {same_text}", changed.join(", ")),
        }
    }
}

/// Compare two lists of sections, pairing them by name (in `old`'s order, then any name only
/// `new` has).
pub fn compare(old: &[Section], new: &[Section], context: usize) -> CallDiff {
    let empty = |name| Section {
        name,
        present: false,
        lines: Vec::new(),
    };
    let mut names: Vec<&'static str> = old.iter().map(|s| s.name).collect();
    for s in new {
        if !names.contains(&s.name) {
            names.push(s.name);
        }
    }
    let find = |list: &[Section], name: &'static str| {
        list.iter()
            .find(|s| s.name == name)
            .cloned()
            .unwrap_or_else(|| empty(name))
    };
    CallDiff {
        sections: names
            .into_iter()
            .map(|name| section(&find(old, name), &find(new, name), context))
            .collect(),
    }
}

fn section(old: &Section, new: &Section, context: usize) -> SectionDiff {
    let a: Vec<&str> = old.lines.iter().map(String::as_str).collect();
    let b: Vec<&str> = new.lines.iter().map(String::as_str).collect();
    let diff = TextDiff::configure().timeout(DEADLINE).diff_slices(&a, &b);
    let mut out = SectionDiff {
        name: old.name,
        old_present: old.present,
        new_present: new.present,
        old_lines: a.len(),
        new_lines: b.len(),
        added: 0,
        removed: 0,
        hunks: Vec::new(),
    };
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let mut hunk = Hunk {
            old_start: old_range.start + 1,
            old_len: old_range.len(),
            new_start: new_range.start + 1,
            new_len: new_range.len(),
            lines: Vec::new(),
        };
        for op in &group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => Change::Same,
                    ChangeTag::Insert => {
                        out.added += 1;
                        Change::Added
                    }
                    ChangeTag::Delete => {
                        out.removed += 1;
                        Change::Removed
                    }
                };
                hunk.lines.push(DiffLine {
                    change: kind,
                    old: change.old_index().map(|i| i + 1),
                    new: change.new_index().map(|i| i + 1),
                    text: change.value().to_string(),
                });
            }
        }
        out.hunks.push(hunk);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &'static str, text: &str) -> Section {
        Section {
            name,
            present: true,
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    #[test]
    fn hunks_counts_and_summary() {
        let old = [
            s("messages", "a\nb\nc\nd\ne\nf\ng\nh\ni"),
            s("context", "{}"),
        ];
        let new = [
            s("messages", "a\nb\nc\nd\nE\nf\ng\nh\ni\nj"),
            s("context", "{}"),
        ];
        let d = compare(&old, &new, 1);
        let m = &d.sections[0];
        assert_eq!((m.added, m.removed), (2, 1));
        assert_eq!(m.hunks.len(), 2);
        assert_eq!(m.hunks[0].header(), "@@ -4,3 +4,3 @@");
        assert_eq!(m.hunks[1].header(), "@@ -9 +9,2 @@");
        let lines: Vec<_> = m.hunks[0]
            .lines
            .iter()
            .map(|l| (l.change, l.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (Change::Same, "d"),
                (Change::Removed, "e"),
                (Change::Added, "E"),
                (Change::Same, "f")
            ]
        );
        assert_eq!(m.hunks[0].lines[1].old, Some(5));
        assert_eq!(m.hunks[0].lines[2].new, Some(5));
        assert!(!d.is_identical());
        assert_eq!(d.summary(), "+2 −1 in messages; context unchanged");
    }

    #[test]
    fn identical_absent_and_new_sections() {
        let same = compare(&[s("source", "x")], &[s("source", "x")], 3);
        assert!(same.is_identical());
        assert_eq!(same.summary(), "identical: source unchanged");
        let absent = Section {
            name: "tools",
            present: false,
            lines: Vec::new(),
        };
        let d = compare(std::slice::from_ref(&absent), &[s("tools", "[]")], 3);
        assert!(!d.is_identical());
        assert_eq!(d.summary(), "+1 in tools (new)");
        assert_eq!(d.sections[0].hunks[0].header(), "@@ -0,0 +1 @@");
        // Absent on both sides: not mentioned at all.
        assert_eq!(
            compare(
                std::slice::from_ref(&absent),
                std::slice::from_ref(&absent),
                3
            )
            .summary(),
            "nothing to compare"
        );
    }
}
