//! OTLP/JSON files as the OpenTelemetry Collector's file exporter writes them: one batch per
//! line, children before parents, a broken line, a partial last line; GenAI attributes in
//! their current and older forms; tailed as they grow and read again when rotated.

mod common;

use serde_json::Value;
use std::fs;
use std::io::Write;
use tracetui::ingest::{Ingestor, Options};
use tracetui::model::Store;
use tracetui::model::time::{NS_PER_SEC, now_ns};

fn span<'a>(dump: &'a Value, name: &str) -> &'a Value {
    dump["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .flat_map(|s| s["spans"].as_array().expect("spans"))
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("span {name}"))
}

#[test]
fn genai_spans_from_an_otlp_file() {
    let dump = common::dump_json(&[&common::fixture("otlp/genai.jsonl")]);
    let problems: Vec<&str> = dump["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("genai.jsonl:3: truncated JSON"),
        "{problems:?}"
    );
    let sessions = dump["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "one session per trace");
    assert_eq!(sessions[0]["id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(sessions[0]["source"], "otlp");
    assert_eq!(sessions[0]["note"], "service: tripwise-agent");

    // Children came a line before their parent; they are its children all the same.
    let root = span(&dump, "invoke_agent TripWise");
    assert_eq!(root["id"], "b7ad6b7169203331");
    assert_eq!(root["parent"], Value::Null);
    assert_eq!(root["kind"], "agent");
    let chat = span(&dump, "chat gpt-4o");
    assert_eq!(chat["parent"], "b7ad6b7169203331");
    assert_eq!(chat["kind"], "llm");
    assert_eq!(chat["otel_kind"], 3);
    assert_eq!(chat["duration_ms"], 850.0);
    assert_eq!(chat["model"], "gpt-4o");
    assert_eq!(
        chat["usage"],
        serde_json::json!({"input": 42, "output": 7, "total": 49})
    );
    let roles: Vec<&Value> = chat["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| &m["role"])
        .collect();
    assert_eq!(roles, ["system", "user", "assistant"]);
    assert_eq!(chat["messages"][2]["parts"][0]["name"], "get_weather");
    let tool = span(&dump, "execute_tool get_weather");
    assert_eq!(tool["kind"], "tool");
    assert_eq!(tool["status"], "error");
    assert_eq!(tool["status_message"], "upstream 503");
    assert_eq!(tool["exception"], "HTTPError: 503 Service Unavailable");

    // Older forms: per-role events and gen_ai.choice; indexed prompt attributes.
    let legacy = span(&dump, "openai.chat");
    let messages = legacy["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[2]["parts"][0]["content"], "Lisbon");
    assert_eq!(messages[2]["finish_reason"], "stop");
    assert_eq!(legacy["usage"]["input"], 12);
    let indexed = span(&dump, "openai.embeddings");
    assert_eq!(indexed["kind"], "embedding");
    assert_eq!(
        indexed["messages"][0]["parts"][0]["content"],
        "Capital of Portugal?"
    );
}

/// The file written line by line, the last one in two halves, gives what reading it whole
/// gives; then the file is rotated as the Collector's file exporter does (renamed to a name
/// discovery would not pick, a new one started): the renamed file keeps its spans, also
/// through the periodic rescan, and the new file is read as new.
#[test]
fn tailed_as_written_and_read_again_when_rotated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.jsonl");
    let text = fs::read_to_string(common::fixture("otlp/genai.jsonl")).expect("fixture");
    let options = Options::default();
    fs::File::create(&path).expect("create");
    let mut ingestor = Ingestor::new(vec![dir.path().to_path_buf()], options.clone());
    let mut store = Store::new();
    store.apply_all(ingestor.scan(now_ns()));
    let lines: Vec<&str> = text.split('\n').collect();
    let (last, first) = lines.split_last().expect("lines");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    for line in first {
        writeln!(file, "{line}").expect("write");
        store.apply_all(ingestor.changed(std::slice::from_ref(&path), now_ns()));
    }
    let (a, b) = last.split_at(last.len() / 2);
    write!(file, "{a}").expect("write");
    store.apply_all(ingestor.changed(std::slice::from_ref(&path), now_ns()));
    assert_eq!(store.span_count(), 3, "the half line waits");
    write!(file, "{b}").expect("write");
    store.apply_all(ingestor.changed(std::slice::from_ref(&path), now_ns()));
    // No newline yet: it is taken once the file has been quiet for a while.
    store.apply_all(ingestor.recheck(now_ns() + 5 * NS_PER_SEC));
    assert_eq!(store.span_count(), 5);
    let whole = tracetui::ingest::load(std::slice::from_ref(&path), options, now_ns());
    let dump = |s: &Store| {
        let mut out = Vec::new();
        tracetui::dump::json::write(s, None, &mut out).expect("dump");
        out
    };
    assert_eq!(dump(&store), dump(&whole));

    // Rotation: the exporter renames the file and starts a new one at the same path.
    fs::rename(
        &path,
        dir.path().join("traces-2025-11-21T04-40-06.000.json.old"),
    )
    .expect("mv");
    fs::write(&path, "").expect("new file");
    store.apply_all(ingestor.changed(std::slice::from_ref(&path), now_ns()));
    let before = dump(&store);
    assert_eq!(store.span_count(), 5, "the rotated file's spans stay");
    store.apply_all(ingestor.scan(now_ns()));
    assert_eq!(store.span_count(), 5, "and stay through a rescan");
    // Each span reads its body from the file that now holds it.
    let before = String::from_utf8_lossy(&before);
    assert!(!before.contains("read_error"), "{before}");
    assert!(before.contains("Weather in Lisbon on 12 May?"), "{before}");
    // The new file's lines are new spans.
    let renumbered = ["00f067aa0ba902b7", "a3ce929d0e0e4736", "b7ad6b7169203331"]
        .iter()
        .zip(["1111111111111111", "2222222222222222", "3333333333333333"])
        .fold(lines[1].to_string(), |line, (old, new)| {
            line.replace(old, new)
        });
    fs::write(&path, format!("{renumbered}\n")).expect("append");
    store.apply_all(ingestor.changed(std::slice::from_ref(&path), now_ns()));
    assert!(store.span_count() > 5, "the new file's spans are added");
}

/// Span fields are rendered on several threads, in batches: each span's fields must still be
/// its own, in order, across many batches, traces and lines (and through a filter).
#[test]
fn every_span_in_a_large_dump_gets_its_own_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.jsonl");
    let mut file = fs::File::create(&path).expect("create");
    let (traces, per_trace) = (37u64, 41u64);
    for t in 0..traces {
        let spans: Vec<Value> = (0..per_trace)
            .map(|i| {
                let n = t * per_trace + i;
                serde_json::json!({
                    "traceId": format!("{:032x}", t + 1),
                    "spanId": format!("{:016x}", n + 1),
                    "parentSpanId": if i == 0 { String::new() } else { format!("{:016x}", t * per_trace + 1) },
                    "name": format!("step {n}"),
                    "startTimeUnixNano": (1_763_700_000_000_000_000u64 + n * 1_000_000).to_string(),
                    "endTimeUnixNano": (1_763_700_000_000_500_000u64 + n * 1_000_000).to_string(),
                    "status": {"code": if n % 7 == 0 { 2 } else { 1 }},
                    "attributes": [{"key": "n", "value": {"intValue": n.to_string()}}],
                })
            })
            .collect();
        let batch = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]});
        writeln!(file, "{batch}").expect("write");
    }
    drop(file);
    let check = |dump: &Value| -> usize {
        let mut seen = 0;
        for session in dump["sessions"].as_array().expect("sessions") {
            for span in session["spans"].as_array().expect("spans") {
                let id = span["id"].as_str().expect("id");
                let n = u64::from_str_radix(id, 16).expect("hex id") - 1;
                assert_eq!(span["attributes"]["n"], n, "{span}");
                assert_eq!(span["name"], format!("step {n}"));
                assert_eq!(span["trace_id"], session["id"]);
                seen += 1;
            }
        }
        seen
    };
    let all = common::dump_json(&[&path]);
    assert_eq!(check(&all), (traces * per_trace) as usize);
    let filtered = common::dump_json_with(&["--filter", "status:error"], &[&path]);
    // Each failed span, with the root above it that is shown for context.
    let failed = (0..traces * per_trace).filter(|n| n % 7 == 0).count();
    assert!(check(&filtered) >= failed);
}

