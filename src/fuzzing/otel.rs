//! Targets for OpenTelemetry-shaped input: OTLP/JSON files, MLflow trace stores and the
//! receiver's OTLP/HTTP protobuf bodies.

use super::NOW;
use super::checks::check_store;
use super::feed::{finish, places, read_document, read_lines, split_lines};
use super::scratch::{Scratch, ScratchDir};
use crate::formats::otel::{OtelSpan, usage::usage};
use crate::formats::otlp::reader::{OtlpReader, emit, read_batch};
use crate::formats::otlp::span as otlp_span;
use crate::formats::sniff::{Format, Layout};
use crate::model::time::NS_PER_SEC;
use crate::model::{SpanSource, Store};
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// `otlp_batch`: an OTLP/JSON file. Each line's batch is read as the file reader and the
/// receiver read it (`read_batch`), every span parsed in full and light, which must agree on
/// what loading takes from the light one, every log record taken read back as an event;
/// then the file is ingested, laid out as it sniffs
/// (a pretty-printed batch is one document), and its store checked like `pml_lines`.
pub fn otlp_batch(data: &[u8]) {
    for (_, line) in split_lines(data) {
        check_batch(line);
    }
    check_batch(data);
    let file = Scratch::new("otlp.jsonl", data);
    let mut reader = OtlpReader::new(Arc::from(file.0.as_path()));
    let out = match crate::formats::sniff::sniff(data) {
        Some((Format::Otlp, Layout::Document)) => match places(data) {
            Some(places) => read_document(&mut reader, data, places),
            // Not JSON (yet): ingest reports it and reads nothing.
            None => return,
        },
        _ => read_lines(&mut reader, data),
    };
    check_store(&finish(&mut reader, out, &file.0));
}

/// Spans kept in memory, as the receiver keeps them: the raw JSON of each.
fn in_memory(raw: &RawValue) -> SpanSource {
    SpanSource::Memory(Arc::from(raw.get().as_bytes()))
}

/// One batch through `read_batch`; every span it returns parses in full, and the light
/// parse loading uses agrees with the full one the prompt pane uses.
fn check_batch(bytes: &[u8]) {
    let Ok(read) = crate::formats::otlp::reader::read(bytes, &in_memory) else {
        return;
    };
    for log in &read.logs.logs {
        let SpanSource::Memory(raw) = &log.source else {
            unreachable!("placed in memory");
        };
        let raw = std::str::from_utf8(raw).expect("a record's raw JSON is UTF-8");
        crate::formats::otlp::logs::event(raw).expect("a record taken reads back as an event");
    }
    let spans = read.spans;
    for span in &spans {
        let SpanSource::Memory(raw) = &span.source else {
            unreachable!("placed in memory");
        };
        let raw = std::str::from_utf8(raw).expect("a span's raw JSON is UTF-8");
        let light = otlp_span::parse_light(raw).expect("a span read_batch took parses light");
        assert_eq!(light, span.span, "read_batch's span is the light parse");
        let full = otlp_span::parse(raw).expect("a span that parses light parses in full");
        assert_light_agrees(&light, &full);
    }
}

fn assert_light_agrees(light: &OtelSpan, full: &OtelSpan) {
    let ids = |a: &OtelSpan| (a.trace_id.clone(), a.span_id.clone(), a.parent_id.clone());
    assert_eq!(ids(light), ids(full), "ids differ");
    let rest = |a: &OtelSpan| (a.otel_kind, a.start_ns, a.end_ns, a.status);
    assert_eq!(rest(light), rest(full), "kind, times or status code differ");
    assert_eq!(light.name, full.name);
    assert_eq!(light.status_message, full.status_message);
    assert_eq!(light.kind(), full.kind(), "kind differs");
    assert_eq!(light.status(), full.status(), "status differs");
    assert_eq!(usage(light), usage(full), "usage differs");
    assert!(light.events.is_empty(), "light reads no events");
}

/// `mlflow_trace`: `trace_info.yaml`, then (after the first 0 byte, if any) `traces.json`,
/// written as one trace of an MLflow store and loaded as `dump` loads it; the store is
/// checked like `pml_lines`'s. Without a 0 byte the trace has no spans yet (in flight).
pub fn mlflow_trace(data: &[u8]) {
    let mut parts = data.splitn(2, |&b| b == 0);
    let info = parts.next().unwrap_or_default();
    let spans = parts.next();
    let store_dir = ScratchDir::new("mlruns");
    store_dir.write("1/meta.yaml", b"name: fuzz\n");
    store_dir.write("1/traces/tr-fuzz/trace_info.yaml", info);
    if let Some(spans) = spans {
        store_dir.write("1/traces/tr-fuzz/artifacts/traces.json", spans);
    }
    let options = crate::ingest::ingestor::Options {
        settle_ns: NS_PER_SEC,
        experiment: None,
    };
    let store = crate::ingest::ingestor::load(std::slice::from_ref(&store_dir.0), options, NOW);
    // A trace whose info reads is one session; one whose info does not is a problem only.
    let trace = store_dir.0.join("1/traces/tr-fuzz");
    let readable = crate::formats::mlflow::info::read_info(&trace).is_ok();
    assert_eq!(store.session_ids().len(), usize::from(readable), "sessions");
    check_store(&store);
}

