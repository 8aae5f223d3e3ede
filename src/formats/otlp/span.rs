//! One OTLP/JSON span object made an `OtelSpan`, with `AnyValue`s as plain JSON values.

use crate::formats::otel::{
    OtelEvent, OtelSpan, StatusCode, decode_json_string, id_hex, unix_nanos,
};
use crate::model::time::Nanos;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Attributes the model needs at load time (kind, status, usage); the rest is read when
/// the span is shown. `usage::usage` and `OtelSpan::kind` read no others, except
/// `mlflow.spanOutputs`, which `needed` keeps only when it may hold a `usage`.
const NEEDED: [&str; 16] = [
    "mlflow.spanType",
    "openinference.span.kind",
    "traceloop.span.kind",
    "gen_ai.operation.name",
    "gen_ai.request.model",
    "llm.model_name",
    "llm.token_count.prompt",
    "llm.token_count.completion",
    "llm.token_count.total",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "gen_ai.usage.total_tokens",
    "llm.usage.total_tokens",
    "mlflow.chat.tokenUsage",
];

/// A span as it lies in the batch: strings borrowed, attribute values left raw.
#[derive(Deserialize)]
struct Light<'a> {
    #[serde(rename = "traceId", alias = "trace_id", borrow, default)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(rename = "spanId", alias = "span_id", borrow, default)]
    span_id: Option<Cow<'a, str>>,
    #[serde(rename = "parentSpanId", alias = "parent_span_id", borrow, default)]
    parent_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(default)]
    kind: Option<Value>,
    #[serde(rename = "startTimeUnixNano", alias = "start_time_unix_nano", default)]
    start: Option<Value>,
    #[serde(rename = "endTimeUnixNano", alias = "end_time_unix_nano", default)]
    end: Option<Value>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(borrow, default)]
    attributes: Vec<LightKv<'a>>,
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct LightKv<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

/// A span object of OTLP/JSON.
pub fn parse(raw: &str) -> Result<OtelSpan, String> {
    read(raw, |_, _| true, true)
}

/// What loading needs of a span, without decoding every attribute and event: ids, name,
/// kind, times, status, and the attributes kind and usage are read from.
pub fn parse_light(raw: &str) -> Result<OtelSpan, String> {
    // `attr` reads a key's first value only, so only the first `mlflow.spanOutputs` may be
    // kept: keeping a later one with a usage where the first had none would count tokens
    // the full parse (the prompt pane) does not.
    let mut outputs_seen = false;
    let wanted = |key: &str, value: Option<&RawValue>| {
        if key != "mlflow.spanOutputs" {
            return NEEDED.contains(&key);
        }
        let first = !std::mem::replace(&mut outputs_seen, true);
        first && value.is_some_and(|v| may_hold_usage(v.get()))
    };
    read(raw, wanted, false)
}

/// Whether raw JSON may spell `usage`: plainly, or with a `\u` escape in it (`us\u0061ge`),
/// which only the decoded value shows.
fn may_hold_usage(raw: &str) -> bool {
    raw.contains("usage") || raw.contains("\\u")
}

