//! The OTLP receiver on loopback: spans made and sent by the real OpenTelemetry Python SDK
//! (its protobuf exporter over HTTP, gzip or not, JSON, and its gRPC exporter, gzip or not)
//! reach the model; the limits answer as
//! the OTLP spec says (413, 415, 404, 405, 400, 503 with Retry-After), each answer labelled
//! with the type it is; past the memory limit spans keep their structure and a problem says
//! so; a string that is not UTF-8 costs only its bad bytes.

mod common;

use common::receiver::{
    JSON, PROTOBUF, batch, http, sent_by_the_sdk, start, start_behind, start_grpc, store_from,
};
use prost::Message as _;
use tracetui::model::{Payload, SpanKind, Status};
use tracetui::receiver::ReceiverOptions;
use tracetui::receiver::proto::{
    ExportTraceServiceRequest, ExportTraceServiceResponse, ResourceSpans, ScopeSpans, Span,
};

#[test]
fn spans_from_the_opentelemetry_sdk_arrive_in_every_encoding() {
    for mode in ["protobuf", "protobuf-gzip", "json", "grpc", "grpc-gzip"] {
        let (trace_id, rx) = sent_by_the_sdk(mode, ReceiverOptions::default());
        let store = store_from(&rx);
        assert_eq!(store.session_count(), 1, "{mode}");
        let (_, session) = store.sessions().next().expect("session");
        assert_eq!(&*session.id, trace_id, "{mode}: hex trace id");
        assert_eq!(session.note.as_deref(), Some("service: otel-test-agent"));
        assert_eq!(session.span_count(), 3, "{mode}");
        // Children were sent before their parent; the tree is whole all the same.
        assert_eq!(session.roots().len(), 1, "{mode}");
        assert!(session.orphans().is_empty(), "{mode}");
        let root = session.roots()[0];
        assert_eq!(store.name(session.span(root).name), "invoke_agent planner");
        assert_eq!(session.span(root).kind, SpanKind::Agent);
        let children: Vec<(&str, SpanKind, Status)> = session
            .children(root)
            .iter()
            .map(|&c| {
                let s = session.span(c);
                (store.name(s.name), s.kind, s.status)
            })
            .collect();
        assert_eq!(
            children,
            [
                ("chat gpt-4o", SpanKind::Llm, Status::Ok),
                ("execute_tool get_weather", SpanKind::Tool, Status::Error),
            ],
            "{mode}"
        );
        let chat = session.span(session.children(root)[0]);
        let usage = chat.payload.usage().expect("usage");
        assert_eq!((usage.input, usage.output), (Some(42), Some(7)), "{mode}");
        // The prompt pane reads the conversation back from what was received.
        let Payload::Span(span_ref) = &chat.payload else {
            panic!("{mode}: a span payload");
        };
        let span = tracetui::formats::otel::load(span_ref, &mut tracetui::formats::bytes::Pread)
            .expect("read back");
        let messages = tracetui::formats::otel::chat::messages(&span);
        let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["user", "assistant"], "{mode}");
        let tool = session.span(session.children(root)[1]);
        let Payload::Span(tool_ref) = &tool.payload else {
            panic!("{mode}: a span payload");
        };
        let tool = tracetui::formats::otel::load(tool_ref, &mut tracetui::formats::bytes::Pread)
            .expect("read back");
        assert_eq!(
            tool.exception().as_deref(),
            Some("RuntimeError: 503 from the weather service"),
            "{mode}"
        );
    }
}

#[test]
fn refusals_follow_the_otlp_spec() {
    let options = ReceiverOptions {
        max_body: 4096,
        ..ReceiverOptions::default()
    };
    let (addr, rx) = start(options, false);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    assert_eq!(http(addr, &post, &batch(1, "x")).0, 200);
    let (code, _, body) = http(addr, &post, &batch(1, &"x".repeat(8000)));
    assert_eq!(code, 413, "{}", String::from_utf8_lossy(&body));
    let (code, _, body) = http(addr, &post, b"{not json");
    assert_eq!(code, 400);
    assert!(String::from_utf8_lossy(&body).contains("invalid JSON"));
    let text = "POST /v1/traces HTTP/1.1\r\nContent-Type: text/plain";
    assert_eq!(http(addr, text, b"hi").0, 415);
    let proto = "POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf";
    assert_eq!(http(addr, proto, b"\xff\xff\xff").0, 400);
    assert_eq!(
        http(addr, &format!("POST /v1/metrics HTTP/1.1\r\n{JSON}"), b"{}").0,
        404
    );
    assert_eq!(http(addr, "GET /v1/traces HTTP/1.1", b"").0, 405);
    // Spans that cannot be read are a partial success, not a failure.
    let mixed = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"no id"},{"spanId":"00000000000000aa","name":"ok"}]}]}]}"#;
    let (code, _, body) = http(addr, &post, mixed);
    assert_eq!(code, 200);
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("json answer");
    assert_eq!(answer["partialSuccess"]["rejectedSpans"], "1");
    let store = store_from(&rx);
    assert_eq!(
        store.span_count(),
        2,
        "the first batch and the readable span"
    );
}

