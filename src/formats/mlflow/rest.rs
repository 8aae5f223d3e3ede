//! What an MLflow tracking server's REST API answers (MLflow 3.x), made the model: the
//! experiment list (`experiments/search`), pages of trace summaries (`traces/search`, v3's
//! `TraceInfo` in protobuf's JSON form: `request_time` RFC 3339, `execution_duration` like
//! `"0.028s"`, `state`), and a trace's spans (`get-trace-artifact`: `{"spans": [...]}` in the
//! same form as the SQL store's `content` and the file store's `traces.json`). Everything
//! here is untrusted: a bad field is a located problem and the rest still reads.

use super::span;
use super::trace::{PENDING_KEY, session_key};
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{
    Problem, SessionRecord, Source, SpanFormat, SpanKind, SpanRecord, SpanRef, SpanSource, Status,
};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::path::Path;
use std::sync::Arc;

/// One trace as a search page describes it: what the summary row shows and what tells a
/// trace changed since it was last seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub experiment: String,
    pub request_time_ns: Option<Nanos>,
    pub duration_ms: Option<i64>,
    /// `OK`, `ERROR`, `IN_PROGRESS`, ...
    pub state: String,
    pub name: Option<String>,
    /// `mlflow.trace.session` from the trace's metadata: the chat it is a turn of.
    pub session: Option<String>,
}

impl Summary {
    pub fn in_progress(&self) -> bool {
        self.state == "IN_PROGRESS"
    }

    pub fn request_time_ms(&self) -> Option<i64> {
        self.request_time_ns.map(|ns| ns / NS_PER_MS)
    }
}

/// One page of a search: what it listed, what could not be read, the next page's token.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub problems: Vec<String>,
    pub next: Option<String>,
}

/// `experiments/search`: (id, name) pairs and the next page's token.
pub fn experiments(body: &[u8]) -> Result<Page<(String, String)>, String> {
    let value = crate::formats::json::parse(body)?;
    let list = match value.get("experiments") {
        // Protobuf's JSON form leaves an empty list out.
        None => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => return Err("\"experiments\" is not a list".into()),
    };
    let found = list
        .iter()
        .filter_map(|e| {
            let id = text(e.get("experiment_id")?)?;
            let name = e.get("name").and_then(text).unwrap_or_default();
            Some((id, name))
        })
        .collect();
    Ok(Page {
        items: found,
        problems: Vec::new(),
        next: token(&value),
    })
}

/// `traces/search`: the summaries of one page (a malformed one is a problem, not the end of
/// the page) and the next page's token.
pub fn trace_page(body: &[u8]) -> Result<Page<Summary>, String> {
    let value = crate::formats::json::parse(body)?;
    let list = match value.get("traces") {
        None => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => return Err("\"traces\" is not a list".into()),
    };
    let mut summaries = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (i, info) in list.iter().enumerate() {
        match summary(info) {
            Ok(s) => summaries.push(s),
            Err(e) => problems.push(format!("trace {} of the page: {e}", i + 1)),
        }
    }
    Ok(Page {
        items: summaries,
        problems,
        next: token(&value),
    })
}

/// `traces/{id}` (GetTraceInfoV3): `{"trace": {"trace_info": {...}}}`.
pub fn trace_info(body: &[u8]) -> Result<Summary, String> {
    let value = crate::formats::json::parse(body)?;
    let info = value
        .get("trace")
        .and_then(|t| t.get("trace_info"))
        .ok_or("no trace_info in the answer")?;
    summary(info)
}

