//! Fuzz targets: one function per target, driving a public API with arbitrary bytes and
//! panicking when an invariant breaks. `fuzz/` (cargo-fuzz) and `tests/fuzz_regress.rs` call them.

use crate::analysis::{Filter, Matches};
use crate::detail::{self, Doc, Rendered, Subject};
use crate::formats::bytes::WholeFiles;
use crate::formats::otel::{OtelSpan, usage::usage};
use crate::formats::otlp::reader::{OtlpReader, emit, read_batch};
use crate::formats::otlp::span as otlp_span;
use crate::formats::pml::{Context, PmlReader, sse::SseParser};
use crate::formats::poml::{PomlResult, names, parts};
use crate::formats::reader::ValueReader;
use crate::formats::sniff::{Format, Layout};
use crate::ingest::tail::Tail;
use crate::model::time::{NS_PER_SEC, Nanos, Zone};
use crate::model::{LineRef, SpanSource, Store, Update};
use crate::sanitize::{self, MAX_LINE_CHARS, is_invisible_format, is_width_ambiguous};
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A fixed "now" (2023-11-14), so runs are reproducible.
const NOW: Nanos = 1_700_000_000 * NS_PER_SEC;
/// Sessions and spans whose documents are rendered per input (each render reads the file).
const DETAIL_SUBJECTS: usize = 32;

/// A file under the temp dir, unique to this process and call, removed on drop.
struct Scratch(PathBuf);

/// A path under the temp dir no other process or call uses: pid and a counter in the name.
fn scratch_path(name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let id = std::process::id();
    std::env::temp_dir().join(format!("tracetui-fuzz-{id}-{n}-{name}"))
}

