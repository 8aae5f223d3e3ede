//! Patterns learned from the loaded spans (formats.md section 0): which tool follows which,
//! what each capability uses, how each tool performs, the slowest calls and the failures.

use super::Matches;
use crate::detail::doc::{Doc, Tone};
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{Session, SessionId, SpanId, SpanKind, Status, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How many of the slowest calls and failed executions are listed.
pub const TOP: usize = 10;

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub tools: Vec<ToolStats>,
    pub sequences: Vec<Sequence>,
    pub contains: Vec<Contains>,
    pub slowest: Vec<SpanRef>,
    pub failed: Vec<SpanRef>,
}

#[derive(Debug, PartialEq, Serialize)]
pub struct ToolStats {
    pub tool: String,
    pub calls: usize,
    pub errors: usize,
    pub success_rate: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub from: String,
    pub to: String,
    pub count: usize,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Contains {
    pub capability: String,
    pub tool: String,
    pub count: usize,
}

#[derive(Debug, PartialEq, Serialize)]
pub struct SpanRef {
    pub session: String,
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub start_ms: Option<i64>,
    pub duration_ms: Option<f64>,
    /// Where it is in the store (for going there; not part of `stats` output).
    #[serde(skip)]
    pub at: (SessionId, SpanId),
}

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

/// A tool invocation, whatever the format calls it.
fn is_tool(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::ToolCall | SpanKind::Tool)
}

/// Something that was called and took time: tools, POML calls, LLM calls.
fn is_call(kind: SpanKind) -> bool {
    is_tool(kind)
        || matches!(
            kind,
            SpanKind::PomlCall | SpanKind::Llm | SpanKind::ChatModel
        )
}

fn ms(ns: Nanos) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Nanos], p: f64) -> Nanos {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn compute(store: &Store, matches: Option<&Matches>) -> Stats {
    let selected = |sid: SessionId, id: SpanId| matches.is_none_or(|m| m.is_match(sid, id));
    let mut durations: BTreeMap<String, (Vec<Nanos>, usize, usize)> = BTreeMap::new();
    let mut sequences: HashMap<(String, String), usize> = HashMap::new();
    let mut contains: HashMap<(String, String), usize> = HashMap::new();
    let mut calls: Vec<(SessionId, SpanId, Nanos)> = Vec::new();
    let mut failed: Vec<(SessionId, SpanId)> = Vec::new();

    for (sid, session) in store.sessions() {
        for id in session.spans_in_order() {
            let span = session.span(id);
            let chosen = selected(sid, id);
            if chosen && is_tool(span.kind) {
                let entry = durations
                    .entry(store.name(span.name).to_string())
                    .or_default();
                entry.1 += 1;
                entry.2 += usize::from(span.status == Status::Error);
                if let Some(d) = span.duration_ns() {
                    entry.0.push(d);
                }
                if let Some(cap) = capability_above(session, id) {
                    let key = (
                        store.name(session.span(cap).name).to_string(),
                        store.name(span.name).to_string(),
                    );
                    *contains.entry(key).or_default() += 1;
                }
            }
            if chosen
                && is_call(span.kind)
                && let Some(d) = span.duration_ns()
            {
                calls.push((sid, id, d));
            }
            let root = span.parent.is_none() && !session.is_orphan(id);
            if chosen && root && span.status == Status::Error {
                failed.push((sid, id));
            }
        }
        // Sequences: each sibling list in time order, tool calls only.
        let lists = std::iter::once(session.roots())
            .chain(std::iter::once(session.orphans()))
            .chain(
                session
                    .spans_in_order()
                    .into_iter()
                    .map(|id| session.children(id)),
            );
        for siblings in lists {
            let mut tools = siblings.iter().filter(|&&s| is_tool(session.span(s).kind));
            let Some(mut previous) = tools.next() else {
                continue;
            };
            for next in tools {
                if selected(sid, *next) {
                    let key = (
                        store.name(session.span(*previous).name).to_string(),
                        store.name(session.span(*next).name).to_string(),
                    );
                    *sequences.entry(key).or_default() += 1;
                }
                previous = next;
            }
        }
    }

    let mut tools: Vec<ToolStats> = durations
        .into_iter()
        .map(|(tool, (mut d, calls, errors))| {
            d.sort_unstable();
            ToolStats {
                tool,
                calls,
                errors,
                success_rate: if calls == 0 {
                    0.0
                } else {
                    (calls - errors) as f64 / calls as f64
                },
                p50_ms: ms(percentile(&d, 50.0)),
                p95_ms: ms(percentile(&d, 95.0)),
                max_ms: ms(d.last().copied().unwrap_or(0)),
            }
        })
        .collect();
    tools.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.tool.cmp(&b.tool)));
    let mut sequences: Vec<Sequence> = sequences
        .into_iter()
        .map(|((from, to), count)| Sequence { from, to, count })
        .collect();
    sequences.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
    });
    let mut contains: Vec<Contains> = contains
        .into_iter()
        .map(|((capability, tool), count)| Contains {
            capability,
            tool,
            count,
        })
        .collect();
    contains.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.capability, &a.tool).cmp(&(&b.capability, &b.tool)))
    });
    calls.sort_by_key(|c| std::cmp::Reverse(c.2));
    let span_ref = |(sid, id): (SessionId, SpanId)| {
        let session = store.session(sid)?;
        let span = session.get(id)?;
        Some(SpanRef {
            session: session.id.to_string(),
            id: session.key(id).to_string(),
            name: store.name(span.name).to_string(),
            kind: span.kind.as_str(),
            status: span.status.as_str(),
            start_ms: span.start_ns().map(crate::model::time::ns_to_ms),
            duration_ms: span.duration_ns().map(ms),
            at: (sid, id),
        })
    };
    Stats {
        tools,
        sequences,
        contains,
        slowest: calls
            .into_iter()
            .take(TOP)
            .filter_map(|(s, i, _)| span_ref((s, i)))
            .collect(),
        failed: failed.into_iter().take(TOP).filter_map(span_ref).collect(),
    }
}

