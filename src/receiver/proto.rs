//! The OTLP trace messages (`opentelemetry/proto/collector/trace/v1` and the trace, common
//! and resource messages they use), declared for prost from the published .proto schema,
//! and turned into OTLP/JSON so one parser reads both encodings.

use crate::formats::otel::hex;
use serde_json::{Map, Value, json};

#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportTraceServiceRequest {
    #[prost(message, repeated, tag = "1")]
    pub resource_spans: Vec<ResourceSpans>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportTraceServiceResponse {
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportTracePartialSuccess>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportTracePartialSuccess {
    #[prost(int64, tag = "1")]
    pub rejected_spans: i64,
    #[prost(string, tag = "2")]
    pub error_message: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceSpans {
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    pub scope_spans: Vec<ScopeSpans>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Resource {
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ScopeSpans {
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    #[prost(message, repeated, tag = "2")]
    pub spans: Vec<Span>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct InstrumentationScope {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub version: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Span {
    #[prost(bytes = "vec", tag = "1")]
    pub trace_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub span_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub parent_span_id: Vec<u8>,
    #[prost(string, tag = "5")]
    pub name: String,
    #[prost(int32, tag = "6")]
    pub kind: i32,
    #[prost(fixed64, tag = "7")]
    pub start_time_unix_nano: u64,
    #[prost(fixed64, tag = "8")]
    pub end_time_unix_nano: u64,
    #[prost(message, repeated, tag = "9")]
    pub attributes: Vec<KeyValue>,
    #[prost(message, repeated, tag = "11")]
    pub events: Vec<Event>,
    #[prost(message, optional, tag = "15")]
    pub status: Option<Status>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    #[prost(fixed64, tag = "1")]
    pub time_unix_nano: u64,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Status {
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(int32, tag = "3")]
    pub code: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyValue {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AnyValue {
    #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub value: Option<any_value::Value>,
}

pub mod any_value {
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        #[prost(string, tag = "1")]
        StringValue(String),
        #[prost(bool, tag = "2")]
        BoolValue(bool),
        #[prost(int64, tag = "3")]
        IntValue(i64),
        #[prost(double, tag = "4")]
        DoubleValue(f64),
        #[prost(message, tag = "5")]
        ArrayValue(super::ArrayValue),
        #[prost(message, tag = "6")]
        KvlistValue(super::KeyValueList),
        #[prost(bytes = "vec", tag = "7")]
        BytesValue(Vec<u8>),
    }
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ArrayValue {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyValueList {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

/// The request as OTLP/JSON (hex ids, int64 as strings), what files and JSON clients send.
pub fn to_json(request: &ExportTraceServiceRequest) -> Value {
    let resource_spans: Vec<Value> = request
        .resource_spans
        .iter()
        .map(|rs| {
            let scope_spans: Vec<Value> = rs
                .scope_spans
                .iter()
                .map(|ss| {
                    let spans: Vec<Value> = ss.spans.iter().map(span).collect();
                    let scope = ss
                        .scope
                        .as_ref()
                        .map(|s| json!({"name": s.name, "version": s.version}));
                    json!({"scope": scope, "spans": spans})
                })
                .collect();
            let resource = rs
                .resource
                .as_ref()
                .map(|r| json!({"attributes": attributes(&r.attributes)}));
            json!({"resource": resource, "scopeSpans": scope_spans})
        })
        .collect();
    json!({"resourceSpans": resource_spans})
}

fn span(s: &Span) -> Value {
    let mut obj = Map::new();
    obj.insert("traceId".into(), hex(&s.trace_id).into());
    obj.insert("spanId".into(), hex(&s.span_id).into());
    obj.insert("parentSpanId".into(), hex(&s.parent_span_id).into());
    obj.insert("name".into(), s.name.clone().into());
    obj.insert("kind".into(), s.kind.into());
    obj.insert(
        "startTimeUnixNano".into(),
        s.start_time_unix_nano.to_string().into(),
    );
    obj.insert(
        "endTimeUnixNano".into(),
        s.end_time_unix_nano.to_string().into(),
    );
    obj.insert("attributes".into(), attributes(&s.attributes));
    let events: Vec<Value> = s
        .events
        .iter()
        .map(|e| {
            json!({
                "timeUnixNano": e.time_unix_nano.to_string(),
                "name": e.name,
                "attributes": attributes(&e.attributes),
            })
        })
        .collect();
    obj.insert("events".into(), events.into());
    if let Some(status) = &s.status {
        obj.insert(
            "status".into(),
            json!({"code": status.code, "message": status.message}),
        );
    }
    Value::Object(obj)
}

fn attributes(list: &[KeyValue]) -> Value {
    list.iter()
        .map(|kv| json!({"key": kv.key, "value": kv.value.as_ref().map(any_value)}))
        .collect()
}

fn any_value(v: &AnyValue) -> Value {
    use any_value::Value as V;
    match &v.value {
        Some(V::StringValue(s)) => json!({"stringValue": s}),
        Some(V::BoolValue(b)) => json!({"boolValue": b}),
        Some(V::IntValue(i)) => json!({"intValue": i.to_string()}),
        Some(V::DoubleValue(d)) => json!({"doubleValue": d}),
        Some(V::BytesValue(b)) => {
            use base64::Engine as _;
            json!({"bytesValue": base64::engine::general_purpose::STANDARD.encode(b)})
        }
        Some(V::ArrayValue(a)) => {
            json!({"arrayValue": {"values": a.values.iter().map(any_value).collect::<Vec<_>>()}})
        }
        Some(V::KvlistValue(l)) => json!({"kvlistValue": {"values": attributes(&l.values)}}),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    #[test]
    fn protobuf_round_trips_into_the_json_form() {
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: None,
                scope_spans: vec![ScopeSpans {
                    scope: None,
                    spans: vec![Span {
                        trace_id: vec![0xab; 16],
                        span_id: vec![1, 2, 3, 4, 5, 6, 7, 8],
                        name: "chat".into(),
                        kind: 3,
                        start_time_unix_nano: 10,
                        end_time_unix_nano: 30,
                        attributes: vec![KeyValue {
                            key: "gen_ai.usage.input_tokens".into(),
                            value: Some(AnyValue {
                                value: Some(any_value::Value::IntValue(42)),
                            }),
                        }],
                        status: Some(Status {
                            message: "bad".into(),
                            code: 2,
                        }),
                        ..Span::default()
                    }],
                }],
            }],
        };
        let bytes = request.encode_to_vec();
        let decoded = ExportTraceServiceRequest::decode(&bytes[..]).expect("decode");
        let v = to_json(&decoded);
        let span = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(span["traceId"], "ab".repeat(16));
        assert_eq!(span["spanId"], "0102030405060708");
        assert_eq!(span["parentSpanId"], "");
        assert_eq!(span["startTimeUnixNano"], "10");
        assert_eq!(span["attributes"][0]["value"]["intValue"], "42");
        let parsed = crate::formats::otlp::span::parse(&span.to_string()).expect("parse");
        assert_eq!(parsed.status, crate::formats::otel::StatusCode::Error);
        assert_eq!(
            parsed.attr("gen_ai.usage.input_tokens"),
            Some(&serde_json::json!(42))
        );
    }
}
