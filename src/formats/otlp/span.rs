//! One OTLP/JSON span object made an `OtelSpan`, with `AnyValue`s as plain JSON values.

use crate::formats::otel::{OtelEvent, OtelSpan, StatusCode, id_hex};
use crate::model::time::Nanos;
use serde_json::{Map, Value};

pub fn parse(value: &Value) -> Result<OtelSpan, String> {
    let obj = value.as_object().ok_or("a span is not an object")?;
    let get = |camel: &str, snake: &str| obj.get(camel).or_else(|| obj.get(snake));
    let id = |camel: &str, snake: &str, bytes: usize| {
        get(camel, snake)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| id_hex(s, bytes))
    };
    let span_id = id("spanId", "span_id", 8).ok_or("a span without spanId")?;
    let status = get("status", "status");
    Ok(OtelSpan {
        trace_id: id("traceId", "trace_id", 16).unwrap_or_default(),
        span_id,
        parent_id: id("parentSpanId", "parent_span_id", 8),
        name: get("name", "name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        otel_kind: get("kind", "kind").and_then(kind),
        start_ns: get("startTimeUnixNano", "start_time_unix_nano").and_then(nanos),
        end_ns: get("endTimeUnixNano", "end_time_unix_nano").and_then(nanos),
        status: status
            .and_then(|s| s.get("code"))
            .map(StatusCode::parse)
            .unwrap_or_default(),
        status_message: status
            .and_then(|s| s.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        attributes: obj.get("attributes").map(attributes).unwrap_or_default(),
        events: obj
            .get("events")
            .and_then(Value::as_array)
            .map(|events| events.iter().map(event).collect())
            .unwrap_or_default(),
    })
}

fn event(v: &Value) -> OtelEvent {
    OtelEvent {
        name: v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        time_ns: v
            .get("timeUnixNano")
            .or_else(|| v.get("time_unix_nano"))
            .and_then(nanos),
        attributes: v.get("attributes").map(attributes).unwrap_or_default(),
    }
}

/// `[{"key": ..., "value": AnyValue}]` as (key, JSON value) pairs, in order.
pub fn attributes(list: &Value) -> Vec<(String, Value)> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|kv| {
                    let key = kv.get("key")?.as_str()?.to_string();
                    Some((key, kv.get("value").map(any_value).unwrap_or(Value::Null)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An `AnyValue` as the JSON value it stands for.
pub fn any_value(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let Some((key, inner)) = obj.iter().next() else {
        return Value::Null;
    };
    match key.as_str() {
        "stringValue" | "string_value" | "boolValue" | "bool_value" | "doubleValue"
        | "double_value" | "bytesValue" | "bytes_value" => inner.clone(),
        "intValue" | "int_value" => match inner {
            Value::String(s) => s
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| inner.clone()),
            other => other.clone(),
        },
        "arrayValue" | "array_value" => Value::Array(
            inner
                .get("values")
                .and_then(Value::as_array)
                .map(|vals| vals.iter().map(any_value).collect())
                .unwrap_or_default(),
        ),
        "kvlistValue" | "kvlist_value" => {
            let pairs = inner.get("values").map(attributes).unwrap_or_default();
            Value::Object(pairs.into_iter().collect::<Map<String, Value>>())
        }
        _ => v.clone(),
    }
}

/// OTLP's int64 nanoseconds: a decimal string, or a number from lenient writers.
fn nanos(v: &Value) -> Option<Nanos> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|u| u as i64)),
        _ => None,
    }
    .filter(|ns: &Nanos| *ns > 0)
}

fn kind(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => match s.trim_start_matches("SPAN_KIND_") {
            "INTERNAL" => Some(1),
            "SERVER" => Some(2),
            "CLIENT" => Some(3),
            "PRODUCER" => Some(4),
            "CONSUMER" => Some(5),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_spec_example_and_lenient_forms() {
        let s = parse(&json!({
            "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174",
            "parentSpanId": "", "name": "chat gpt-4o", "kind": "SPAN_KIND_CLIENT",
            "startTimeUnixNano": "1730000000000000000", "endTimeUnixNano": 1730000000850000000i64,
            "status": {},
            "attributes": [
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
                {"key": "ok", "value": {"boolValue": true}},
                {"key": "list", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"doubleValue": 1.5}]}}},
                {"key": "map", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"intValue": 7}}]}}}
            ],
            "events": [{"timeUnixNano": "5", "name": "e", "attributes": []}]
        }))
        .expect("span");
        assert_eq!(s.trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(s.parent_id, None, "an empty parent is a root");
        assert_eq!(s.otel_kind, Some(3));
        assert_eq!(
            s.end_ns.zip(s.start_ns).map(|(e, b)| e - b),
            Some(850_000_000)
        );
        assert_eq!(s.status, StatusCode::Unset);
        assert_eq!(s.attr("gen_ai.usage.input_tokens"), Some(&json!(42)));
        assert_eq!(s.attr("list"), Some(&json!(["a", 1.5])));
        assert_eq!(s.attr("map"), Some(&json!({"k": 7})));
        assert_eq!(s.events[0].time_ns, Some(5));
    }

    #[test]
    fn base64_ids_from_protobuf_json_mapping() {
        let s = parse(
            &json!({"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=",
            "status": {"code": "STATUS_CODE_ERROR", "message": "bad"}}),
        )
        .expect("span");
        assert_eq!(s.trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(s.span_id, "eee19b7ec3c1b174");
        assert_eq!(s.status, StatusCode::Error);
        assert!(parse(&json!({"name": "no id"})).is_err());
    }
}
