//! GenAI content carried by OTLP logs, as the real opentelemetry-instrumentation-openai-v2
//! writes it (`tests/fixtures/otel/openai_v2_events.py`): 2.4 in `event_only` mode (one
//! details record per call) and 2.1's older per-message events, recorded once as a logs
//! file beside a traces file (the Collector's file exporter); records before or after their
//! spans; and both releases run here, exporting protobuf to the receiver's `/v1/logs` and
//! `/v1/traces`. Every message is checked against what the fake OpenAI server was sent and
//! answered (`producer.json`, or the script's output when run here).

mod common;

use common::receiver::{JSON, http, start};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tracetui::formats::otel::chat::{self, ChatMessage, ChatPart};
use tracetui::model::{Payload, Store, Update};
use tracetui::receiver::ReceiverOptions;

fn fixture_dir() -> PathBuf {
    common::fixture("otlp/openai_v2_events")
}

/// Recorded with release 2.1 (and SDK 1.39.1, which it needs): `gen_ai.*.message` and
/// `gen_ai.choice` records, named by the `event.name` attribute.
fn legacy_dir() -> PathBuf {
    common::fixture("otlp/openai_v2_legacy")
}

fn producer_of(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("producer.json")).expect("producer");
    serde_json::from_str(&text).expect("producer json")
}

fn producer() -> Value {
    producer_of(&fixture_dir())
}

/// A string holding JSON stands for that JSON (tool arguments and results are sent so).
fn decoded(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
}

/// An OpenAI chat message as (role, parts) in dump's part shape.
fn openai_message(m: &Value) -> Value {
    let mut parts = Vec::new();
    if let Some(text) = m["content"].as_str() {
        parts.push(match m["tool_call_id"].as_str() {
            Some(id) => {
                json!({"type": "tool_call_response", "id": id, "response": decoded(&m["content"])})
            }
            None => json!({"type": "text", "content": text}),
        });
    }
    for call in m["tool_calls"].as_array().into_iter().flatten() {
        parts.push(
            json!({"type": "tool_call", "id": call["id"], "name": call["function"]["name"],
            "arguments": decoded(&call["function"]["arguments"])}),
        );
    }
    json!({"role": m["role"], "parts": parts})
}

/// What call `i` must show: what the client sent, then the answer with its finish reason.
fn expected(producer: &Value, i: usize) -> Vec<Value> {
    let mut out: Vec<Value> = producer["requests"][i]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(openai_message)
        .collect();
    let choice = &producer["answers"][i]["choices"][0];
    let mut answer = openai_message(&choice["message"]);
    answer["finish_reason"] = choice["finish_reason"].clone();
    out.push(answer);
    out
}

/// Dump's messages in the same terms (tool results' JSON decoded; finish reasons kept
/// only where the producer's answer has one).
fn normalized(messages: &[Value]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| {
            let parts: Vec<Value> = m["parts"]
                .as_array()
                .expect("parts")
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    if let Some(r) = p.get("response").cloned() {
                        p["response"] = decoded(&r);
                    }
                    p
                })
                .collect();
            let mut out = json!({"role": m["role"], "parts": parts});
            if !m["finish_reason"].is_null() {
                out["finish_reason"] = m["finish_reason"].clone();
            }
            out
        })
        .collect()
}

fn chat_json(messages: &[ChatMessage]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| {
            let parts: Vec<Value> = m
                .parts
                .iter()
                .map(|p| match p {
                    ChatPart::Text(t) => json!({"type": "text", "content": t}),
                    ChatPart::ToolCall {
                        id,
                        name,
                        arguments,
                    } => {
                        json!({"type": "tool_call", "id": id, "name": name, "arguments": arguments})
                    }
                    ChatPart::ToolResult { id, content } => {
                        json!({"type": "tool_call_response", "id": id, "response": content})
                    }
                    other => json!({"type": "other", "content": format!("{other:?}")}),
                })
                .collect();
            json!({"role": m.role, "parts": parts, "finish_reason": m.finish_reason})
        })
        .collect()
}

