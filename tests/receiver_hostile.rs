//! The OTLP receiver against peers that misbehave, on loopback ports of its own: a client
//! that stalls mid-body or mid-head holds up only itself and is cut off; idle connections
//! are closed; kept-alive connections carry request after request; a small body that
//! decodes to millions of spans is refused before it is decoded, and a request with a
//! resource per span is read in time linear in its size.

mod common;

use common::receiver::{
    JSON, PROTOBUF, batch, closed_by_peer, connect, http, read_response, request, start, store_from,
};
use prost::Message as _;
use std::io::{BufReader, Write};
use std::time::Duration;
use tracetui::receiver::ReceiverOptions;
use tracetui::receiver::budget::{MAX_RESOURCES, MAX_SPANS};
use tracetui::receiver::proto::{
    AnyValue, ExportTraceServiceRequest, KeyValue, Resource, ResourceSpans, ScopeSpans, Span,
    any_value,
};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// The message of a protobuf error answer (`google.rpc.Status`, field 2).
fn rpc_message(body: &[u8]) -> String {
    #[derive(Clone, PartialEq, prost::Message)]
    struct RpcStatus {
        #[prost(string, tag = "2")]
        message: String,
    }
    RpcStatus::decode(body)
        .expect("a google.rpc.Status")
        .message
}

#[test]
fn a_stalled_body_does_not_hold_up_other_clients() {
    let options = ReceiverOptions {
        request_timeout: Duration::from_secs(5),
        ..ReceiverOptions::default()
    };
    let (addr, rx) = start(options, false);
    // Declares 100000 bytes, sends 10, and waits.
    let mut stalled = connect(addr);
    stalled
        .write_all(
            format!(
                "POST /v1/traces HTTP/1.1\r\nHost: tracetui\r\n{JSON}\r\nContent-Length: 100000\r\n\r\n{{\"resource"
            )
            .as_bytes(),
        )
        .expect("write the start");
    // Another client is answered while the first is still stalled.
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let (code, _, body) = http(addr, &post, &batch(2, "x"));
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    stalled.set_nonblocking(true).expect("nonblocking");
    let mut byte = [0u8; 1];
    let pending = stalled.peek(&mut byte);
    assert!(
        matches!(&pending, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the stalled request was still being waited for: {pending:?}"
    );
    stalled.set_nonblocking(false).expect("blocking");
    // Its deadline passes: it is told so and cut off.
    let mut stalled = BufReader::new(stalled);
    let (code, _, _) = read_response(&mut stalled).expect("an answer to the stalled request");
    assert_eq!(code, 408);
    assert!(
        closed_by_peer(stalled.get_mut()),
        "the stalled client is closed"
    );
    assert_eq!(store_from(&rx).span_count(), 2);
}

#[test]
fn a_head_sent_a_byte_at_a_time_runs_out_of_time() {
    let options = ReceiverOptions {
        request_timeout: Duration::from_secs(1),
        ..ReceiverOptions::default()
    };
    let (addr, _rx) = start(options, false);
    let mut slow = connect(addr);
    let mut closed = false;
    // Well past the deadline if nothing cut it off: 40 bytes, 100 ms apart.
    for byte in b"POST /v1/traces HTTP/1.1\r\nX-Slow: aaaaaa".iter() {
        if slow.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut slow = BufReader::new(slow);
    if !closed {
        let answer = read_response(&mut slow);
        assert_eq!(answer.map(|a| a.0), Some(408));
    }
    assert!(closed_by_peer(slow.get_mut()));
}

#[test]
fn idle_connections_are_closed() {
    let options = ReceiverOptions {
        idle_timeout: Duration::from_secs(1),
        ..ReceiverOptions::default()
    };
    let (addr, _rx) = start(options, false);
    let mut idle = connect(addr);
    assert!(closed_by_peer(&mut idle), "closed without a request");
    // And after a request, kept alive, then idle.
    let mut conn = BufReader::new(connect(addr));
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    conn.get_mut()
        .write_all(&request(&post, &batch(1, "x"), false))
        .expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(200));
    assert!(closed_by_peer(conn.get_mut()));
}

#[test]
fn kept_alive_connections_carry_many_requests() {
    let (addr, rx) = start(ReceiverOptions::default(), false);
    let mut conn = BufReader::new(connect(addr));
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let spans = |from: usize| {
        let body = String::from_utf8(batch(1, "x")).expect("utf-8");
        body.replace("0000000000000000", &format!("{from:016x}"))
            .replace("\"s0\"", &format!("\"s{from}\""))
            .into_bytes()
    };
    // One after another, a refusal in between that leaves the connection usable.
    conn.get_mut()
        .write_all(&request(&post, &spans(1), false))
        .expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(200));
    conn.get_mut()
        .write_all(&request(
            "POST /v1/metrics HTTP/1.1\r\nContent-Type: application/json",
            b"{}",
            false,
        ))
        .expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(404));
    // Two at once (pipelined), the second chunked and gzip-compressed.
    let mut both = request(&post, &spans(2), false);
    let gzipped = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&spans(3)).expect("gzip");
        gz.finish().expect("gzip")
    };
    both.extend_from_slice(
        format!("POST /v1/traces HTTP/1.1\r\nHost: tracetui\r\n{JSON}\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
            .as_bytes(),
    );
    for chunk in gzipped.chunks(7) {
        both.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        both.extend_from_slice(chunk);
        both.extend_from_slice(b"\r\n");
    }
    both.extend_from_slice(b"0\r\n\r\n");
    conn.get_mut().write_all(&both).expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(200));
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(200));
    // A client that asks for 100 Continue gets it before sending the body.
    let body = spans(4);
    conn.get_mut()
        .write_all(
            format!(
                "POST /v1/traces HTTP/1.1\r\nHost: tracetui\r\n{JSON}\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(100));
    conn.get_mut().write_all(&body).expect("write");
    assert_eq!(read_response(&mut conn).map(|a| a.0), Some(200));
    let store = store_from(&rx);
    assert_eq!(store.span_count(), 4);
}

#[test]
fn a_small_body_decoding_to_a_million_spans_is_refused_before_decoding() {
    let (addr, rx) = start(ReceiverOptions::default(), false);
    // A million empty spans, two bytes each on the wire (field 2, length 0), in one scope
    // of one resource: about 2 KB once compressed.
    let field = |number: u8, inner: &[u8]| {
        let mut out = vec![(number << 3) | 2];
        prost::encoding::encode_varint(inner.len() as u64, &mut out);
        out.extend_from_slice(inner);
        out
    };
    let spans = [0x12, 0x00].repeat(1_000_000);
    let body = gzip(&field(1, &field(2, &spans)));
    assert!(body.len() < 10_000, "{} bytes", body.len());
    let head = format!("POST /v1/traces HTTP/1.1\r\n{PROTOBUF}\r\nContent-Encoding: gzip");
    let (code, head, answer) = http(addr, &head, &body);
    assert_eq!(code, 413, "{head}");
    assert!(head.contains("application/x-protobuf"), "{head}");
    assert_eq!(
        rpc_message(&answer),
        format!("the request holds more than {MAX_SPANS} spans; send smaller batches")
    );
    // The same as JSON.
    let spans = vec!["{}"; MAX_SPANS as usize + 1].join(",");
    let json = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{spans}]}}]}}]}}"#);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let (code, _, answer) = http(addr, &post, json.as_bytes());
    assert_eq!(code, 413);
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("a JSON answer");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("spans")),
        "{answer}"
    );
    // Nothing was delivered, and the receiver still takes what fits.
    assert_eq!(http(addr, &post, &batch(1, "x")).0, 200);
    assert_eq!(store_from(&rx).span_count(), 1);
}