impl Scratch {
    fn new(name: &str, data: &[u8]) -> Self {
        let path = scratch_path(name);
        std::fs::write(&path, data).expect("write scratch file");
        Self(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A folder under the temp dir, unique to this process and call, removed with all it holds
/// on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let path = scratch_path(name);
        std::fs::create_dir_all(&path).expect("create scratch folder");
        Self(path)
    }

    fn write(&self, relative: &str, data: &[u8]) {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create scratch folders");
        }
        std::fs::write(&path, data).expect("write scratch file");
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_printable(text: &str, what: &str) {
    let bad = |c: char| c.is_control() || is_invisible_format(c);
    assert!(!text.chars().any(bad), "{what}: unprintable in {text:?}");
}

/// Printable, and no character whose width terminals disagree on.
fn assert_sanitized(text: &str, what: &str) {
    assert_printable(text, what);
    let ambiguous = text.chars().find(|&c| is_width_ambiguous(c));
    assert!(
        ambiguous.is_none(),
        "{what}: width-ambiguous {ambiguous:?} in {text:?}"
    );
}

fn assert_doc_printable(doc: &Doc) {
    let chunks = doc.lines.iter().flat_map(|line| &line.chunks);
    chunks.for_each(|chunk| assert_printable(&chunk.text, "document"));
}

/// `sanitize`: nothing it returns can move the cursor, recolour or reorder the terminal, or
/// take a width terminals disagree on.
pub fn sanitize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Width-ambiguous characters (joiners, selectors, skin tones, flags) are dropped or
    // spelled out by design, so text holding one is not expected back unchanged.
    let unsafe_char =
        |c: char| c == '\t' || c.is_control() || is_invisible_format(c) || is_width_ambiguous(c);
    let plain = !text.chars().any(unsafe_char);
    let line = sanitize::line(&text);
    assert_sanitized(&line, "line");
    assert!(
        !plain || line == text,
        "plain text changed: {text:?} -> {line:?}"
    );
    assert_sanitized(&sanitize::label(&text), "label");
    for shown in std::iter::once(sanitize::display_line(&text)).chain(sanitize::lines(&text)) {
        assert_sanitized(&shown, "display_line");
        let note = "… [18446744073709551615 more characters]".chars().count();
        assert!(shown.chars().count() <= MAX_LINE_CHARS + note, "too long");
    }
}

fn context() -> Context {
    Context {
        now_ns: NOW,
        file_mtime_ns: NOW - 60 * NS_PER_SEC,
    }
}

/// The lines of `data` as the tailer gives them: split on `\n`, a `\r` before it dropped.
fn split_lines(data: &[u8]) -> impl Iterator<Item = (LineRef, &[u8])> {
    let mut offset = 0u64;
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(move |(i, raw)| {
            let at = offset;
            offset += raw.len() as u64 + 1;
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            (LineRef::new(i as u64 + 1, at, line.len()), line)
        })
}

/// Every non-blank line of a JSON Lines file through the reader, as `TraceFile` does.
fn read_lines(reader: &mut dyn ValueReader, data: &[u8]) -> Vec<Update> {
    let mut out = Vec::new();
    for (at, line) in split_lines(data) {
        if !line.iter().all(u8::is_ascii_whitespace) {
            reader.value(line, at, context(), &mut out);
        }
    }
    out
}

/// A reader's output as ingest would finish it: open spans rechecked once they are stale,
/// problems reported, everything applied to a store.
fn finish(reader: &mut dyn ValueReader, mut out: Vec<Update>, origin: &Path) -> Store {
    let later = Context {
        now_ns: NOW + 3600 * NS_PER_SEC,
        ..context()
    };
    if reader.has_open() {
        reader.recheck(later, &mut out);
    }
    if let Some(problems) = reader.problems().take() {
        out.push(Update::Problems {
            session: None,
            origin: origin.display().to_string().into(),
            problems,
        });
    }
    let mut store = Store::new();
    store.apply_all(out);
    store
}

/// Every headless output of a store, checked: the JSON dump parses, the text dump and the
/// prompt-pane documents are printable, filtering then dumping works.
fn check_store(store: &Store) {
    let mut json = Vec::new();
    crate::dump::json::write(store, None, &mut json).expect("dump json");
    serde_json::from_slice::<serde_json::Value>(&json).expect("the JSON dump parses");
    let mut text = Vec::new();
    crate::dump::text::write(store, None, Zone::Utc, &mut text).expect("dump text");
    let text = String::from_utf8(text).expect("text dump is UTF-8");
    text.split('\n')
        .for_each(|l| assert_printable(l, "text dump"));
    let filter = Filter::parse("status:error", NOW, Zone::Utc).expect("filter");
    let matches = Matches::compute(store, &filter, &mut WholeFiles::default());
    crate::dump::json::write(store, Some(&matches), &mut Vec::new()).expect("filtered dump");
    let sessions = store.session_ids().iter().map(|&sid| Subject::Session(sid));
    let spans = store.sessions().flat_map(|(sid, session)| {
        let ids = session.spans_in_order().into_iter();
        ids.map(move |id| Subject::Span(sid, id))
    });
    for subject in sessions.chain(spans).take(DETAIL_SUBJECTS) {
        for &tab in detail::tabs_for(store, subject) {
            assert_doc_printable(&detail::render(store, subject, tab, Zone::Utc).doc);
        }
    }
}

/// `pml_lines`: a JSON Lines file of PML events, line by line into the reader, then the store.
pub fn pml_lines(data: &[u8]) {
    let file = Scratch::new("events.jsonl", data);
    let mut reader = PmlReader::new(Arc::from(file.0.as_path()));
    let out = read_lines(&mut reader, data);
    check_store(&finish(&mut reader, out, &file.0));
}

/// `pml_sse`: an SSE capture, frame by frame; one-line payloads must point at their bytes.
pub fn pml_sse(data: &[u8]) {
    let file = Scratch::new("events.sse", data);
    let mut reader = PmlReader::for_sse(Arc::from(file.0.as_path()));
    let mut sse = SseParser::default();
    let mut out = Vec::new();
    let lines = split_lines(data).map(|(at, l)| sse.line(l, at.number(), at.offset));
    let events: Vec<_> = lines.flatten().collect();
    for e in events.into_iter().chain(sse.finish()) {
        let (start, len) = (e.at.offset as usize, e.at.len as usize);
        let place = data
            .get(start..start + len)
            .expect("event range inside the file");
        // One data line: its range is exactly its payload (ingest locates fields by it).
        assert!(
            e.data.contains(&b'\n') || place == e.data,
            "payload misplaced"
        );
        let kind = Some(e.kind.as_str());
        reader.value_as(&e.data, e.at, kind, context(), &mut out);
    }
    check_store(&finish(&mut reader, out, &file.0));
}

/// Where a `.json` file's values are, as ingest finds them (`document_places` is the
/// function it uses); `None` when the input is no JSON.
fn places(data: &[u8]) -> Option<Vec<LineRef>> {
    crate::ingest::trace_file::document_places(data).ok()
}

/// The values of a JSON document through the reader, as ingest reads `.json` files.
fn read_document(reader: &mut dyn ValueReader, data: &[u8], places: Vec<LineRef>) -> Vec<Update> {
    let mut out = Vec::new();
    for at in places {
        let start = at.offset as usize;
        let value = &data[start..start + at.len as usize];
        serde_json::from_slice::<serde::de::IgnoredAny>(value).expect("a place is one value");
        reader.value(value, at, context(), &mut out);
    }
    out
}

/// `pml_document`: a `.json` event file, split into values as ingest does.
pub fn pml_document(data: &[u8]) {
    let Some(places) = places(data) else {
        return;
    };
    let file = Scratch::new("events.json", data);
    let mut reader = PmlReader::new(Arc::from(file.0.as_path()));
    let out = read_document(&mut reader, data, places);
    check_store(&finish(&mut reader, out, &file.0));
}

/// `poml_result`: a `.result.json`: parsed, summarized, every part read, shown as a document.
pub fn poml_result(data: &[u8]) {
    let Ok(result) = PomlResult::parse(data) else {
        return;
    };
    let summary = result.summary();
    assert_eq!(summary.messages.len(), result.messages.len());
    for (m, s) in result.messages.iter().zip(&summary.messages) {
        let first = parts::first_line(&m.content);
        assert!(s.first_line.chars().count() <= 201, "first line not cut");
        assert!(first.is_empty() || !s.first_line.is_empty());
        let counts = (
            parts::char_count(&m.content),
            parts::count_images(&m.content),
        );
        std::hint::black_box((parts::parts(&m.content), counts));
    }
    let mut rendered = Rendered::default();
    detail::poml::prompt(&result, &mut rendered);
    assert_doc_printable(&rendered.doc);
    let ordered = rendered.anchors.windows(2).all(|w| w[0] < w[1]);
    assert!(ordered, "anchors out of order");
}

/// `poml_names`: a file name, then `\0`-separated known prefixes.
pub fn poml_names(data: &[u8]) {
    let mut fields = data.split(|&b| b == 0);
    let name = fields.next().unwrap_or_default();
    let known: Vec<&[u8]> = fields.collect();
    if let Some(digits) = names::index_digits(name) {
        assert!(name.starts_with(digits) && name.get(digits.len()) == Some(&b'.'));
        assert!(names::parse_index(digits).is_some(), "not an index");
    }
    let (prefix, suffix) = names::split(name, &known);
    assert_eq!([prefix, suffix].concat(), name, "split loses bytes");
    if let Some(p) = names::declared_prefix(name) {
        assert!(name.starts_with(p) && name.ends_with(b".poml"));
    }
    if let Some(call) = names::call_name(prefix) {
        assert!(!call.is_empty() && prefix.ends_with(names::bytes(&call)));
    }
}

/// `sniff`: whatever it claims starts like that layout.
pub fn sniff(data: &[u8]) {
    use crate::formats::sniff::Layout;
    let Some((_, layout)) = crate::formats::sniff::sniff(data) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let first = body.chars().next();
    match layout {
        Layout::Sse => assert!(body.contains("data:"), "SSE without data"),
        Layout::Lines => assert_eq!(first, Some('{')),
        Layout::Document => assert!(matches!(first, Some('{' | '['))),
    }
}

/// `filter`: any expression parses or says why, in both zones; a parsed one runs.
pub fn filter(data: &[u8]) {
    let expr = String::from_utf8_lossy(data);
    for zone in [Zone::Utc, Zone::Local] {
        match Filter::parse(&expr, NOW, zone) {
            Ok(f) => {
                assert_eq!(f.expr, expr.trim());
                let blank = expr.chars().all(|c| c == '"' || c.is_whitespace());
                assert!(!f.is_empty() || blank, "{expr:?} parsed to no terms");
                FILTER_STORE.with(|store| {
                    Matches::compute(store, &f, &mut WholeFiles::default());
                });
            }
            Err(e) => assert!(!e.is_empty()),
        }
    }
}

thread_local! {
    /// A few spans of every status, for filters to run against (no payloads on disk).
    static FILTER_STORE: Store = {
        let events = include_bytes!("../tests/fixtures/pml/sandbox.jsonl");
        let mut reader = PmlReader::new(Arc::from(Path::new("sandbox.jsonl")));
        let out = read_lines(&mut reader, events);
        finish(&mut reader, out, Path::new("sandbox.jsonl"))
    };
}

/// `tail`: appends of arbitrary sizes, polls with small budgets between them, truncations.
/// Each step is a header byte: low 2 bits 0 = truncate to the next byte's length (then poll),
/// else append the next `header >> 2` bytes and poll with a budget of `header & 3` * 3 + 1.
pub fn tail(data: &[u8]) {
    let file = Scratch::new("tail.jsonl", b"");
    let mut tail = Tail::new(&file.0);
    let mut content: Vec<u8> = Vec::new();
    let mut lines: Vec<(u64, u64, Vec<u8>)> = Vec::new();
    let mut rest = data;
    while let Some((&header, after)) = rest.split_first() {
        rest = after;
        let budget = if header & 3 == 0 {
            let keep = usize::from(rest.first().copied().unwrap_or(0));
            rest = rest.get(1..).unwrap_or_default();
            content.truncate(keep);
            1 + u64::from(header >> 2)
        } else {
            let (append, after) = rest.split_at(usize::from(header >> 2).min(rest.len()));
            rest = after;
            content.extend_from_slice(append);
            u64::from(header & 3) * 3 + 1
        };
        // Rewritten in place (same inode): to the tailer, a longer file is an append.
        std::fs::write(&file.0, &content).expect("write");
        poll_into(&mut tail, budget, &mut lines);
    }
    while poll_into(&mut tail, 7, &mut lines) {}
    let complete = content
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let expected: Vec<_> = split_lines(&content[..complete])
        .filter(|(at, _)| (at.offset as usize) < complete)
        .map(|(at, line)| (at.number(), at.offset, line.to_vec()))
        .collect();
    assert_eq!(lines, expected, "lines differ from the file's");
    assert_eq!(tail.offset(), content.len() as u64);
    assert_eq!(tail.pending(), &content[complete..]);
}

/// One poll; lines are appended (a reset voids those before). Returns whether more waits.
fn poll_into(tail: &mut Tail, budget: u64, lines: &mut Vec<(u64, u64, Vec<u8>)>) -> bool {
    let chunk = tail.poll(budget).expect("poll");
    if chunk.reset {
        lines.clear();
    }
    for line in chunk.lines() {
        assert!(line.cut_from.is_none(), "a short line was cut");
        assert_eq!(line.number, lines.len() as u64 + 1, "line numbers skip");
        lines.push((line.number, line.offset, line.bytes.to_vec()));
    }
    chunk.more
}

/// `otlp_batch`: an OTLP/JSON file. Each line's batch is read as the file reader and the
/// receiver read it (`read_batch`), every span parsed in full and light, which must agree on
/// what loading takes from the light one; then the file is ingested, laid out as it sniffs
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
    let Ok((spans, _errors)) = read_batch(bytes, &in_memory) else {
        return;
    };
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
        zone: Zone::Utc,
        settle_ns: NS_PER_SEC,
    };
    let store = crate::ingest::ingestor::load(std::slice::from_ref(&store_dir.0), options, NOW);
    // A trace whose info reads is one session; one whose info does not is a problem only.
    let trace = store_dir.0.join("1/traces/tr-fuzz");
    let readable = crate::formats::mlflow::info::read_info(&trace).is_ok();
    assert_eq!(store.session_ids().len(), usize::from(readable), "sessions");
    check_store(&store);
}

/// `receiver_proto`: an OTLP/HTTP protobuf body, decoded with the receiver's messages and
/// turned into OTLP/JSON as the receiver does, then read as a batch: the JSON is a batch,
/// every span of the request is read or said why not, and the received spans' store checks
/// out.
pub fn receiver_proto(data: &[u8]) {
    use crate::receiver::proto::{ExportTraceServiceRequest, to_json};
    use prost::Message as _;
    let Ok(request) = ExportTraceServiceRequest::decode(data) else {
        return;
    };
    let json = serde_json::to_vec(&to_json(&request)).expect("the request as JSON");
    // Well-formed, read as the receiver reads it (spans left raw): a request nested deeper
    // than serde_json builds values for is still a batch, its deepest spans skipped.
    let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(&json);
    well_formed.expect("the receiver's JSON parses");
    // A request that decodes is never refused as a bad batch: its spans are read or skipped.
    let read = read_batch(&json, &in_memory);
    let (spans, errors) = read.expect("the receiver's JSON is a batch");
    let sent: usize = request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
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
}
