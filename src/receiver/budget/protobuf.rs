//! The protobuf request counted on the wire: each field that holds a message is followed
//! into (by the schema in `proto.rs`) and counted, everything else skipped, nothing
//! allocated. Counting stops at the first limit passed.

use super::{MAX_DEPTH, Over, Tally, too_deep};

/// The messages of the request that hold other messages, or are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Msg {
    Request,
    ResourceSpans,
    Resource,
    ScopeSpans,
    Scope,
    Span,
    Event,
    Status,
    KeyValue,
    AnyValue,
    ArrayValue,
    KeyValueList,
    LogsRequest,
    ResourceLogs,
    ScopeLogs,
    LogRecord,
}

/// The message a field holds, for the fields `proto.rs` decodes as messages.
fn child(parent: Msg, field: u64) -> Option<Msg> {
    use Msg::*;
    Some(match (parent, field) {
        (Request, 1) => ResourceSpans,
        (ResourceSpans, 1) => Resource,
        (ResourceSpans, 2) => ScopeSpans,
        (Resource, 1) | (Span, 9) | (Event, 3) | (KeyValueList, 1) => KeyValue,
        (ScopeSpans, 1) => Scope,
        (ScopeSpans, 2) => Span,
        (Span, 11) => Event,
        (Span, 15) => Status,
        (KeyValue, 2) | (ArrayValue, 1) => AnyValue,
        (AnyValue, 5) => ArrayValue,
        (AnyValue, 6) => KeyValueList,
        (LogsRequest, 1) => ResourceLogs,
        (ResourceLogs, 1) => Resource,
        (ResourceLogs, 2) => ScopeLogs,
        (ScopeLogs, 1) => Scope,
        (ScopeLogs, 2) => LogRecord,
        (LogRecord, 5) => AnyValue,
        (LogRecord, 6) => KeyValue,
        _ => return None,
    })
}

/// Count what an `ExportLogsServiceRequest` holds: its records count as spans.
pub fn count_logs(body: &[u8]) -> Result<Tally, Over> {
    let mut tally = Tally::default();
    walk(body, Msg::LogsRequest, 1, &mut tally)?;
    Ok(tally)
}

/// Count what an `ExportTraceServiceRequest` holds.
pub fn count(body: &[u8]) -> Result<Tally, Over> {
    let mut tally = Tally::default();
    walk(body, Msg::Request, 1, &mut tally)?;
    Ok(tally)
}

fn walk(buf: &[u8], msg: Msg, depth: usize, tally: &mut Tally) -> Result<(), Over> {
    let mut at = 0;
    while at < buf.len() {
        let key = varint(buf, &mut at)?;
        let field = key >> 3;
        match key & 7 {
            0 => {
                varint(buf, &mut at)?;
            }
            1 => at = skip(buf, at, 8)?,
            5 => at = skip(buf, at, 4)?,
            2 => {
                let len = varint(buf, &mut at)?;
                let end = skip(buf, at, len)?;
                if let Some(inner) = child(msg, field) {
                    if depth >= MAX_DEPTH {
                        return Err(too_deep());
                    }
                    match inner {
                        Msg::ResourceSpans | Msg::ResourceLogs => tally.resources += 1,
                        Msg::ScopeSpans | Msg::ScopeLogs => tally.scopes += 1,
                        Msg::Span | Msg::LogRecord => tally.spans += 1,
                        _ => tally.values += 1,
                    }
                    if let Some(over) = tally.over() {
                        return Err(over);
                    }
                    walk(&buf[at..end], inner, depth + 1, tally)?;
                }
                at = end;
            }
            // Groups (3, 4) are long deprecated and no OTLP exporter sends them.
            wire => return Err(malformed(&format!("wire type {wire}"))),
        }
    }
    Ok(())
}

fn malformed(what: &str) -> Over {
    Over::Malformed(format!("not an OTLP protobuf request: {what}"))
}

fn varint(buf: &[u8], at: &mut usize) -> Result<u64, Over> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&byte) = buf.get(*at) else {
            return Err(malformed("cut short"));
        };
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err(malformed("a varint too long"))
}