#[test]
fn a_resource_per_span_is_read_for_every_span() {
    let (addr, rx) = start(ReceiverOptions::default(), false);
    let n = MAX_RESOURCES as usize;
    let resource_spans: Vec<ResourceSpans> = (0..n)
        .map(|i| ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue(
                            format!("svc-{i}").into_bytes().into(),
                        )),
                    }),
                }],
            }),
            scope_spans: vec![ScopeSpans {
                scope: None,
                spans: vec![Span {
                    trace_id: (i as u128 + 1).to_be_bytes().to_vec().into(),
                    span_id: (i as u64 + 1).to_be_bytes().to_vec().into(),
                    name: "work".into(),
                    ..Span::default()
                }],
            }],
        })
        .collect();
    let body = ExportTraceServiceRequest { resource_spans }.encode_to_vec();
    let head = format!("POST /v1/traces HTTP/1.1\r\n{PROTOBUF}");
    let (code, _, answer) = http(addr, &head, &body);
    assert_eq!(code, 200, "{}", rpc_message(&answer));
    let store = store_from(&rx);
    assert_eq!(store.session_count(), n);
    let notes: std::collections::HashSet<String> = store
        .sessions()
        .filter_map(|(_, s)| s.note.as_deref().map(str::to_string))
        .collect();
    assert_eq!(notes.len(), n, "each span with its own resource's service");
    assert!(notes.contains(&format!("service: svc-{}", n - 1)));
}
