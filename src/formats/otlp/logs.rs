//! OTLP/JSON log records (`resourceLogs` → `scopeLogs` → `logRecords`): where GenAI
//! instrumentations put a call's content as events (`gen_ai.user.message`, `gen_ai.choice`,
//! `gen_ai.client.inference.operation.details`). A record belongs to the span its trace and
//! span ids name; it is kept as a place (like a span) and read back as one of that span's
//! events when the span is shown.

use super::span::{any_value, attributes};
use crate::formats::otel::{OtelEvent, id_hex, unix_nanos};
use crate::model::SpanSource;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Debug, Deserialize)]
pub struct ResourceLogs<'a> {
    #[serde(rename = "scopeLogs", alias = "scope_logs", borrow, default)]
    pub scope_logs: Vec<ScopeLogs<'a>>,
    #[serde(
        rename = "instrumentationLibraryLogs",
        alias = "instrumentation_library_logs",
        borrow,
        default
    )]
    pub library_logs: Vec<ScopeLogs<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct ScopeLogs<'a> {
    #[serde(rename = "logRecords", alias = "log_records", borrow, default)]
    pub log_records: Vec<&'a RawValue>,
}

/// Every record of the resources, in order.
pub fn records<'a, 'b>(
    resources: &'b [ResourceLogs<'a>],
) -> impl Iterator<Item = &'a RawValue> + 'b {
    resources.iter().flat_map(|r| {
        r.scope_logs
            .iter()
            .chain(&r.library_logs)
            .flat_map(|s| s.log_records.iter().copied())
    })
}

/// A record's place, and the span it belongs to.
#[derive(Debug)]
pub struct BatchLog {
    pub trace_id: String,
    pub span_id: String,
    pub source: SpanSource,
}

/// The records of one batch: those naming a span, why any could not be read, and how many
/// name no span (ordinary logs outside any span; they have nowhere to be shown).
#[derive(Debug, Default)]
pub struct ReadLogs {
    pub logs: Vec<BatchLog>,
    pub errors: Vec<String>,
    pub without_span: usize,
}

/// Only the ids: the body is read when the span is shown.
#[derive(Deserialize)]
struct Ids<'a> {
    #[serde(rename = "traceId", alias = "trace_id", borrow, default)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(rename = "spanId", alias = "span_id", borrow, default)]
    span_id: Option<Cow<'a, str>>,
}

pub fn read_records<'a>(
    records: impl Iterator<Item = &'a RawValue>,
    place: &dyn Fn(&RawValue) -> SpanSource,
    out: &mut ReadLogs,
) {
    for raw in records {
        if crate::formats::json::too_deep(raw.get().as_bytes()) {
            out.errors.push(format!(
                "a log record nested deeper than {} levels; skipped",
                crate::formats::json::MAX_DEPTH
            ));
            continue;
        }
        let ids: Ids = match serde_json::from_str(raw.get()) {
            Ok(ids) => ids,
            Err(e) => {
                out.errors.push(crate::formats::json::describe(e));
                continue;
            }
        };
        let id = |v: Option<Cow<str>>, bytes| {
            v.filter(|s| !s.is_empty())
                .map(|s| id_hex(&s, bytes))
                // All zeros is OTLP's "no span".
                .filter(|s| s.bytes().any(|b| b != b'0'))
        };
        match (id(ids.trace_id, 16), id(ids.span_id, 8)) {
            (Some(trace_id), Some(span_id)) => out.logs.push(BatchLog {
                trace_id,
                span_id,
                source: place(raw),
            }),
            _ => out.without_span += 1,
        }
    }
}

/// A record read back as an event of its span: named by `eventName` (or the `event.name`
/// attribute, as older SDKs set it), its attributes, and its body as the `body` attribute.
pub fn event(raw: &str) -> Result<OtelEvent, String> {
    let v: Value = serde_json::from_str(raw).map_err(crate::formats::json::describe)?;
    let mut attrs = v.get("attributes").map(attributes).unwrap_or_default();
    let named = v
        .get("eventName")
        .or_else(|| v.get("event_name"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let name = named
        .or_else(|| {
            attrs
                .iter()
                .find(|(k, _)| k == "event.name")
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| "log".into());
    let time_ns = ["timeUnixNano", "time_unix_nano"]
        .iter()
        .chain(&["observedTimeUnixNano", "observed_time_unix_nano"])
        .find_map(|k| v.get(*k).and_then(unix_nanos).filter(|&ns| ns > 0));
    let body = v.get("body").map(any_value).unwrap_or(Value::Null);
    let empty = match &body {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    };
    if !empty {
        attrs.push(("body".into(), body));
    }
    Ok(OtelEvent {
        name,
        time_ns,
        attributes: attrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(batch: &Value) -> ReadLogs {
        let text = batch["resourceLogs"].to_string();
        let resources: Vec<ResourceLogs> = serde_json::from_str(&text).expect("resources");
        let mut out = ReadLogs::default();
        let place = |raw: &RawValue| SpanSource::Memory(std::sync::Arc::from(raw.get().as_bytes()));
        read_records(records(&resources), &place, &mut out);
        out
    }

    #[test]
    fn records_name_their_span_in_hex_or_base64() {
        let out = read(&json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174"},
            {"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ="},
            {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "0000000000000000"},
            {"body": {"stringValue": "no span"}},
            "not a record"
        ]}]}, {"instrumentationLibraryLogs": [{"logRecords": [
            {"trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "eee19b7ec3c1b174"}]}]}]}));
        assert_eq!(out.logs.len(), 3);
        assert!(
            out.logs
                .iter()
                .all(|l| l.trace_id == "5b8efff798038103d269b633813fc60c"
                    && l.span_id == "eee19b7ec3c1b174")
        );
        assert_eq!(out.without_span, 2, "all-zero and absent span ids");
        assert_eq!(out.errors.len(), 1);
    }

    #[test]
    fn a_record_as_an_event() {
        let e = event(
            &json!({"timeUnixNano": "0", "observedTimeUnixNano": "17", "eventName": "gen_ai.choice",
            "body": {"kvlistValue": {"values": [{"key": "index", "value": {"intValue": "0"}}]}},
            "attributes": [{"key": "gen_ai.system", "value": {"stringValue": "openai"}}]})
            .to_string(),
        )
        .expect("event");
        assert_eq!(e.name, "gen_ai.choice");
        assert_eq!(e.time_ns, Some(17), "observed time when the time is unset");
        assert_eq!(e.attributes[1], ("body".into(), json!({"index": 0})));
        let old = event(
            &json!({"attributes": [{"key": "event.name", "value": {"stringValue": "gen_ai.user.message"}}],
            "body": {}})
            .to_string(),
        )
        .expect("event");
        assert_eq!(old.name, "gen_ai.user.message");
        assert_eq!(old.attributes.len(), 1, "an empty body is not kept");
    }
}