/// The index of the call a span answered, by the response id it records.
fn call_index(producer: &Value, response_id: &str) -> usize {
    producer["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .position(|a| a["id"] == response_id)
        .expect("a response the fake server gave")
}

/// Every chat span of a dump checked against the producer; returns how many.
fn check_dump(dump: &Value, producer: &Value) -> usize {
    assert_eq!(dump["problems"], json!([]), "{dump}");
    let mut seen = 0;
    for session in dump["sessions"].as_array().expect("sessions") {
        assert_eq!(session["problems"], json!([]), "{session}");
        for span in session["spans"].as_array().expect("spans") {
            let id = span["attributes"]["gen_ai.response.id"]
                .as_str()
                .expect("a response id");
            let i = call_index(producer, id);
            let got = normalized(span["messages"].as_array().expect("messages"));
            assert_eq!(got, expected(producer, i), "call {i}: {span}");
            seen += 1;
        }
    }
    seen
}

fn copy_fixture(names: &[&str], into: &Path) {
    for name in names {
        std::fs::copy(fixture_dir().join(name), into.join(name)).expect("copy");
    }
}

#[test]
fn a_logs_file_beside_its_traces_file_gives_each_span_its_messages() {
    let producer = producer();
    let dump = common::dump_json(&[&fixture_dir()]);
    assert_eq!(check_dump(&dump, &producer), 2, "{dump}");
    // The spans alone carry no content: the messages came from the records.
    let spans_only = tempfile::tempdir().expect("tempdir");
    copy_fixture(&["traces.jsonl"], spans_only.path());
    let bare = common::dump_json(&[spans_only.path()]);
    for session in bare["sessions"].as_array().expect("sessions") {
        for span in session["spans"].as_array().expect("spans") {
            assert_eq!(span["messages"], json!([]), "{span}");
        }
    }
}

#[test]
fn the_older_per_message_events_give_the_same_messages() {
    let dump = common::dump_json(&[&legacy_dir()]);
    assert_eq!(check_dump(&dump, &producer_of(&legacy_dir())), 2, "{dump}");
    let records = std::fs::read_to_string(legacy_dir().join("logs.jsonl")).expect("read");
    assert!(records.contains("gen_ai.tool.message") && records.contains("gen_ai.choice"));
}

#[test]
fn records_written_before_their_spans_still_attach() {
    // One file, the records' batches first: each record waits for its span.
    let dir = tempfile::tempdir().expect("tempdir");
    let read = |name: &str| std::fs::read_to_string(fixture_dir().join(name)).expect("read");
    let both = format!("{}{}", read("logs.jsonl"), read("traces.jsonl"));
    std::fs::write(dir.path().join("all.jsonl"), both).expect("write");
    let dump = common::dump_json(&[dir.path()]);
    assert_eq!(check_dump(&dump, &producer()), 2, "{dump}");
}

#[test]
fn a_logs_file_alone_is_read_as_otlp_not_as_pml() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(&["logs.jsonl"], dir.path());
    let dump = common::dump_json(&[dir.path()]);
    // Nothing to show without the spans, and nothing wrong with the file either.
    assert_eq!(dump["problems"], json!([]), "{dump}");
    assert_eq!(dump["sessions"], json!([]), "{dump}");
}

#[test]
fn records_that_name_no_span_or_cannot_be_read_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"body": {"stringValue": "an ordinary log line"}},
        "not a record"
    ]}]}]});
    std::fs::write(dir.path().join("logs.jsonl"), format!("{line}\n")).expect("write");
    let dump = common::dump_json(&[dir.path()]);
    let problems = dump["problems"].to_string();
    assert!(problems.contains("logs.jsonl:1"), "{problems}");
    assert!(
        problems.contains("a log record names no span"),
        "{problems}"
    );
}

/// The messages each chat span of a store shows, checked against the producer.
fn check_store(store: &Store, producer: &Value) -> usize {
    let mut seen = 0;
    for (_, session) in store.sessions() {
        for id in session.spans_in_order() {
            let Payload::Span(span_ref) = &session.span(id).payload else {
                panic!("a span payload");
            };
            let span =
                tracetui::formats::otel::load(span_ref, &mut tracetui::formats::bytes::Pread)
                    .expect("read back");
            let response = span.attr_str("gen_ai.response.id").expect("response id");
            let i = call_index(producer, response);
            let got = normalized(&chat_json(&chat::messages(&span)));
            assert_eq!(got, expected(producer, i), "call {i}");
            seen += 1;
        }
    }
    seen
}

#[test]
fn the_real_openai_v2_instrumentation_exports_to_the_receiver_in_event_mode() {
    // One details record per call.
    let calls = |p: &Value| p["requests"].as_array().map_or(0, Vec::len);
    exports_to_the_receiver(&common::openai_v2_python(), "event_only", calls);
}

#[test]
fn its_older_release_exports_per_message_events_to_the_receiver() {
    // A record per message sent, and one per choice.
    let messages = |p: &Value| {
        p["requests"].as_array().map_or(0, |calls| {
            calls
                .iter()
                .map(|c| c["messages"].as_array().map_or(0, Vec::len) + 1)
                .sum()
        })
    };
    exports_to_the_receiver(&common::openai_v2_legacy_python(), "legacy", messages);
}