/// One v3 `TraceInfo` object.
pub fn summary(info: &Value) -> Result<Summary, String> {
    let id = info
        .get("trace_id")
        .or_else(|| info.get("request_id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or("a trace without trace_id")?;
    let experiment = info
        .get("trace_location")
        .and_then(|l| l.get("mlflow_experiment"))
        .and_then(|e| e.get("experiment_id"))
        .or_else(|| info.get("experiment_id"))
        .and_then(text)
        .unwrap_or_default();
    let request_time_ns = info
        .get("request_time")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .and_then(|t| t.timestamp_nanos_opt())
        .or_else(|| {
            info.get("timestamp_ms")
                .and_then(int)
                .map(|ms| ms.saturating_mul(NS_PER_MS))
        });
    let duration_ms = info
        .get("execution_duration")
        .and_then(Value::as_str)
        .and_then(duration_ms)
        .or_else(|| info.get("execution_time_ms").and_then(int));
    let state = info
        .get("state")
        .or_else(|| info.get("status"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let name = info
        .get("tags")
        .and_then(|t| t.get("mlflow.traceName"))
        .and_then(Value::as_str)
        .map(String::from);
    // v3 keeps metadata as an object; v2 as a list of {key, value}.
    let metadata = |key: &str| -> Option<String> {
        let found = match info
            .get("trace_metadata")
            .or_else(|| info.get("request_metadata"))
        {
            Some(Value::Object(map)) => map.get(key).and_then(Value::as_str),
            Some(Value::Array(items)) => items
                .iter()
                .find(|kv| kv.get("key").and_then(Value::as_str) == Some(key))
                .and_then(|kv| kv.get("value"))
                .and_then(Value::as_str),
            _ => None,
        };
        found.map(String::from)
    };
    let session = metadata(super::trace::SESSION_KEY);
    Ok(Summary {
        id: id.to_string(),
        experiment,
        request_time_ns,
        duration_ms,
        state,
        name,
        session,
    })
}

/// Protobuf's JSON form of a `Duration`: seconds with up to nine decimals and an `s`.
fn duration_ms(text: &str) -> Option<i64> {
    let secs: f64 = text.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as i64)
}

fn token(value: &Value) -> Option<String> {
    value
        .get("next_page_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(String::from)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The session a summary stands for; `origin` is the server's URL (where the trace is).
pub fn session(origin: &Path, summary: &Summary, experiment: Option<&str>) -> SessionRecord {
    let note = super::trace::trace_note(&super::trace::NoteParts {
        experiment,
        name: summary.name.as_deref(),
        session: summary.session.as_deref(),
    });
    SessionRecord {
        key: session_key(&summary.id),
        id: summary.id.as_str().into(),
        source: Source::Mlflow,
        path: origin.to_path_buf(),
        start_ns: summary.request_time_ns,
        note: note.map(Into::into),
    }
}

/// The one row a trace shows before its spans are fetched: its name, times and state.
pub fn summary_span(summary: &Summary) -> SpanRecord {
    let name = summary.name.as_deref().unwrap_or("trace");
    let mut record = SpanRecord::new(PENDING_KEY, SpanKind::Span, name);
    record.start_ns = summary.request_time_ns;
    record.status = match summary.state.as_str() {
        "IN_PROGRESS" => Status::Running,
        "ERROR" => Status::Error,
        _ => Status::Ok,
    };
    if record.status != Status::Running {
        record.end_ns = summary
            .request_time_ns
            .zip(summary.duration_ms)
            .map(|(start, ms)| start.saturating_add(ms.saturating_mul(NS_PER_MS)));
    }
    record
}

#[derive(Deserialize)]
struct TraceData<'a> {
    #[serde(borrow)]
    spans: Vec<&'a RawValue>,
}

/// A trace's spans from `get-trace-artifact`'s answer, each kept as its own JSON for the
/// panes to read back; a span that does not parse is a problem located by trace and index.
pub fn spans(body: &[u8], trace: &str) -> Result<(Vec<SpanRecord>, Vec<Problem>), String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("not UTF-8: {e}"))?;
    let data: TraceData = serde_json::from_str(text).map_err(crate::formats::json::describe)?;
    let mut records = Vec::with_capacity(data.spans.len());
    let mut problems = Vec::new();
    for (i, raw) in data.spans.into_iter().enumerate() {
        let raw = raw.get();
        let where_ = || format!("{trace} span {}", i + 1);
        if crate::formats::json::too_deep(raw.as_bytes()) {
            problems.push(Problem::new(
                where_(),
                format!(
                    "nested deeper than {} levels; skipped",
                    crate::formats::json::MAX_DEPTH
                ),
            ));
            continue;
        }
        let parsed = serde_json::from_str(raw)
            .map_err(crate::formats::json::describe)
            .and_then(|v| span::parse(&v));
        match parsed {
            Ok(otel) => records.push(otel.record(SpanRef {
                format: SpanFormat::Mlflow,
                source: SpanSource::Memory(Arc::from(raw.as_bytes())),
                usage: None,
                logs: Default::default(),
            })),
            Err(e) => problems.push(Problem::new(where_(), e)),
        }
    }
    Ok((records, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v3_trace_info() {
        let page = br#"{"traces":[{"trace_id":"tr-1","trace_location":{"type":"MLFLOW_EXPERIMENT",
            "mlflow_experiment":{"experiment_id":"7"}},"request_time":"2026-11-29T00:32:31.601Z",
            "execution_duration":"0.028s","state":"ERROR","tags":{"mlflow.traceName":"broken"}},
            {"state":"OK"}],"next_page_token":"eyJvZmZzZXQiOiAxfQ=="}"#;
        let page = trace_page(page).expect("page");
        assert_eq!(page.next.as_deref(), Some("eyJvZmZzZXQiOiAxfQ=="));
        assert_eq!(page.problems.len(), 1, "the trace without an id");
        let s = &page.items[0];
        assert_eq!(s.experiment, "7");
        assert_eq!(s.duration_ms, Some(28));
        assert_eq!(s.request_time_ms(), Some(1_795_912_351_601));
        let row = summary_span(s);
        assert_eq!(row.status, Status::Error);
        assert_eq!(&*row.name, "broken");
        assert_eq!(
            row.end_ns.zip(row.start_ns).map(|(e, s)| e - s),
            Some(28 * NS_PER_MS)
        );
    }

    #[test]
    fn bad_answers_are_errors_not_panics() {
        assert!(trace_page(b"<html>").is_err());
        assert!(trace_page(br#"{"traces":7}"#).is_err());
        assert!(experiments(br#"{}"#).is_ok_and(|p| p.items.is_empty() && p.next.is_none()));
        assert!(
            spans(br#"{"spans":[{"name":"x"}]}"#, "tr-1")
                .is_ok_and(|(s, p)| s.is_empty() && p.len() == 1)
        );
        assert_eq!(duration_ms("-1s"), None);
        assert_eq!(duration_ms("1.5s"), Some(1500));
    }
}
