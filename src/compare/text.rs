//! A comparison as unified-diff text for `tracetui diff`, every line made safe for a
//! terminal with the same function `dump --format text` uses (never cut: a golden-file check
//! must see every character); coloured only when asked.

use super::Comparison;
use super::diff::Change;
use crate::untrusted::sanitize;
use std::io::{self, Write};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Write one call's differences (nothing for identical calls).
pub fn write(c: &Comparison, color: bool, out: &mut impl Write) -> io::Result<()> {
    if c.diff.is_identical() {
        return Ok(());
    }
    let paint = |style: &str, text: &str| {
        if color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let old = sanitize::label(&c.old_label);
    let new = sanitize::label(&c.new_label);
    writeln!(out, "{}", paint(BOLD, &format!("diff {old} {new}")))?;
    writeln!(out, "{}", sanitize::label(&c.diff.summary()))?;
    for s in c.diff.sections.iter().filter(|s| s.changed()) {
        let side = |present: bool, label: &str| {
            if present {
                format!("{label} {}", s.name)
            } else {
                "/dev/null".to_string()
            }
        };
        writeln!(
            out,
            "{}",
            paint(BOLD, &format!("--- {}", side(s.old_present, &old)))
        )?;
        writeln!(
            out,
            "{}",
            paint(BOLD, &format!("+++ {}", side(s.new_present, &new)))
        )?;
        for hunk in &s.hunks {
            writeln!(out, "{}", paint(CYAN, &hunk.header()))?;
            for line in &hunk.lines {
                let text = sanitize::label(&line.text);
                match line.change {
                    Change::Same => writeln!(out, " {text}")?,
                    Change::Added => writeln!(out, "{}", paint(GREEN, &format!("+{text}")))?,
                    Change::Removed => writeln!(out, "{}", paint(RED, &format!("-{text}")))?,
                }
            }
        }
    }
    Ok(())
}