fn read(
    raw: &str,
    mut wanted: impl FnMut(&str, Option<&RawValue>) -> bool,
    events: bool,
) -> Result<OtelSpan, String> {
    let light: Light = serde_json::from_str(raw).map_err(crate::formats::json::describe)?;
    let id = |v: &Option<Cow<str>>, bytes: usize| {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| id_hex(s, bytes))
    };
    let span_id = id(&light.span_id, 8).ok_or("a span without spanId")?;
    let status = light.status.as_ref();
    Ok(OtelSpan {
        trace_id: id(&light.trace_id, 16).unwrap_or_default(),
        span_id,
        parent_id: id(&light.parent_span_id, 8),
        name: light.name.unwrap_or_default().into_owned(),
        otel_kind: light.kind.as_ref().and_then(kind),
        start_ns: light.start.as_ref().and_then(nanos),
        end_ns: light.end.as_ref().and_then(nanos),
        status: status
            .and_then(|s| s.get("code"))
            .map(StatusCode::parse)
            .unwrap_or_default(),
        status_message: status
            .and_then(|s| s.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        attributes: light
            .attributes
            .into_iter()
            .filter(|kv| wanted(&kv.key, kv.value))
            .map(|kv| {
                let value = kv
                    .value
                    .and_then(|v| serde_json::from_str::<Value>(v.get()).ok())
                    .map_or(Value::Null, |v| any_value(&v));
                let value = match value {
                    // MLflow's exporter keeps its own attributes JSON-encoded, as in its store.
                    Value::String(s) if kv.key.starts_with("mlflow.") => decode_json_string(&s),
                    other => other,
                };
                (kv.key.into_owned(), value)
            })
            .collect(),
        events: match light.events {
            Some(raw) if events => serde_json::from_str::<Vec<Value>>(raw.get())
                .map(|list| list.iter().map(event).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        },
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

/// OTLP's int64 nanoseconds (a decimal string, or a number from lenient writers); 0 and
/// below are unset.
fn nanos(v: &Value) -> Option<Nanos> {
    unix_nanos(v).filter(|&ns| ns > 0)
}

/// `None` for SPAN_KIND_UNSPECIFIED (0), as for no kind at all.
fn kind(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().filter(|&k| k != 0),
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
        }).to_string())
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
    fn light_keeps_what_kind_status_and_usage_read() {
        let attr = |k: &str, v: Value| json!({"key": k, "value": v});
        let outputs = |body: Value| json!({"stringValue": body.to_string()});
        let cases = [
            vec![attr(
                "gen_ai.operation.name",
                json!({"stringValue": "execute_tool"}),
            )],
            vec![attr("gen_ai.request.model", json!({"stringValue": "m"}))],
            vec![attr(
                "mlflow.spanType",
                json!({"stringValue": "\"RETRIEVER\""}),
            )],
            vec![
                attr("gen_ai.usage.prompt_tokens", json!({"intValue": "3"})),
                attr("gen_ai.usage.completion_tokens", json!({"intValue": 4})),
            ],
            vec![attr("llm.usage.total_tokens", json!({"intValue": "9"}))],
            vec![
                attr("openinference.span.kind", json!({"stringValue": "LLM"})),
                attr("llm.token_count.prompt", json!({"intValue": "12"})),
                attr("llm.token_count.completion", json!({"intValue": 3})),
                attr("llm.token_count.total", json!({"intValue": 15})),
            ],
            vec![attr("traceloop.span.kind", json!({"stringValue": "tool"}))],
            vec![attr("llm.model_name", json!({"stringValue": "gpt-4o"}))],
            vec![attr(
                "mlflow.chat.tokenUsage",
                json!({"stringValue": "{\"input_tokens\": 1, \"output_tokens\": 2}"}),
            )],
            vec![attr(
                "mlflow.spanOutputs",
                outputs(json!({"usage": {"prompt_tokens": 5, "completion_tokens": 6}})),
            )],
            // Escaped twice: in the JSON string the attribute holds, in the batch.
            vec![attr(
                "mlflow.spanOutputs",
                json!({"stringValue": "{\"us\\u0061ge\": {\"prompt_tokens\": 5}}"}),
            )],
            vec![
                attr("mlflow.spanOutputs", outputs(json!({"text": "no counts"}))),
                attr("big", json!({"stringValue": "x".repeat(1000)})),
            ],
        ];
        for attributes in cases {
            let raw = json!({"spanId": "00000000000000aa", "name": "s",
                "startTimeUnixNano": "1", "endTimeUnixNano": "2",
                "status": {"code": 2}, "attributes": attributes,
                "events": [{"name": "exception", "attributes": []}]})
            .to_string();
            let (full, light) = (
                parse(&raw).expect("full"),
                parse_light(&raw).expect("light"),
            );
            assert_eq!(light.kind(), full.kind(), "{raw}");
            assert_eq!(light.status(), full.status(), "{raw}");
            assert_eq!(
                crate::formats::otel::usage::usage(&light),
                crate::formats::otel::usage::usage(&full),
                "{raw}"
            );
            let counts = raw.contains("tokens") || raw.contains("token_count");
            assert_eq!(
                crate::formats::otel::usage::usage(&light).is_some(),
                counts,
                "usage read from {raw}"
            );
            assert!(light.events.is_empty() && !full.events.is_empty());
            assert!(light.attr("big").is_none(), "left for when it is shown");
        }
    }

    /// Found with the `otlp_batch` fuzz target's light-equals-full check: a usage spelled
    /// with an escape, and a second `mlflow.spanOutputs` after one without a usage.
    #[test]
    fn light_and_full_agree_on_escaped_and_repeated_outputs() {
        let outputs =
            |text: &str| json!({"key": "mlflow.spanOutputs", "value": {"stringValue": text}});
        for attributes in [
            vec![outputs(r#"{"us\u0061ge": {"prompt_tokens": 5}}"#)],
            vec![
                outputs(r#"{"text": "none"}"#),
                outputs(r#"{"usage": {"prompt_tokens": 5}}"#),
            ],
        ] {
            let raw = json!({"spanId": "00000000000000aa", "attributes": attributes}).to_string();
            let (full, light) = (
                parse(&raw).expect("full"),
                parse_light(&raw).expect("light"),
            );
            let usage = crate::formats::otel::usage::usage;
            assert_eq!(usage(&light), usage(&full), "{raw}");
        }
    }

    #[test]
    fn base64_ids_from_protobuf_json_mapping() {
        let s = parse(
            &json!({"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=",
            "status": {"code": "STATUS_CODE_ERROR", "message": "bad"}})
            .to_string(),
        )
        .expect("span");
        assert_eq!(s.trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(s.span_id, "eee19b7ec3c1b174");
        assert_eq!(s.status, StatusCode::Error);
        assert!(parse(&json!({"name": "no id"}).to_string()).is_err());
    }
}