/// The instrumented client run here in `mode`, exporting protobuf to a receiver: as many
/// log records as `records_sent` counts in what the producer sent, each before its span, and
/// every call's messages as the producer says.
fn exports_to_the_receiver(python: &Path, mode: &str, records_sent: fn(&Value) -> usize) {
    let (addr, rx) = start(ReceiverOptions::default(), false);
    let out = common::run_ok(
        std::process::Command::new(python)
            .arg(common::fixture("otel/openai_v2_events.py"))
            .args([mode, "http", &format!("http://{addr}")]),
        "the instrumented client",
    );
    // The exporters said nothing: no "Failed to export logs batch code: 404".
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Failed to export"), "{stderr}");
    let producer: Value = serde_json::from_slice(&out.stdout).expect("producer output");
    let mut batches = Vec::new();
    while let Ok(batch) = rx.recv_timeout(std::time::Duration::from_millis(500)) {
        batches.push(batch);
    }
    // Records are sent as they are made, spans batched: each record came before its span.
    let updates: Vec<&Update> = batches.iter().flatten().collect();
    let mut records = 0;
    for (at, u) in updates.iter().enumerate() {
        if let Update::Log { span, .. } = u {
            records += 1;
            let span_at = updates.iter().position(
                |x| matches!(x, Update::Span { span: record, .. } if *record.key == **span),
            );
            assert!(Some(at) < span_at, "record of {span} after its span");
        }
    }
    assert_eq!(records, records_sent(&producer), "{mode}");
    let mut store = Store::new();
    for batch in batches {
        store.apply_all(batch);
    }
    assert_eq!(check_store(&store, &producer), 2);
}

#[test]
fn json_logs_post_to_v1_logs_and_answer_as_the_spec_says() {
    let producer = producer();
    let (addr, rx, statuses) = common::receiver::start_behind(ReceiverOptions::default(), 0);
    let lines = |name: &str| {
        std::fs::read_to_string(fixture_dir().join(name))
            .expect("read")
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    for line in lines("logs.jsonl") {
        let (code, _, body) = http(
            addr,
            &format!("POST /v1/logs HTTP/1.1\r\n{JSON}"),
            line.as_bytes(),
        );
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
        assert_eq!(body, b"{}");
    }
    for line in lines("traces.jsonl") {
        let (code, _, _) = http(
            addr,
            &format!("POST /v1/traces HTTP/1.1\r\n{JSON}"),
            line.as_bytes(),
        );
        assert_eq!(code, 200);
    }
    // A record that cannot be read is rejected; one outside any span is said, not kept.
    let mixed = json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [
        "not a record", {"body": {"stringValue": "plain log"}}]}]}]});
    let (code, _, body) = http(
        addr,
        &format!("POST /v1/logs HTTP/1.1\r\n{JSON}"),
        mixed.to_string().as_bytes(),
    );
    assert_eq!(code, 200);
    let answer: Value = serde_json::from_slice(&body).expect("json answer");
    assert_eq!(
        answer["partialSuccess"]["rejectedLogRecords"], "1",
        "{answer}"
    );
    let message = answer["partialSuccess"]["errorMessage"]
        .as_str()
        .unwrap_or("");
    assert!(message.contains("names no span"), "{message}");
    let store = common::receiver::store_from(&rx);
    assert_eq!(check_store(&store, &producer), 2);
    // The status bar counts the records kept (one per call here), not the one refused.
    let status = statuses.try_iter().last().expect("a status");
    let kept = lines("logs.jsonl")
        .iter()
        .map(|l| l.matches("\"spanId\"").count() as u64)
        .sum::<u64>();
    assert_eq!(status.log_records, kept);
    assert_eq!(status.rejected, 1);
}

#[test]
fn the_prompt_pane_shows_the_records_as_messages() {
    let producer = producer();
    let mut h = common::Harness::open(&[fixture_dir()], "openai_v2_events", 120, 40);
    // The first call: its answer is the tool call.
    h.press("/");
    h.press("chat");
    h.press("<Enter>");
    let screen = h.screen();
    for role in ["── system ──", "── user ──", "── assistant ──"] {
        assert!(screen.contains(role), "{role}: {screen}");
    }
    let sent = &producer["requests"][0]["messages"];
    for text in [&sent[0]["content"], &sent[1]["content"]] {
        let text = text.as_str().expect("text");
        assert!(screen.contains(text), "{text}: {screen}");
    }
    let call = &producer["answers"][0]["choices"][0]["message"]["tool_calls"][0];
    let name = call["function"]["name"].as_str().expect("name");
    assert!(screen.contains(&format!("→ {name}")), "{name}: {screen}");
}

