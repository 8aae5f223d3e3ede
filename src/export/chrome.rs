//! Chrome trace event JSON (formats.md section 5): one process per session (named by a
//! `process_name` metadata event), a complete (`X`) event per finished span with `ts`/`dur`
//! in microseconds from the earliest start, lanes (`tid`) so events on a thread nest
//! strictly, spans still open as instant (`i`) events, and kind, status, ids and tokens in
//! `args`. Streamed: a million spans never sit in memory as JSON values.

use super::lanes::{self, Interval};
use super::{facts, finished, sessions, spans_of};
use crate::analysis::Matches;
use crate::dump::writer::JsonWriter;
use crate::model::time::Nanos;
use crate::model::{Session, SpanId, Store};
use std::io::{self, Write};

pub fn write(store: &Store, matches: Option<&Matches>, out: &mut impl Write) -> io::Result<()> {
    let t0 = sessions(store, matches)
        .filter_map(|(_, s)| s.start_ns())
        .min()
        .unwrap_or(0);
    let mut w = JsonWriter::new(out);
    w.begin_object()?;
    w.key("traceEvents")?;
    w.begin_array()?;
    for (pid, (sid, session)) in sessions(store, matches).enumerate() {
        let pid = pid + 1;
        let spans = spans_of(session, sid, matches);
        meta(
            &mut w,
            "process_name",
            pid,
            None,
            &format!("{} {}", session.source.as_str(), session.id),
        )?;
        w.begin_object()?;
        w.field("ph", "M")?;
        w.field("name", "process_sort_index")?;
        w.field("pid", &pid)?;
        w.key("args")?;
        w.begin_object()?;
        w.field("sort_index", &pid)?;
        w.end_object()?;
        w.end_object()?;
        let intervals: Vec<Interval> = spans
            .iter()
            .filter_map(|&id| {
                let (start, end) = finished(session.span(id))?;
                Some(Interval { id, start, end })
            })
            .collect();
        let lane_of = lanes::assign(session, &intervals);
        let lanes = lane_of.values().copied().max().map_or(0, |m| m + 1);
        for lane in 0..lanes.max(1) {
            meta(
                &mut w,
                "thread_name",
                pid,
                Some(lane + 1),
                &format!("lane {}", lane + 1),
            )?;
        }
        for &id in &spans {
            let span = session.span(id);
            let Some(start) = span.start_ns() else {
                continue;
            };
            let tid = lane_of.get(&id).map_or(1, |l| l + 1);
            event(
                &mut w,
                store,
                session,
                id,
                pid,
                tid,
                start - t0,
                finished(span),
            )?;
        }
    }
    w.end_array()?;
    w.field("displayTimeUnit", "ms")?;
    w.end_object()?;
    w.newline()
}

fn meta<W: Write>(
    w: &mut JsonWriter<W>,
    what: &str,
    pid: usize,
    tid: Option<usize>,
    name: &str,
) -> io::Result<()> {
    w.begin_object()?;
    w.field("ph", "M")?;
    w.field("name", what)?;
    w.field("pid", &pid)?;
    if let Some(tid) = tid {
        w.field("tid", &tid)?;
    }
    w.key("args")?;
    w.begin_object()?;
    w.field("name", name)?;
    w.end_object()?;
    w.end_object()
}

/// Microseconds, fractional, from nanoseconds.
fn micros(ns: Nanos) -> f64 {
    ns as f64 / 1_000.0
}

#[allow(clippy::too_many_arguments)]
fn event<W: Write>(
    w: &mut JsonWriter<W>,
    store: &Store,
    session: &Session,
    id: SpanId,
    pid: usize,
    tid: usize,
    offset: Nanos,
    times: Option<(Nanos, Nanos)>,
) -> io::Result<()> {
    let span = session.span(id);
    let f = facts(store, session, id);
    w.begin_object()?;
    w.field("name", &f.name)?;
    w.field("cat", span.kind.as_str())?;
    match times {
        Some((start, end)) => {
            w.field("ph", "X")?;
            w.field("ts", &micros(offset))?;
            w.field("dur", &micros(end - start))?;
        }
        None => {
            // Started and not (yet) ended: a point, scoped to its lane.
            w.field("ph", "i")?;
            w.field("s", "t")?;
            w.field("ts", &micros(offset))?;
        }
    }
    w.field("pid", &pid)?;
    w.field("tid", &tid)?;
    w.key("args")?;
    w.begin_object()?;
    w.field("id", session.key(id))?;
    if let Some(parent) = session.parent_key(id) {
        w.field("parent", parent)?;
    }
    w.field("kind", span.kind.as_str())?;
    w.field("status", span.status.as_str())?;
    if !span.problems.is_empty() {
        w.field("problems", &span.problems.len())?;
    }
    if let Some(t) = f.tokens_est {
        w.field("tokens_est", &t)?;
    }
    if let Some(g) = f.tokens_growth {
        w.field("tokens_growth", &g)?;
    }
    if let Some(u) = f.usage {
        if let Some(i) = u.input {
            w.field("input_tokens", &i)?;
        }
        if let Some(o) = u.output {
            w.field("output_tokens", &o)?;
        }
        if let Some(t) = u.total() {
            w.field("total_tokens", &t)?;
        }
    }
    w.end_object()?;
    w.end_object()
}