/// `receiver_proto`: an OTLP/HTTP protobuf body, counted on the wire and decoded with the
/// receiver's messages as the receiver does (the count must agree with what prost builds),
/// turned into OTLP/JSON, then read as a batch: the JSON is a batch, every span of the
/// request is read or said why not, and the received spans' store checks out. The same
/// body is then taken as a logs request (`receiver_logs`).
pub fn receiver_proto(data: &[u8]) {
    use crate::receiver::budget::{Over, protobuf::count};
    use crate::receiver::proto::ExportTraceServiceRequest;
    use crate::receiver::proto_json::to_json;
    use prost::Message as _;
    let tally = count(data);
    if let Err(Over::Limit(_)) = tally {
        // Refused before decoding.
        return;
    }
    let Ok(request) = ExportTraceServiceRequest::decode(data) else {
        return;
    };
    let sent: usize = request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    // Malformed to the count yet decoded: a deprecated group in an unknown field, which
    // prost skips and the receiver refuses.
    if let Ok(tally) = tally {
        assert_eq!(tally.spans, sent as u64, "spans counted");
        let scopes: usize = request
            .resource_spans
            .iter()
            .map(|r| r.scope_spans.len())
            .sum();
        assert_eq!(tally.scopes, scopes as u64, "scopes counted");
        assert_eq!(
            tally.resources,
            request.resource_spans.len() as u64,
            "resources counted"
        );
    }
    let json = to_json(&request).json;
    // Well-formed, read as the receiver reads it (spans left raw): a request nested deeper
    // than serde_json builds values for is still a batch, its deepest spans skipped.
    let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(&json);
    well_formed.expect("the receiver's JSON parses");
    // A request that decodes is never refused as a bad batch: its spans are read or skipped.
    let read = read_batch(&json, &in_memory);
    let (spans, errors) = read.expect("the receiver's JSON is a batch");
    assert_eq!(spans.len() + errors.len(), sent, "a span went missing");
    check_batch(&json);
    let origin = Path::new("http://127.0.0.1:4318/v1/traces");
    let (mut sessions, mut out) = (HashSet::new(), Vec::new());
    for span in spans {
        emit(span, origin, &mut sessions, &mut out);
    }
    let mut store = Store::new();
    store.apply_all(out);
    check_store(&store);
    receiver_logs(data);
}

/// The same body as a logs request (`/v1/logs`): counted as the count says, written as
/// OTLP/JSON that reads as a batch, every record taken, skipped or said why not.
fn receiver_logs(data: &[u8]) {
    use crate::receiver::budget::{Over, protobuf::count_logs};
    use crate::receiver::proto::ExportLogsServiceRequest;
    use crate::receiver::proto_json::logs_to_json;
    use prost::Message as _;
    let tally = count_logs(data);
    if let Err(Over::Limit(_)) = tally {
        return;
    }
    let Ok(request) = ExportLogsServiceRequest::decode(data) else {
        return;
    };
    let sent: usize = request
        .resource_logs
        .iter()
        .flat_map(|r| &r.scope_logs)
        .map(|s| s.log_records.len())
        .sum();
    if let Ok(tally) = tally {
        assert_eq!(tally.spans, sent as u64, "log records counted");
    }
    let json = logs_to_json(&request).json;
    let read = crate::formats::otlp::reader::read(&json, &in_memory);
    let read = read.expect("the receiver's logs JSON is a batch");
    let logs = &read.logs;
    assert_eq!(
        logs.logs.len() + logs.without_span + logs.errors.len(),
        sent,
        "a log record went missing"
    );
    check_batch(&json);
    let mut out = Vec::new();
    for log in read.logs.logs {
        crate::formats::otlp::reader::emit_log(log, &mut out);
    }
    let mut store = Store::new();
    store.apply_all(out);
    check_store(&store);
}

/// `mlflow_rest`: the input as each answer a tracking server gives (a trace search page, the
/// experiment list, one trace's info, one trace's data), read as `ingest::mlflow_server` reads
/// them and put in a `Store` as it puts them: each summary's session and row, then the
/// trace data's spans under the first summary. Whatever the input, no panic; every summary
/// becomes exactly one session; the store passes `pml_lines`'s checks.
pub fn mlflow_rest(data: &[u8]) {
    use crate::formats::mlflow::rest;
    use crate::model::Update;
    let _ = rest::experiments(data);
    let _ = rest::trace_info(data);
    let origin = Path::new("http://fuzz.invalid");
    let mut updates = Vec::new();
    let mut ids = HashSet::new();
    if let Ok(page) = rest::trace_page(data) {
        for summary in &page.items {
            ids.insert(summary.id.clone());
            let session = rest::session(origin, summary, Some("fuzz"));
            let key = session.key.clone();
            updates.push(Update::Session(session));
            updates.push(Update::Span {
                session: key,
                span: rest::summary_span(summary),
            });
        }
    }
    let trace = ids
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "tr-fuzz".into());
    if let Ok((spans, _problems)) = rest::spans(data, &trace) {
        let session = crate::formats::mlflow::trace::session_key(&trace);
        if !ids.contains(&trace) {
            updates.push(Update::Session(crate::model::SessionRecord {
                key: session.clone(),
                id: trace.as_str().into(),
                source: crate::model::Source::Mlflow,
                path: origin.to_path_buf(),
                start_ns: None,
                note: None,
            }));
            ids.insert(trace.clone());
        }
        for span in spans {
            assert!(matches!(
                &span.payload,
                crate::model::Payload::Span(s) if matches!(s.source, SpanSource::Memory(_))
            ));
            updates.push(Update::Span {
                session: session.clone(),
                span,
            });
        }
    }
    let mut store = Store::new();
    store.apply_all(updates);
    assert_eq!(store.session_count(), ids.len(), "one session per trace");
    check_store(&store);
}
