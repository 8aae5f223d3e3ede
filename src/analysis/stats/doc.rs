//! The patterns as a document (the UI's patterns view, `stats --format text`), each line
//! with where Enter on it goes.

use super::Stats;
use crate::detail::doc::{Doc, Tone};
use crate::model::{SessionId, SpanId};

/// The patterns as a document, and what each of its lines leads to.
#[derive(Debug, Default)]
pub struct Patterns {
    pub doc: Doc,
    /// One per line of `doc`: a line about a call or a tool leads somewhere.
    pub targets: Vec<Option<Target>>,
}

/// Where Enter on a line of the patterns goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A call (slowest, failed): select it.
    Span(SessionId, SpanId),
    /// A tool or a sequence: filter by these terms (added to the filter in force).
    Filter(String),
}

/// The patterns as a document (`stats --format text`).
pub fn to_doc(stats: &Stats) -> Doc {
    document(stats).doc
}

/// A filter term naming `name` (a tool), if the filter language can spell it: terms are
/// separated by spaces, and a quote starts a phrase.
fn term(key: &str, name: &str) -> Option<String> {
    let plain = !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '"');
    plain.then(|| format!("{key}:{name}"))
}

/// The patterns as a document with each line's target (the UI's patterns view).
pub fn document(stats: &Stats) -> Patterns {
    let mut doc = Doc::new();
    let mut targets: Vec<Option<Target>> = Vec::new();
    // Marks the line just written with where it leads; lines not marked lead nowhere.
    let mut mark = |doc: &Doc, target: Option<Target>| {
        targets.resize(doc.lines.len(), None);
        if let Some(last) = targets.last_mut() {
            *last = target;
        }
    };
    // Durations read as everywhere else (`57ms`, `1.25s`); `–` where no call had a time.
    let fmt = |v: Option<f64>| match v {
        Some(v) => crate::model::time::format_duration(
            (v * crate::model::time::NS_PER_MS as f64).round() as i64,
        ),
        None => "–".to_string(),
    };
    doc.heading(&format!("Tools ({})", stats.tools.len()));
    // The name column as wide as the longest name (up to 36), the numbers as wide as they
    // get: the table, max column included, fits 76 columns (an overlay at 80x24).
    let name_w = stats
        .tools
        .iter()
        .map(|t| unicode_width::UnicodeWidthStr::width(t.tool.as_str()))
        .max()
        .unwrap_or(0)
        .clamp(4, 36);
    if stats.tools.is_empty() {
        doc.line(&[("  no tool calls", Tone::Dim)]);
    } else {
        doc.line(&[(
            &format!(
                "  {:<name_w$} {:>5} {:>6} {:>7} {:>6} {:>6} {:>6}",
                "tool", "calls", "errors", "success", "p50", "p95", "max"
            ),
            Tone::Dim,
        )]);
    }
    for t in &stats.tools {
        let tone = if t.errors > 0 {
            Tone::Warn
        } else {
            Tone::Plain
        };
        doc.line(&[
            (&format!("  {:<name_w$}", t.tool), Tone::Key),
            (
                &format!(
                    " {:>5} {:>6} {:>7} {:>6} {:>6} {:>6}",
                    t.calls,
                    t.errors,
                    t.success_rate
                        .map_or_else(|| "–".to_string(), |r| format!("{:.1}%", r * 100.0)),
                    fmt(t.p50_ms),
                    fmt(t.p95_ms),
                    fmt(t.max_ms)
                ),
                tone,
            ),
        ]);
        mark(&doc, term("tool", &t.tool).map(Target::Filter));
    }
    doc.blank();
    doc.heading(&format!(
        "Sequences: tool A, then tool B under the same parent ({})",
        stats.sequences.len()
    ));
    for s in &stats.sequences {
        doc.line(&[
            (&format!("  {:>5}  ", s.count), Tone::Plain),
            (&s.from, Tone::Key),
            ("  →  ", Tone::Dim),
            (&s.to, Tone::Key),
        ]);
        let both = term("tool", &s.to).zip(term("after", &s.from));
        mark(
            &doc,
            both.map(|(to, from)| Target::Filter(format!("{to} {from}"))),
        );
    }
    doc.blank();
    doc.heading(&format!(
        "Capabilities and the tools they call ({})",
        stats.contains.len()
    ));
    for c in &stats.contains {
        doc.line(&[
            (&format!("  {:>5}  ", c.count), Tone::Plain),
            (&c.capability, Tone::Heading),
            ("  ⊃  ", Tone::Dim),
            (&c.tool, Tone::Key),
        ]);
        mark(&doc, term("tool", &c.tool).map(Target::Filter));
    }
    for (title, list) in [
        ("Slowest calls", &stats.slowest),
        ("Failed calls", &stats.failed),
    ] {
        doc.blank();
        doc.heading(&format!("{title} ({})", list.len()));
        for s in list {
            let d = fmt(s.duration_ms);
            let tone = if s.status == "error" {
                Tone::Error
            } else {
                Tone::Plain
            };
            doc.line(&[
                (&format!("  {d:>9}  "), Tone::Plain),
                (&s.name, Tone::Key),
                (&format!("  {} · {} · {}", s.id, s.session, s.status), tone),
            ]);
            mark(&doc, Some(Target::Span(s.at.0, s.at.1)));
        }
    }
    targets.resize(doc.lines.len(), None);
    Patterns { doc, targets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::{Sequence, SpanRef, ToolStats};

    fn tool(name: &str) -> ToolStats {
        ToolStats {
            tool: name.into(),
            calls: 1,
            errors: 0,
            success_rate: Some(1.0),
            p50_ms: Some(1.0),
            p95_ms: Some(1.0),
            max_ms: Some(1.0),
        }
    }

    #[test]
    fn each_line_of_the_document_says_where_it_leads() {
        let (sid, id) = (SessionId(3), SpanId(7));
        let call = SpanRef {
            session: "s".into(),
            id: "t7".into(),
            name: "github:create_issue".into(),
            kind: "tool_call",
            status: "error",
            start_ms: None,
            duration_ms: Some(5.0),
            at: (sid, id),
        };
        let stats = Stats {
            tools: vec![tool("fs:read"), tool("has space"), tool("say \"hi\"")],
            sequences: vec![Sequence {
                from: "fs:read".into(),
                to: "gh:issue".into(),
                count: 2,
            }],
            contains: Vec::new(),
            slowest: Vec::new(),
            failed: vec![call],
        };
        let Patterns { doc, targets } = document(&stats);
        assert_eq!(targets.len(), doc.lines.len());
        let led: Vec<(String, Target)> = doc
            .plain_lines()
            .into_iter()
            .zip(targets)
            .filter_map(|(line, t)| Some((line.trim().to_string(), t?)))
            .collect();
        let filter = |t: &str| Target::Filter(t.into());
        // Names the filter language cannot spell (spaces, quotes) lead nowhere.
        assert_eq!(led.len(), 3, "{led:?}");
        assert!(led[0].0.starts_with("fs:read"));
        assert_eq!(led[0].1, filter("tool:fs:read"));
        assert_eq!(led[1].1, filter("tool:gh:issue after:fs:read"));
        assert!(led[2].0.contains("github:create_issue"));
        assert_eq!(led[2].1, Target::Span(sid, id));
        assert_eq!(to_doc(&stats).plain_lines(), doc.plain_lines());
    }
}