/// The text dump gives every message a line: a reply that says something and calls tools
/// shows both, and a tool result names the tool of the call it answers.
#[test]
fn the_text_dump_shows_calls_beside_text_and_names_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messages = serde_json::json!([
        {"role": "user", "parts": []},
        {"role": "user", "parts": [{"type": "text", "content": "Weather and flights?"}]},
        {"role": "assistant", "parts": [
            {"type": "text", "content": "Let me check both."},
            {"type": "tool_call", "id": "call_wx", "name": "get_weather", "arguments": {"city": "Lisbon"}},
            {"type": "tool_call", "id": "call_fl", "name": "search_flights", "arguments": {}}
        ]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_fl", "response": "none"}]}
    ]);
    let line = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
        "spanId": "00f067aa0ba902b7",
        "name": "chat gpt-4o",
        "startTimeUnixNano": "1763700000120000000",
        "endTimeUnixNano": "1763700000970000000",
        "attributes": [
            {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
            {"key": "gen_ai.input.messages", "value": {"stringValue": messages.to_string()}}
        ]
    }]}]}]});
    let path = dir.path().join("traces.jsonl");
    std::fs::write(&path, format!("{line}\n")).expect("write");
    let out = common::tracetui(&["dump", "--format", "text", &path.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("assistant: Let me check both.  → get_weather  → search_flights"),
        "{text}"
    );
    assert!(text.contains("tool: ← search_flights call_fl"), "{text}");
    // A turn kept without what was in it (an image the instrumentation dropped) says so.
    assert!(
        text.contains("user: (its content was not recorded)"),
        "{text}"
    );
}

