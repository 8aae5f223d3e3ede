//! Patterns learned from the loaded spans (formats.md section 0): which tool follows which,
//! what each capability uses, how each tool performs, the slowest calls and the failures.
//! `doc.rs` writes them as a document.

mod doc;

pub use doc::{Patterns, Target, document, to_doc};

use super::Matches;
use crate::model::span::tool_name;
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{Session, SessionId, Span, SpanId, SpanKind, Status, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How many of the slowest and the failed calls are listed.
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
    /// `None` when no call's outcome is known (tool calls known only from the messages a
    /// POML call carries: what they returned is not recorded as a success or a failure).
    pub success_rate: Option<f64>,
    /// `None` when no call of the tool has a time (tool calls known only from the
    /// messages a POML call carries).
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
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

/// One tool's calls as counted: their times, how many, how many failed, and how many had
/// an outcome at all.
#[derive(Default)]
struct ToolTally {
    times: Vec<Nanos>,
    calls: usize,
    errors: usize,
    known: usize,
}

pub fn compute(store: &Store, matches: Option<&Matches>) -> Stats {
    let selected = |sid: SessionId, id: SpanId| matches.is_none_or(|m| m.is_match(sid, id));
    let mut durations: BTreeMap<String, ToolTally> = BTreeMap::new();
    let mut sequences: HashMap<(String, String), usize> = HashMap::new();
    let mut contains: HashMap<(String, String), usize> = HashMap::new();
    let mut calls: Vec<(SessionId, SpanId, Nanos)> = Vec::new();
    let mut failed: Vec<(SessionId, SpanId)> = Vec::new();
    let named = |span: &Span| tool_name(span.kind, store.name(span.name));

    for (sid, session) in store.sessions() {
        for id in session.spans_in_order() {
            let span = session.span(id);
            let chosen = selected(sid, id);
            if chosen && is_tool(span.kind) {
                let entry = durations.entry(named(span).to_string()).or_default();
                entry.calls += 1;
                entry.known += 1;
                entry.errors += usize::from(span.status == Status::Error);
                if let Some(d) = span.duration_ns() {
                    entry.times.push(d);
                }
                if let Some(cap) = capability_above(session, id) {
                    let key = (
                        store.name(session.span(cap).name).to_string(),
                        named(span).to_string(),
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
            // What failed: each call (a tool, a model or POML call) and each run as a whole.
            let root = span.parent.is_none() && !session.is_orphan(id);
            if chosen && (root || is_call(span.kind)) && span.status == Status::Error {
                failed.push((sid, id));
            }
        }
        carried_tool_calls(sid, session, &selected, &mut durations, &mut sequences);
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
                        named(session.span(*previous)).to_string(),
                        named(session.span(*next)).to_string(),
                    );
                    *sequences.entry(key).or_default() += 1;
                }
                previous = next;
            }
        }
    }

    let mut tools: Vec<ToolStats> = durations
        .into_iter()
        .map(|(tool, t)| {
            let mut d = t.times;
            d.sort_unstable();
            ToolStats {
                tool,
                calls: t.calls,
                errors: t.errors,
                success_rate: (t.known > 0).then(|| (t.known - t.errors) as f64 / t.known as f64),
                p50_ms: (!d.is_empty()).then(|| ms(percentile(&d, 50.0))),
                p95_ms: (!d.is_empty()).then(|| ms(percentile(&d, 95.0))),
                max_ms: d.last().map(|&max| ms(max)),
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

/// Tools called inside POML conversations: the tool requests each call's messages carry,
/// counted once per id in a session (later calls repeat the earlier turns), in the order
/// they were first seen, which is also the order they follow each other in.
fn carried_tool_calls(
    sid: SessionId,
    session: &Session,
    selected: &impl Fn(SessionId, SpanId) -> bool,
    durations: &mut BTreeMap<String, ToolTally>,
    sequences: &mut HashMap<(String, String), usize>,
) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut previous: Option<&str> = None;
    for id in session.spans_in_order() {
        let span = session.span(id);
        let crate::model::Payload::Poml(call) = &span.payload else {
            continue;
        };
        let Some(prompt) = &call.prompt else {
            continue;
        };
        let mut ordinal: HashMap<&str, usize> = HashMap::new();
        for (call_id, name) in &prompt.tool_calls {
            // Without an id, the n-th request of a name stands for itself.
            let n = ordinal.entry(name).or_default();
            *n += 1;
            let key = match call_id.is_empty() {
                false => call_id.to_string(),
                true => format!("{name}#{n}"),
            };
            if !seen.insert(key) || !selected(sid, id) {
                continue;
            }
            durations.entry(name.to_string()).or_default().calls += 1;
            if let Some(before) = previous {
                *sequences
                    .entry((before.to_string(), name.to_string()))
                    .or_default() += 1;
            }
            previous = Some(name);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