#[test]
fn the_filter_finds_words_said_only_in_the_records() {
    let producer = producer();
    // The final answer's text is in the second call's records, not in any span.
    let answer = producer["answers"][1]["choices"][0]["message"]["content"]
        .as_str()
        .expect("answer");
    let word = answer.split_whitespace().next().expect("a word");
    let spans = std::fs::read_to_string(fixture_dir().join("traces.jsonl")).expect("read");
    assert!(
        !spans.to_lowercase().contains(&word.to_lowercase()),
        "{word} is only in the records"
    );
    let dump = common::dump_json_with(&["--filter", word], &[&fixture_dir()]);
    let found: Vec<&Value> = dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .flat_map(|s| s["spans"].as_array().expect("spans"))
        .collect();
    assert_eq!(found.len(), 1, "{dump}");
    assert_eq!(
        found[0]["attributes"]["gen_ai.response.id"],
        producer["answers"][1]["id"]
    );
}

/// A logs file tailed beside its traces file: records come after the spans, one line at a
/// time; the file rewritten from the start, or rotated away, shows each record once.
#[test]
fn a_logs_file_tailed_rewritten_and_rotated_shows_each_record_once() {
    use std::io::Write as _;
    use tracetui::ingest::{Ingestor, Options};
    let now = tracetui::model::time::now_ns;
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(&["traces.jsonl"], dir.path());
    let logs = dir.path().join("logs.jsonl");
    std::fs::write(&logs, "").expect("create");
    let mut ingestor = Ingestor::new(vec![dir.path().to_path_buf()], Options::default());
    let mut store = Store::new();
    store.apply_all(ingestor.scan(now()));
    let dump = |s: &Store| {
        let mut out = Vec::new();
        tracetui::dump::json::write(s, None, &mut out).expect("dump");
        serde_json::from_slice::<Value>(&out).expect("dump json")
    };
    let messages = |s: &Store| -> Vec<usize> {
        dump(s)["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .flat_map(|s| s["spans"].as_array().expect("spans").clone())
            .map(|span| span["messages"].as_array().map_or(0, Vec::len))
            .collect()
    };
    assert_eq!(messages(&store), [0, 0], "no records yet");
    // Every event of every span, by name: the spans have none of their own here.
    let events = |s: &Store| -> Vec<String> {
        let mut names: Vec<String> = dump(s)["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .flat_map(|s| s["spans"].as_array().expect("spans").clone())
            .flat_map(|span| span["events"].as_array().expect("events").clone())
            .map(|e| e["name"].as_str().unwrap_or_default().to_string())
            .collect();
        names.sort();
        names
    };
    let text = std::fs::read_to_string(fixture_dir().join("logs.jsonl")).expect("read");
    let mut records: Vec<String> = text
        .lines()
        .flat_map(|line| {
            let batch: Value = serde_json::from_str(line).expect("batch");
            let names: Vec<String> = batch["resourceLogs"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["scopeLogs"].as_array().into_iter().flatten())
                .flat_map(|s| s["logRecords"].as_array().into_iter().flatten())
                .map(|r| r["eventName"].as_str().unwrap_or_default().to_string())
                .collect();
            names
        })
        .collect();
    records.sort();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&logs)
        .expect("open");
    for line in text.lines() {
        writeln!(file, "{line}").expect("write");
        store.apply_all(ingestor.changed(std::slice::from_ref(&logs), now()));
    }
    assert_eq!(check_dump(&dump(&store), &producer()), 2);
    assert_eq!(events(&store), records);
    let full = messages(&store);
    // Rewritten from the start (truncated, then the same lines again, each a byte further
    // on: kept places of the first writing would no longer be where the records are).
    std::fs::write(&logs, "").expect("truncate");
    store.apply_all(ingestor.changed(std::slice::from_ref(&logs), now()));
    std::fs::write(&logs, format!("\n{text}")).expect("rewrite");
    store.apply_all(ingestor.changed(std::slice::from_ref(&logs), now()));
    assert_eq!(messages(&store), full, "each record once");
    assert_eq!(
        events(&store),
        records,
        "and no stale place of the first writing"
    );
    // Rotated: renamed away, a new empty file in its place.
    std::fs::rename(
        &logs,
        dir.path().join("logs-2025-11-21T04-40-06.000.json.old"),
    )
    .expect("mv");
    std::fs::write(&logs, "").expect("new file");
    store.apply_all(ingestor.changed(std::slice::from_ref(&logs), now()));
    store.apply_all(ingestor.scan(now()));
    assert_eq!(
        messages(&store),
        full,
        "still once, read from the rotated file"
    );
    assert_eq!(check_dump(&dump(&store), &producer()), 2);
}
