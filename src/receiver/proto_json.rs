//! A decoded protobuf request written as OTLP/JSON (hex ids, int64 as strings), the form
//! files and JSON clients send, so one parser reads both encodings. Written straight into
//! bytes: building a tree of JSON values first cost several times the request. A string
//! that is not UTF-8 is written with U+FFFD in place of what is not, and counted, rather
//! than lose the request over it.

use super::proto::{
    AnyValue, ExportLogsServiceRequest, ExportTraceServiceRequest, KeyValue, LogRecord, Resource,
    Span, any_value,
};
use crate::formats::otel::push_hex;

/// A request written as OTLP/JSON.
pub struct Written {
    pub json: Vec<u8>,
    /// Sequences of the strings that were not UTF-8, replaced.
    pub not_utf8: u64,
}

/// The request as one OTLP/JSON document.
pub fn to_json(request: &ExportTraceServiceRequest) -> Written {
    let mut w = Writer::default();
    w.raw("{\"resourceSpans\":[");
    for (i, rs) in request.resource_spans.iter().enumerate() {
        w.comma(i);
        w.raw("{\"resource\":");
        w.resource(rs.resource.as_ref());
        w.raw(",\"scopeSpans\":[");
        for (j, ss) in rs.scope_spans.iter().enumerate() {
            w.comma(j);
            w.raw("{\"scope\":");
            match &ss.scope {
                Some(scope) => {
                    w.raw("{\"name\":");
                    w.text(&scope.name);
                    w.raw(",\"version\":");
                    w.text(&scope.version);
                    w.raw("}");
                }
                None => w.raw("null"),
            }
            w.raw(",\"spans\":[");
            for (k, span) in ss.spans.iter().enumerate() {
                w.comma(k);
                w.span(span);
            }
            w.raw("]}");
        }
        w.raw("]}");
    }
    w.raw("]}");
    w.finish()
}

/// A logs request as one OTLP/JSON document (`{"resourceLogs": ...}`).
pub fn logs_to_json(request: &ExportLogsServiceRequest) -> Written {
    let mut w = Writer::default();
    w.raw("{\"resourceLogs\":[");
    for (i, rl) in request.resource_logs.iter().enumerate() {
        w.comma(i);
        w.raw("{\"resource\":");
        w.resource(rl.resource.as_ref());
        w.raw(",\"scopeLogs\":[");
        for (j, sl) in rl.scope_logs.iter().enumerate() {
            w.comma(j);
            w.raw("{\"logRecords\":[");
            for (k, record) in sl.log_records.iter().enumerate() {
                w.comma(k);
                w.record(record);
            }
            w.raw("]}");
        }
        w.raw("]}");
    }
    w.raw("]}");
    w.finish()
}

/// The bytes a JSON string cannot hold as they are: controls, `"` and `\`.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    not_utf8: u64,
}

impl Writer {
    fn finish(self) -> Written {
        Written {
            json: self.out,
            not_utf8: self.not_utf8,
        }
    }

