//! One span of `traces.json`: MLflow 3's `Span.to_dict` (base64 ids, `*_unix_nano` times,
//! attribute values JSON-encoded) or the legacy 2.x form (`context` with `0x` hex ids,
//! `parent_id`, `start_time`, `status_code`), made an `OtelSpan`.

use crate::formats::otel::{
    OtelEvent, OtelSpan, StatusCode, decode_json_string, id_hex, unix_nanos,
};
use crate::model::time::Nanos;
use serde_json::{Map, Value};

pub fn parse(value: &Value) -> Result<OtelSpan, String> {
    let obj = value.as_object().ok_or("a span is not an object")?;
    let context = obj.get("context");
    let field = |k: &str| obj.get(k).or_else(|| context.and_then(|c| c.get(k)));
    let span_id = field("span_id")
        .and_then(Value::as_str)
        .ok_or("a span without span_id")?;
    let status = obj.get("status");
    Ok(OtelSpan {
        trace_id: field("trace_id")
            .and_then(Value::as_str)
            .map(|t| id_hex(t, 16))
            .unwrap_or_default(),
        span_id: id_hex(span_id, 8),
        parent_id: obj
            .get("parent_span_id")
            .or_else(|| obj.get("parent_id"))
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(|p| id_hex(p, 8)),
        name: obj
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        otel_kind: None,
        start_ns: time(obj, &["start_time_unix_nano", "start_time"]),
        end_ns: time(obj, &["end_time_unix_nano", "end_time"]),
        status: status
            .and_then(|s| s.get("code"))
            .or_else(|| obj.get("status_code"))
            .map(StatusCode::parse)
            .unwrap_or_default(),
        status_message: status
            .and_then(|s| s.get("message"))
            .or_else(|| obj.get("status_message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        attributes: obj
            .get("attributes")
            .and_then(Value::as_object)
            .map(|a| attributes(a, true))
            .unwrap_or_default(),
        events: obj
            .get("events")
            .and_then(Value::as_array)
            .map(|events| events.iter().map(event).collect())
            .unwrap_or_default(),
    })
}

/// Span attributes are JSON-encoded strings (`"\"LLM\""`); event attributes are plain.
fn attributes(map: &Map<String, Value>, encoded: bool) -> Vec<(String, Value)> {
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) if encoded => decode_json_string(s),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn event(v: &Value) -> OtelEvent {
    OtelEvent {
        name: v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        time_ns: v
            .as_object()
            .and_then(|o| time(o, &["time_unix_nano", "timestamp"])),
        attributes: v
            .get("attributes")
            .and_then(Value::as_object)
            .map(|a| attributes(a, false))
            .unwrap_or_default(),
    }
}

/// The first of `keys` that holds a time.
fn time(obj: &Map<String, Value>, keys: &[&str]) -> Option<Nanos> {
    keys.iter().find_map(|k| unix_nanos(obj.get(*k)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mlflow3_span() {
        let s = parse(&json!({
            "trace_id": "gOP/iDrb7VZQNeBMiNCivQ==", "span_id": "X6AXlbQws7k=",
            "parent_span_id": "z6RRXLYMb10=", "name": "poml",
            "start_time_unix_nano": 1795264824321080550i64, "end_time_unix_nano": 1795264824322128756i64,
            "events": [{"name": "retry", "time_unix_nano": 5, "attributes": {"attempt": 1}}],
            "status": {"code": "STATUS_CODE_ERROR", "message": "boom"},
            "attributes": {"mlflow.spanType": "\"LLM\"", "mlflow.spanInputs": "{\"q\": 1}", "plain": "text"}
        }))
        .expect("span");
        assert_eq!(s.trace_id, "80e3ff883adbed565035e04c88d0a2bd");
        assert_eq!(s.span_id, "5fa01795b430b3b9");
        assert_eq!(s.parent_id.as_deref(), Some("cfa4515cb60c6f5d"));
        assert_eq!(
            s.end_ns.zip(s.start_ns).map(|(e, b)| e - b),
            Some(1_048_206)
        );
        assert_eq!(s.status, StatusCode::Error);
        assert_eq!(s.status_message, "boom");
        assert_eq!(s.mlflow_type(), Some("LLM"));
        assert_eq!(s.attr("mlflow.spanInputs"), Some(&json!({"q": 1})));
        assert_eq!(s.attr("plain"), Some(&json!("text")));
        assert_eq!(
            s.events[0].attributes,
            vec![("attempt".to_string(), json!(1))]
        );
    }

    #[test]
    fn legacy_span() {
        let s = parse(&json!({
            "name": "predict", "context": {"span_id": "0x4E2A3B4C5D6E7F80", "trace_id": "0x0123456789abcdef0123456789abcdef"},
            "parent_id": null, "start_time": 10, "end_time": 30, "status_code": "OK", "status_message": "",
            "attributes": {"mlflow.spanType": "\"CHAIN\""}, "events": []
        }))
        .expect("span");
        assert_eq!(s.span_id, "4e2a3b4c5d6e7f80");
        assert_eq!(s.trace_id, "0123456789abcdef0123456789abcdef");
        assert_eq!(s.parent_id, None);
        assert_eq!((s.start_ns, s.end_ns), (Some(10), Some(30)));
        assert_eq!(s.status, StatusCode::Ok);
    }

    #[test]
    fn ids_that_are_neither_stay_as_they_are() {
        assert_eq!(id_hex("not-an-id", 8), "not-an-id");
        assert!(parse(&json!({"name": "x"})).is_err());
        assert!(parse(&json!([1])).is_err());
    }
}