#[test]
fn a_consumer_that_is_behind_asks_for_a_retry() {
    let (addr, rx) = start(ReceiverOptions::default(), true);
    let (code, head, _) = http(
        addr,
        &format!("POST /v1/traces HTTP/1.1\r\n{JSON}"),
        &batch(1, "x"),
    );
    assert_eq!(code, 503);
    assert!(head.contains("Retry-After: 1"), "{head}");
    assert!(rx.try_recv().is_err(), "nothing half-delivered");
}

#[test]
fn past_the_memory_limit_spans_keep_their_structure_and_say_so() {
    let options = ReceiverOptions {
        max_memory: 2000,
        ..ReceiverOptions::default()
    };
    let (addr, rx) = start(options, false);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    // Ten spans of about 400 bytes each against a 2000-byte budget.
    assert_eq!(http(addr, &post, &batch(10, &"y".repeat(300))).0, 200);
    let store = store_from(&rx);
    assert_eq!(store.span_count(), 10, "every span is there");
    let problems: Vec<String> = store.problems().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("memory limit"), "{problems:?}");
    let (_, session) = store.sessions().next().expect("session");
    let bodies: Vec<usize> = session
        .spans_in_order()
        .into_iter()
        .map(|id| match &session.span(id).payload {
            Payload::Span(span_ref) => {
                tracetui::formats::otel::load(span_ref, &mut tracetui::formats::bytes::Pread)
                    .expect("read back")
                    .attributes
                    .len()
            }
            _ => 0,
        })
        .collect();
    let kept = bodies.iter().filter(|&&n| n == 1).count();
    assert!((3..=5).contains(&kept), "{bodies:?}");
    assert_eq!(bodies.iter().filter(|&&n| n == 0).count(), 10 - kept);
}

/// The Content-Type an answer says it is.
fn content_type(head: &str) -> &str {
    head.lines()
        .find_map(|l| l.strip_prefix("Content-Type: "))
        .unwrap_or("")
}

#[test]
fn answers_say_what_they_are() {
    let options = ReceiverOptions {
        max_body: 1 << 20,
        ..ReceiverOptions::default()
    };
    let (addr, _rx) = start(options, false);
    // Refusals made before the encoding is known are plain text, and say so.
    for (head, code) in [
        (format!("POST /v1/metrics HTTP/1.1\r\n{JSON}"), 404),
        (format!("GET /v1/traces HTTP/1.1\r\n{JSON}"), 405),
        (
            "POST /v1/traces HTTP/1.1\r\nContent-Type: text/plain".to_string(),
            415,
        ),
        (
            format!("POST /v1/traces HTTP/1.1\r\n{JSON}\r\nContent-Encoding: br"),
            415,
        ),
    ] {
        let (got, answer_head, body) = http(addr, &head, b"{}");
        assert_eq!(got, code, "{head}");
        assert_eq!(
            content_type(&answer_head),
            "text/plain; charset=utf-8",
            "{head}"
        );
        assert!(std::str::from_utf8(&body).is_ok_and(|b| !b.is_empty()));
    }
    // The rest in the request's encoding; limits as they were given, in MiB.
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let (code, head, body) = http(addr, &post, &batch(1, &"x".repeat(1 << 20)));
    assert_eq!(code, 413);
    assert_eq!(content_type(&head), "application/json");
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("a JSON answer");
    assert_eq!(
        answer["message"],
        "request body over the 1 MiB limit (--listen-max-body)"
    );
    let (code, head, _) = http(addr, &post, b"[");
    assert_eq!((code, content_type(&head)), (400, "application/json"));
    let proto = format!("POST /v1/traces HTTP/1.1\r\n{PROTOBUF}");
    let (code, head, _) = http(addr, &proto, b"\xff");
    assert_eq!((code, content_type(&head)), (400, "application/x-protobuf"));
}