/// One tool however each convention names its span (GenAI `execute_tool get_weather`,
/// Traceloop `get_weather.tool`, OpenInference `get_weather`): counted as one in `stats`,
/// found by `tool:get_weather`; the span's own name still matches.
#[test]
fn a_tool_is_one_tool_whatever_the_convention_names_its_span() {
    let dir = tempfile::tempdir().expect("tempdir");
    let span = |id: &str, name: &str, key: &str, kind: &str| {
        serde_json::json!({
            "traceId": format!("{id:0>32}"),
            "spanId": format!("{id:0>16}"),
            "name": name,
            "startTimeUnixNano": "1763700000000000000",
            "endTimeUnixNano": "1763700000100000000",
            "attributes": [{"key": key, "value": {"stringValue": kind}}]
        })
    };
    let spans = vec![
        span(
            "1",
            "execute_tool get_weather",
            "gen_ai.operation.name",
            "execute_tool",
        ),
        span("2", "get_weather.tool", "traceloop.span.kind", "tool"),
        span("3", "get_weather", "openinference.span.kind", "TOOL"),
    ];
    let line = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]});
    let path = dir.path().join("traces.jsonl");
    std::fs::write(&path, format!("{line}\n")).expect("write");
    let file = path.display().to_string();
    let stats: Value =
        serde_json::from_slice(&common::tracetui(&["stats", "--format", "json", &file]).stdout)
            .expect("stats JSON");
    assert_eq!(stats["tools"][0]["tool"], "get_weather", "{stats}");
    assert_eq!(stats["tools"][0]["calls"], 3, "{stats}");
    assert_eq!(stats["tools"].as_array().map(Vec::len), Some(1), "{stats}");
    let matched = |filter: &str| {
        let dump = common::dump_json_with(&["--filter", filter], &[path.as_path()]);
        dump["sessions"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(matched("tool:get_weather"), 3);
    assert_eq!(matched("tool:execute_tool*"), 1);
}