/// The nearest capability above a span.
fn capability_above(session: &Session, id: SpanId) -> Option<SpanId> {
    let mut at = session.span(id).parent;
    while let Some(p) = at {
        if session.span(p).kind == SpanKind::Capability {
            return Some(p);
        }
        at = session.span(p).parent;
    }
    None
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
    let fmt = |v: f64| {
        if v >= 1000.0 {
            format!("{:.2}s", v / 1000.0)
        } else {
            format!("{v:.1}ms")
        }
    };
    doc.heading(&format!("Tools ({})", stats.tools.len()));
    if stats.tools.is_empty() {
        doc.line(&[("  no tool calls", Tone::Dim)]);
    } else {
        doc.line(&[(
            &format!(
                "  {:<36} {:>6} {:>6} {:>8} {:>9} {:>9} {:>9}",
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
            (&format!("  {:<36}", t.tool), Tone::Key),
            (
                &format!(
                    " {:>6} {:>6} {:>7.1}% {:>9} {:>9} {:>9}",
                    t.calls,
                    t.errors,
                    t.success_rate * 100.0,
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
        ("Failed executions", &stats.failed),
    ] {
        doc.blank();
        doc.heading(&format!("{title} ({})", list.len()));
        for s in list {
            let d = s.duration_ms.map_or_else(|| "-".into(), fmt);
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

    fn tool(name: &str) -> ToolStats {
        ToolStats {
            tool: name.into(),
            calls: 1,
            errors: 0,
            success_rate: 1.0,
            p50_ms: 1.0,
            p95_ms: 1.0,
            max_ms: 1.0,
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

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[15, 30, 40], 50.0), 30);
        assert_eq!(percentile(&[15, 30, 40], 95.0), 40);
        assert_eq!(percentile(&[10, 12], 50.0), 10);
        assert_eq!(percentile(&[10, 12], 95.0), 12);
        assert_eq!(percentile(&[], 50.0), 0);
        let hundred: Vec<Nanos> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 95.0), 95);
    }
}