/// The position `len` bytes on from `at`, if the buffer has them.
fn skip(buf: &[u8], at: usize, len: u64) -> Result<usize, Over> {
    usize::try_from(len)
        .ok()
        .and_then(|len| at.checked_add(len))
        .filter(|&end| end <= buf.len())
        .ok_or_else(|| malformed("cut short"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receiver::budget::{MAX_SPANS, MAX_VALUES};
    use crate::receiver::proto::*;
    use prost::Message as _;

    fn kv(key: &str, value: Option<any_value::Value>) -> KeyValue {
        KeyValue {
            key: bytes::Bytes::copy_from_slice(key.as_bytes()),
            value: Some(AnyValue { value }),
        }
    }

    #[test]
    fn counts_agree_with_what_prost_decodes() {
        let nested = any_value::Value::KvlistValue(KeyValueList {
            values: vec![kv(
                "list",
                Some(any_value::Value::ArrayValue(ArrayValue {
                    values: vec![AnyValue::default(), AnyValue::default()],
                })),
            )],
        });
        let span = Span {
            attributes: vec![kv("a", Some(nested)), kv("b", None)],
            events: vec![Event {
                attributes: vec![kv("c", None)],
                ..Event::default()
            }],
            status: Some(Status::default()),
            ..Span::default()
        };
        let scope = ScopeSpans {
            scope: Some(InstrumentationScope::default()),
            spans: vec![span.clone(), span],
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![
                ResourceSpans {
                    resource: Some(Resource {
                        attributes: vec![kv("service.name", None)],
                    }),
                    scope_spans: vec![scope.clone(), scope],
                },
                ResourceSpans::default(),
            ],
        };
        let tally = count(&request.encode_to_vec()).expect("counted");
        // Per span: 2 attributes (kv a: value, kvlist, kv list: value, array, 2 values;
        // kv b: value) = 10, an event and its kv + value = 3, a status = 1.
        let per_span = 10 + 3 + 1;
        assert_eq!(
            tally,
            Tally {
                resources: 2,
                scopes: 2,
                spans: 4,
                // the resource, its kv and value; 2 scopes; the spans' insides
                values: 3 + 2 + 4 * per_span,
            }
        );
    }

    #[test]
    fn a_logs_request_is_counted_by_its_schema() {
        let record = LogRecord {
            attributes: vec![kv("k", Some(any_value::Value::IntValue(1)))],
            body: Some(AnyValue {
                value: Some(any_value::Value::StringValue(b"hi".to_vec().into())),
            }),
            ..LogRecord::default()
        };
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: None,
                scope_logs: vec![ScopeLogs {
                    scope: None,
                    log_records: vec![record.clone(), record],
                }],
            }],
        };
        let tally = count_logs(&request.encode_to_vec()).expect("counted");
        // Per record: the body, one attribute and its value.
        assert_eq!(
            (tally.resources, tally.scopes, tally.spans, tally.values),
            (1, 1, 2, 6)
        );
    }

    #[test]
    fn a_small_body_declaring_many_spans_is_stopped_early() {
        // Empty spans cost two bytes each on the wire.
        let mut scope = Vec::new();
        for _ in 0..=MAX_SPANS {
            scope.extend_from_slice(&[0x12, 0x00]);
        }
        let wrap = |field: u8, inner: &[u8]| {
            let mut out = vec![(field << 3) | 2];
            prost::encoding::encode_varint(inner.len() as u64, &mut out);
            out.extend_from_slice(inner);
            out
        };
        let body = wrap(1, &wrap(2, &scope));
        assert!(matches!(count(&body), Err(Over::Limit(m)) if m.contains("spans")));
        // Attributes past the limit, in one span.
        let attrs = [0x4a, 0x00].repeat(MAX_VALUES as usize + 1);
        let body = wrap(1, &wrap(2, &wrap(2, &attrs)));
        assert!(matches!(count(&body), Err(Over::Limit(m)) if m.contains("attributes")));
    }

    #[test]
    fn deep_and_broken_bodies_are_refused() {
        // kvlist in kvlist in ...: KeyValue(2: AnyValue(6: KeyValueList(1: KeyValue ...))).
        let mut inner: Vec<u8> = Vec::new();
        for _ in 0..MAX_DEPTH {
            let mut list = vec![0x0a];
            prost::encoding::encode_varint(inner.len() as u64, &mut list);
            list.extend_from_slice(&inner);
            let mut any = vec![0x32];
            prost::encoding::encode_varint(list.len() as u64, &mut any);
            any.extend_from_slice(&list);
            let mut kv = vec![0x12];
            prost::encoding::encode_varint(any.len() as u64, &mut kv);
            kv.extend_from_slice(&any);
            inner = kv;
        }
        let mut span = vec![0x4a];
        prost::encoding::encode_varint(inner.len() as u64, &mut span);
        span.extend_from_slice(&inner);
        let wrap = |field: u8, inner: &[u8]| {
            let mut out = vec![(field << 3) | 2];
            prost::encoding::encode_varint(inner.len() as u64, &mut out);
            out.extend_from_slice(inner);
            out
        };
        let body = wrap(1, &wrap(2, &wrap(2, &span)));
        assert_eq!(count(&body), Err(too_deep()));
        for broken in [&[0x0a, 0x05, 0x00][..], &[0x0b], &[0x08, 0xff]] {
            assert!(
                matches!(count(broken), Err(Over::Malformed(_))),
                "{broken:?}"
            );
        }
        assert_eq!(count(b""), Ok(Tally::default()));
    }
}
