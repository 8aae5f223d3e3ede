//! POML calls and the MLflow spans that recorded them. With `set_trace(["local",
//! "mlflow"])`, each call is written to the trace folder and logged as an MLflow span named
//! `poml` whose input is the same markup; the two are the same call when the markup is equal
//! and the times are close (the span starts right after the `.poml` file is written).

use crate::formats::bytes::Pread;
use crate::formats::otel;
use crate::model::time::{NS_PER_SEC, Nanos};
use crate::model::{Payload, PomlCall, SessionId, Source, SpanFormat, SpanId, Store};
use crate::untrusted::fsread;

/// How far apart the call and its span may start.
const WINDOW_NS: Nanos = 10 * NS_PER_SEC;
/// POML sources are small; anything larger is not compared.
const SOURCE_LIMIT: u64 = 1 << 20;

/// The other side of a call/span pair and how much later the span started than the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Related {
    pub session: SessionId,
    pub span: SpanId,
    pub offset_ns: Nanos,
}

/// For a POML call, its MLflow `poml` span; for an MLflow `poml` span, its POML call.
pub fn related(store: &Store, sid: SessionId, id: SpanId) -> Option<Related> {
    let session = store.session(sid)?;
    let span = session.get(id)?;
    let start = span.start_ns()?;
    match &span.payload {
        Payload::Poml(call) => {
            let candidates = near(store, start, Source::Mlflow, |s| {
                store.name(s.name) == "poml"
            });
            // Read this call's markup only when there is something to compare it with.
            let markup = candidates.first().and_then(|_| poml_markup(call))?;
            candidates.into_iter().find(|r| {
                store
                    .session(r.session)
                    .and_then(|s| mlflow_prompt(&s.span(r.span).payload))
                    .is_some_and(|p| p == markup)
            })
        }
        Payload::Span(_) if store.name(span.name) == "poml" => {
            let poml = || {
                let candidates = near(store, start, Source::Poml, |s| {
                    matches!(s.payload, Payload::Poml(_))
                });
                let prompt = candidates
                    .first()
                    .and_then(|_| mlflow_prompt(&span.payload))?;
                candidates
                    .into_iter()
                    .find(|r| {
                        store.session(r.session).is_some_and(|s| {
                            matches!(&s.span(r.span).payload,
                                Payload::Poml(call) if poml_markup(call).is_some_and(|m| m == prompt))
                        })
                    })
                    .map(|r| Related {
                        offset_ns: -r.offset_ns,
                        ..r
                    })
            };
            // Its POML call first; else the same span recorded over OTLP.
            poml().or_else(|| twin(store, sid, id))
        }
        Payload::Span(_) => twin(store, sid, id),
        _ => None,
    }
}

/// The same span recorded twice: one run sent both to MLflow (trace `tr-<hex>`) and over
/// OTLP (trace `<hex>`). Found by the trace id, then the span's own id, else its name and
/// start.
fn twin(store: &Store, sid: SessionId, id: SpanId) -> Option<Related> {
    let session = store.session(sid)?;
    let (other_id, other_source) = match session.source {
        Source::Mlflow => (session.id.strip_prefix("tr-")?.to_string(), Source::Otlp),
        Source::Otlp => (format!("tr-{}", session.id), Source::Mlflow),
        _ => return None,
    };
    let (other_sid, other) = store
        .sessions()
        .find(|(_, s)| s.source == other_source && *s.id == *other_id)?;
    let span = session.get(id)?;
    let found = other.find(session.key(id)).or_else(|| {
        other.spans_in_order().into_iter().find(|&o| {
            let o = other.span(o);
            o.name == span.name && o.start_ns() == span.start_ns()
        })
    })?;
    Some(Related {
        session: other_sid,
        span: found,
        offset_ns: other.span(found).start_ns()? - span.start_ns()?,
    })
}

/// Spans of `source` starting within the window of `start` that `keep` accepts, nearest
/// first.
fn near(
    store: &Store,
    start: Nanos,
    source: Source,
    keep: impl Fn(&crate::model::Span) -> bool,
) -> Vec<Related> {
    let mut out = Vec::new();
    for (sid, session) in store.sessions().filter(|(_, s)| s.source == source) {
        let overlaps = session
            .start_ns()
            .zip(session.end_ns())
            .is_some_and(|(a, b)| a - WINDOW_NS <= start && start <= b + WINDOW_NS);
        if !overlaps {
            continue;
        }
        for id in session.spans_in_order() {
            let span = session.span(id);
            let Some(other) = span.start_ns() else {
                continue;
            };
            if (other - start).abs() <= WINDOW_NS && keep(span) {
                out.push(Related {
                    session: sid,
                    span: id,
                    offset_ns: other - start,
                });
            }
        }
    }
    out.sort_by_key(|r| r.offset_ns.abs());
    out
}

fn poml_markup(call: &PomlCall) -> Option<String> {
    let file = call.file(".poml")?;
    let prefix = fsread::read_prefix(&call.path_of(file), SOURCE_LIMIT).ok()?;
    if prefix.truncated() {
        return None;
    }
    String::from_utf8(prefix.bytes).ok()
}

/// The markup an MLflow `poml` span was given.
fn mlflow_prompt(payload: &Payload) -> Option<String> {
    let Payload::Span(span_ref) = payload else {
        return None;
    };
    if span_ref.format != SpanFormat::Mlflow {
        return None;
    }
    let span = otel::load(span_ref, &mut Pread).ok()?;
    span.inputs()?.get("prompt")?.as_str().map(str::to_string)
}