#[test]
fn a_string_that_is_not_utf8_costs_only_its_bad_bytes() {
    let (addr, rx) = start(ReceiverOptions::default(), false);
    let span = |id: u8, name: &[u8]| Span {
        trace_id: vec![7; 16].into(),
        span_id: vec![id; 8].into(),
        name: name.to_vec().into(),
        ..Span::default()
    };
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: None,
            scope_spans: vec![ScopeSpans {
                scope: None,
                spans: vec![span(1, b"first"), span(2, b"caf\xe9"), span(3, b"third")],
            }],
        }],
    };
    let proto = format!("POST /v1/traces HTTP/1.1\r\n{PROTOBUF}");
    let (code, _, body) = http(addr, &proto, &request.encode_to_vec());
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    // Accepted whole, with a warning: the spec's partial success with nothing rejected.
    let answer = ExportTraceServiceResponse::decode(&body[..]).expect("a response");
    let partial = answer.partial_success.expect("a warning");
    assert_eq!(partial.rejected_spans, 0);
    assert!(partial.error_message.contains("not UTF-8"), "{partial:?}");
    // The same in JSON: a bad byte inside a string.
    let mut json = batch(1, "x");
    let at = json
        .windows(4)
        .position(|w| w == b"\"s0\"")
        .expect("the span's name")
        + 2;
    json.splice(at..at, [0xff]);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    let (code, _, body) = http(addr, &post, &json);
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("a JSON answer");
    assert_eq!(answer["partialSuccess"]["rejectedSpans"], "0");
    let store = store_from(&rx);
    assert_eq!(store.span_count(), 4, "every span kept");
    let names: Vec<&str> = store
        .sessions()
        .flat_map(|(_, s)| {
            s.spans_in_order()
                .into_iter()
                .map(move |id| s.span(id).name)
        })
        .map(|n| store.name(n))
        .collect();
    for name in ["first", "caf\u{fffd}", "third", "s\u{fffd}0"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let problems: Vec<String> = store.problems().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("not UTF-8 (2 sequences so far)"),
        "{problems:?}"
    );
}

#[test]
fn a_batch_refused_while_behind_changes_nothing() {
    // Over the memory budget, with a bad UTF-8 byte and a service: everything a batch can
    // change in the receiver.
    let options = ReceiverOptions {
        max_memory: 1,
        ..ReceiverOptions::default()
    };
    let (addr, rx, statuses) = start_behind(options, 2);
    let mut body = String::from_utf8(batch(3, "y")).expect("utf-8").replace(
        r#"{"scopeSpans""#,
        r#"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},"scopeSpans""#,
    ).into_bytes();
    let at = body
        .windows(4)
        .position(|w| w == b"\"s1\"")
        .expect("a name")
        + 2;
    body.splice(at..at, [0xff]);
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    for _ in 0..2 {
        let (code, head, _) = http(addr, &post, &body);
        assert_eq!(code, 503, "{head}");
    }
    let refused: Vec<_> = statuses.try_iter().collect();
    let last = refused.last().expect("a status after each refusal");
    assert_eq!((last.requests, last.refused), (2, 2));
    assert_eq!(
        (last.spans, last.bodies_dropped, last.held_bytes),
        (0, 0, 0),
        "nothing counted for a batch not taken"
    );
    // The retry is taken as if it were the first time.
    assert_eq!(http(addr, &post, &body).0, 200);
    let accepted = statuses.try_iter().last().expect("a status");
    assert_eq!((accepted.requests, accepted.refused), (3, 2));
    assert_eq!((accepted.spans, accepted.bodies_dropped), (3, 3));
    let store = store_from(&rx);
    assert_eq!(store.session_count(), 1);
    let (_, session) = store.sessions().next().expect("session");
    assert_eq!(
        session.source,
        tracetui::model::Source::Otlp,
        "announced, not a placeholder"
    );
    assert_eq!(session.note.as_deref(), Some("service: agent"));
    let problems: Vec<String> = store.problems().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("memory limit"), "{problems:?}");
    assert!(
        problems[1].contains("not UTF-8 (1 sequences so far)"),
        "{problems:?}"
    );
}