    fn raw(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn comma(&mut self, index: usize) {
        if index > 0 {
            self.out.push(b',');
        }
    }

    /// A protobuf string: UTF-8, or made so.
    fn text(&mut self, bytes: &[u8]) {
        let (text, bad) = super::utf8::lossy(bytes);
        self.not_utf8 += bad;
        self.string(&text);
    }

    /// A JSON string, escaped as serde_json escapes. Runs of bytes that need no escape are
    /// copied whole: most strings are prompts and replies with none at all.
    fn string(&mut self, s: &str) {
        let out = &mut self.out;
        let bytes = s.as_bytes();
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !NEEDS_ESCAPE[usize::from(b)] {
                continue;
            }
            out.extend_from_slice(&bytes[run..i]);
            run = i + 1;
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => {
                    out.extend_from_slice(b"\\u00");
                    push_hex(out, &[b]);
                }
            }
        }
        out.extend_from_slice(&bytes[run..]);
        out.push(b'"');
    }

    /// An id as a JSON string of hex digits.
    fn id(&mut self, bytes: &[u8]) {
        self.out.push(b'"');
        push_hex(&mut self.out, bytes);
        self.out.push(b'"');
    }

    /// A number as JSON.
    fn number(&mut self, n: impl itoa::Integer) {
        self.raw(itoa::Buffer::new().format(n));
    }

    /// A number as a JSON string (int64 and fixed64 in OTLP/JSON).
    fn quoted(&mut self, n: impl itoa::Integer) {
        self.out.push(b'"');
        self.number(n);
        self.out.push(b'"');
    }

    fn span(&mut self, s: &Span) {
        self.raw("{\"traceId\":");
        self.id(&s.trace_id);
        self.raw(",\"spanId\":");
        self.id(&s.span_id);
        self.raw(",\"parentSpanId\":");
        self.id(&s.parent_span_id);
        self.raw(",\"name\":");
        self.text(&s.name);
        self.raw(",\"kind\":");
        self.number(s.kind);
        self.raw(",\"startTimeUnixNano\":");
        self.quoted(s.start_time_unix_nano);
        self.raw(",\"endTimeUnixNano\":");
        self.quoted(s.end_time_unix_nano);
        self.raw(",\"attributes\":");
        self.attributes(&s.attributes);
        self.raw(",\"events\":[");
        for (i, e) in s.events.iter().enumerate() {
            self.comma(i);
            self.raw("{\"timeUnixNano\":");
            self.quoted(e.time_unix_nano);
            self.raw(",\"name\":");
            self.text(&e.name);
            self.raw(",\"attributes\":");
            self.attributes(&e.attributes);
            self.raw("}");
        }
        self.raw("]");
        if let Some(status) = &s.status {
            self.raw(",\"status\":{\"code\":");
            self.number(status.code);
            self.raw(",\"message\":");
            self.text(&status.message);
            self.raw("}");
        }
        self.raw("}");
    }

    fn resource(&mut self, resource: Option<&Resource>) {
        match resource {
            Some(r) => {
                self.raw("{\"attributes\":");
                self.attributes(&r.attributes);
                self.raw("}");
            }
            None => self.raw("null"),
        }
    }

    fn record(&mut self, r: &LogRecord) {
        self.raw("{\"traceId\":");
        self.id(&r.trace_id);
        self.raw(",\"spanId\":");
        self.id(&r.span_id);
        self.raw(",\"timeUnixNano\":");
        self.quoted(r.time_unix_nano);
        self.raw(",\"observedTimeUnixNano\":");
        self.quoted(r.observed_time_unix_nano);
        self.raw(",\"severityNumber\":");
        self.number(r.severity_number);
        self.raw(",\"severityText\":");
        self.text(&r.severity_text);
        self.raw(",\"eventName\":");
        self.text(&r.event_name);
        self.raw(",\"body\":");
        match &r.body {
            Some(v) => self.any_value(v),
            None => self.raw("null"),
        }
        self.raw(",\"attributes\":");
        self.attributes(&r.attributes);
        self.raw("}");
    }

    fn attributes(&mut self, list: &[KeyValue]) {
        self.raw("[");
        for (i, kv) in list.iter().enumerate() {
            self.comma(i);
            self.raw("{\"key\":");
            self.text(&kv.key);
            self.raw(",\"value\":");
            match &kv.value {
                Some(v) => self.any_value(v),
                None => self.raw("null"),
            }
            self.raw("}");
        }
        self.raw("]");
    }

    fn any_value(&mut self, v: &AnyValue) {
        use any_value::Value as V;
        match &v.value {
            Some(V::StringValue(s)) => {
                self.raw("{\"stringValue\":");
                self.text(s);
                self.raw("}");
            }
            Some(V::BoolValue(b)) => self.raw(if *b {
                "{\"boolValue\":true}"
            } else {
                "{\"boolValue\":false}"
            }),
            Some(V::IntValue(i)) => {
                self.raw("{\"intValue\":");
                self.quoted(*i);
                self.raw("}");
            }
            Some(V::DoubleValue(d)) => {
                // serde_json's spelling; not a number (NaN, infinities) is null, as in JSON.
                let number = serde_json::Number::from_f64(*d).map(|n| n.to_string());
                self.raw("{\"doubleValue\":");
                self.raw(number.as_deref().unwrap_or("null"));
                self.raw("}");
            }
            Some(V::BytesValue(b)) => {
                use base64::Engine as _;
                self.raw("{\"bytesValue\":");
                self.string(&base64::engine::general_purpose::STANDARD.encode(b));
                self.raw("}");
            }
            Some(V::ArrayValue(a)) => {
                self.raw("{\"arrayValue\":{\"values\":[");
                for (i, v) in a.values.iter().enumerate() {
                    self.comma(i);
                    self.any_value(v);
                }
                self.raw("]}}");
            }
            Some(V::KvlistValue(l)) => {
                self.raw("{\"kvlistValue\":{\"values\":");
                self.attributes(&l.values);
                self.raw("}}");
            }
            None => self.raw("null"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receiver::proto::*;
    use prost::Message as _;
    use serde_json::{Value, json};

    fn kv(key: &str, value: any_value::Value) -> KeyValue {
        KeyValue {
            key: bytes::Bytes::copy_from_slice(key.as_bytes()),
            value: Some(AnyValue { value: Some(value) }),
        }
    }

    #[test]
    fn a_logs_request_is_written_as_otlp_json() {
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: None,
                scope_logs: vec![ScopeLogs {
                    scope: None,
                    log_records: vec![LogRecord {
                        trace_id: vec![0xab; 16].into(),
                        span_id: vec![1, 2, 3, 4, 5, 6, 7, 8].into(),
                        event_name: "gen_ai.user.message".into(),
                        body: Some(AnyValue {
                            value: Some(any_value::Value::KvlistValue(KeyValueList {
                                values: vec![kv(
                                    "content",
                                    any_value::Value::StringValue(b"hi \xff".to_vec().into()),
                                )],
                            })),
                        }),
                        observed_time_unix_nano: 7,
                        ..LogRecord::default()
                    }],
                }],
            }],
        };
        let bytes = request.encode_to_vec();
        let decoded = ExportLogsServiceRequest::decode(&bytes[..]).expect("decode");
        let written = logs_to_json(&decoded);
        assert_eq!(written.not_utf8, 1);
        let read = crate::formats::otlp::reader::read(&written.json, &|raw| {
            crate::model::SpanSource::Memory(std::sync::Arc::from(raw.get().as_bytes()))
        })
        .expect("read");
        assert_eq!(read.logs.logs.len(), 1);
        let log = &read.logs.logs[0];
        assert_eq!(log.trace_id, "ab".repeat(16));
        assert_eq!(log.span_id, "0102030405060708");
        let crate::model::SpanSource::Memory(raw) = &log.source else {
            panic!("in memory")
        };
        let event = crate::formats::otlp::logs::event(std::str::from_utf8(raw).expect("utf8"))
            .expect("event");
        assert_eq!(event.name, "gen_ai.user.message");
        assert_eq!(event.time_ns, Some(7));
        assert_eq!(
            event.attributes,
            [("body".to_string(), json!({"content": "hi \u{fffd}"}))]
        );
    }

    #[test]
    fn protobuf_round_trips_into_the_json_form() {
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: None,
                scope_spans: vec![ScopeSpans {
                    scope: None,
                    spans: vec![Span {
                        trace_id: vec![0xab; 16].into(),
                        span_id: vec![1, 2, 3, 4, 5, 6, 7, 8].into(),
                        name: "chat".into(),
                        kind: 3,
                        start_time_unix_nano: 10,
                        end_time_unix_nano: 30,
                        attributes: vec![kv(
                            "gen_ai.usage.input_tokens",
                            any_value::Value::IntValue(42),
                        )],
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
        let v: Value = serde_json::from_slice(&to_json(&decoded).json).expect("JSON");
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

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let cases = [
            String::new(),
            "plain".into(),
            "\"".into(),
            "a\"\"b\\".into(),
            "\n\nend".into(),
            "start\u{1f}".into(),
            "é\u{1}ü\u{7f}".into(),
            r#"[{\"role\":\"user\",\"content\":\"hi\"}]"#.into(),
            every_ascii.clone(),
            every_ascii.repeat(3),
        ];
        for s in cases {
            let mut w = Writer::default();
            w.string(&s);
            let want = serde_json::to_string(&s).expect("JSON");
            assert_eq!(String::from_utf8(w.out).expect("UTF-8"), want, "{s:?}");
        }
    }

    #[test]
    fn every_value_kind_is_spelled_as_otlp_json() {
        use any_value::Value as V;
        let span = Span {
            name: "q\"\\\n\t\u{1}\u{7f}é".into(),
            attributes: vec![
                kv("s", V::StringValue("x".into())),
                kv("b", V::BoolValue(true)),
                kv("i", V::IntValue(-7)),
                kv("d", V::DoubleValue(1.5)),
                kv("nan", V::DoubleValue(f64::NAN)),
                kv("bytes", V::BytesValue(vec![0, 255].into())),
                kv(
                    "a",
                    V::ArrayValue(ArrayValue {
                        values: vec![AnyValue::default()],
                    }),
                ),
                kv(
                    "l",
                    V::KvlistValue(KeyValueList {
                        values: vec![KeyValue::default()],
                    }),
                ),
            ],
            events: vec![Event {
                time_unix_nano: 5,
                name: "e".into(),
                attributes: vec![],
            }],
            ..Span::default()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource::default()),
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "n".into(),
                        version: "1".into(),
                    }),
                    spans: vec![span],
                }],
            }],
        };
        let written = to_json(&request);
        assert_eq!(written.not_utf8, 0);
        let v: Value = serde_json::from_slice(&written.json).expect("JSON");
        let rs = &v["resourceSpans"][0];
        assert_eq!(rs["resource"], json!({"attributes": []}));
        assert_eq!(
            rs["scopeSpans"][0]["scope"],
            json!({"name": "n", "version": "1"})
        );
        let span = &rs["scopeSpans"][0]["spans"][0];
        assert_eq!(span["name"], "q\"\\\n\t\u{1}\u{7f}é");
        let values: Vec<&Value> = span["attributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .map(|a| &a["value"])
            .collect();
        assert_eq!(
            values,
            [
                &json!({"stringValue": "x"}),
                &json!({"boolValue": true}),
                &json!({"intValue": "-7"}),
                &json!({"doubleValue": 1.5}),
                &json!({"doubleValue": null}),
                &json!({"bytesValue": "AP8="}),
                &json!({"arrayValue": {"values": [null]}}),
                &json!({"kvlistValue": {"values": [{"key": "", "value": null}]}}),
            ]
        );
        assert_eq!(
            span["events"],
            json!([{"timeUnixNano": "5", "name": "e", "attributes": []}])
        );
        assert!(span.get("status").is_none());
    }

    #[test]
    fn strings_that_are_not_utf8_are_kept_with_replacements_and_counted() {
        let span = Span {
            name: b"ok".to_vec().into(),
            attributes: vec![
                kv(
                    "a",
                    any_value::Value::StringValue(b"caf\xe9 \xff!".to_vec().into()),
                ),
                KeyValue {
                    key: b"k\xc3".to_vec().into(),
                    value: None,
                },
            ],
            ..Span::default()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: None,
                scope_spans: vec![ScopeSpans {
                    scope: None,
                    spans: vec![span],
                }],
            }],
        };
        let written = to_json(&request);
        assert_eq!(written.not_utf8, 3, "each bad sequence");
        let v: Value = serde_json::from_slice(&written.json).expect("JSON");
        let attributes = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
        assert_eq!(
            attributes[0]["value"]["stringValue"],
            "caf\u{fffd} \u{fffd}!"
        );
        assert_eq!(attributes[1]["key"], "k\u{fffd}");
    }
}