/// Over gRPC the limits answer as HTTP's do, in gRPC's terms: too large is
/// RESOURCE_EXHAUSTED, not OTLP is INVALID_ARGUMENT, a consumer that is behind UNAVAILABLE
/// (which exporters retry); a good request is accepted.
#[test]
fn grpc_answers_follow_the_otlp_spec() {
    let python = common::otel_grpc_python();
    let script = common::fixture("otel/grpc_raw.py");
    let dir = tempfile::tempdir().expect("tempdir");
    let send = |addr: std::net::SocketAddr, body: &[u8]| {
        let file = dir.path().join("body");
        std::fs::write(&file, body).expect("write");
        let out = common::run_ok(
            std::process::Command::new(&python)
                .arg(&script)
                .arg(addr.to_string())
                .arg(&file),
            "grpcio",
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let good = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: None,
            scope_spans: vec![ScopeSpans {
                scope: None,
                spans: vec![Span {
                    trace_id: vec![7; 16].into(),
                    span_id: vec![1; 8].into(),
                    name: b"one".to_vec().into(),
                    start_time_unix_nano: 1,
                    end_time_unix_nano: 2,
                    ..Span::default()
                }],
            }],
        }],
    }
    .encode_to_vec();

    let (_, grpc, rx) = start_grpc(ReceiverOptions {
        max_body: 1 << 20,
        ..Default::default()
    });
    assert_eq!(send(grpc, &good), "OK");
    assert_eq!(store_from(&rx).span_count(), 1);
    let large = vec![0x0a_u8; 2 << 20];
    let answer = send(grpc, &large);
    assert!(answer.starts_with("RESOURCE_EXHAUSTED"), "{answer}");
    let answer = send(grpc, b"\xff\xff\xff not protobuf");
    assert!(answer.starts_with("INVALID_ARGUMENT"), "{answer}");

    let (_, grpc, rx) = common::receiver::start_grpc_behind(ReceiverOptions::default(), 1);
    assert!(send(grpc, &good).starts_with("UNAVAILABLE"));
    assert_eq!(send(grpc, &good), "OK", "the retry is taken");
    assert_eq!(store_from(&rx).span_count(), 1);

    // HTTP and gRPC share the connection cap: with HTTP's one place taken, a gRPC client
    // is turned away (UNAVAILABLE, retried); once it is free, served.
    let (http_addr, grpc, _rx) = start_grpc(ReceiverOptions {
        max_connections: 1,
        ..Default::default()
    });
    let held = std::net::TcpStream::connect(http_addr).expect("connect");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let answer = send(grpc, &good);
    assert!(answer.starts_with("UNAVAILABLE"), "{answer}");
    drop(held);
    let mut answer = String::new();
    for _ in 0..50 {
        answer = send(grpc, &good);
        if answer == "OK" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(answer, "OK", "served once the place is free");
}

/// GenAI events sent as OTLP log records over gRPC (LogsService), ahead of their span
/// (TraceService): they become the span's messages, as the SDK's gRPC exporters sent them.
#[test]
fn log_records_over_grpc_become_their_spans_messages() {
    let python = common::otel_grpc_python();
    let (_, grpc, rx) = start_grpc(ReceiverOptions::default());
    let out = common::run_ok(
        std::process::Command::new(&python)
            .arg(common::fixture("otel/grpc_logs.py"))
            .arg(grpc.to_string()),
        "the SDK",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Failed to export"), "{stderr}");
    let sent: serde_json::Value = serde_json::from_slice(&out.stdout).expect("what was sent");
    let store = store_from(&rx);
    assert_eq!(store.session_count(), 1);
    let (_, session) = store.sessions().next().expect("session");
    let chat = session.span(session.roots()[0]);
    assert_eq!(store.name(chat.name), "chat gpt-4o-mini");
    let Payload::Span(span_ref) = &chat.payload else {
        panic!("a span payload");
    };
    let span = tracetui::formats::otel::load(span_ref, &mut tracetui::formats::bytes::Pread)
        .expect("read back");
    let messages = tracetui::formats::otel::chat::messages(&span);
    let texts: Vec<String> = messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|p| match p {
            tracetui::formats::otel::chat::ChatPart::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = sent
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            e["body"]["content"]
                .as_str()
                .or_else(|| e["body"]["message"]["content"].as_str())
                .expect("text")
                .to_string()
        })
        .collect();
    assert_eq!(texts, expected);
    let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["system", "user", "assistant"]);
}
