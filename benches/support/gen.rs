//! Large, realistic trace sets for benchmarks: a POML root of sessions of calls copied
//! from the real corpus, and documented-shape PML JSON Lines of nested executions.
//! Used by `examples/gen_traces.rs` and the criterion benches.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A JSON Lines file being written: each line counted, and its bytes.
struct Lines {
    w: BufWriter<fs::File>,
    lines: u64,
    bytes: u64,
}

impl Lines {
    fn create(path: &Path) -> Self {
        let file = fs::File::create(path).expect("create");
        Self {
            w: BufWriter::with_capacity(1 << 20, file),
            lines: 0,
            bytes: 0,
        }
    }

    /// `line` and its newline.
    fn line(&mut self, line: &str) {
        self.w.write_all(line.as_bytes()).expect("write");
        self.w.write_all(b"\n").expect("write");
        self.bytes += line.len() as u64 + 1;
        self.lines += 1;
    }

    fn finish(mut self) -> u64 {
        self.w.flush().expect("flush");
        self.bytes
    }
}

/// One call's files: (suffix, bytes).
type CallFiles = Vec<(String, Vec<u8>)>;

/// Calls of the real corpus, in call order.
fn corpus_calls() -> Vec<CallFiles> {
    let dir = tempfile::tempdir().expect("tempdir");
    let tarball = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus-public.tar.gz");
    let file = fs::File::open(tarball).expect("corpus fixture");
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(dir.path())
        .expect("unpack");
    let mut calls: BTreeMap<(String, String), CallFiles> = BTreeMap::new();
    let root = dir.path().join("public/pomlruns");
    for session in fs::read_dir(&root).expect("sessions").flatten() {
        for entry in fs::read_dir(session.path()).expect("calls").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((index, rest)) = name.split_once('.') else {
                continue;
            };
            if entry.file_type().map(|t| t.is_symlink()).unwrap_or(true) {
                continue;
            }
            let (call, suffix) = rest.split_once('.').unwrap_or(("", rest));
            let key = (
                session.file_name().to_string_lossy().into_owned(),
                format!("{index}.{call}"),
            );
            calls
                .entry(key)
                .or_default()
                .push((format!(".{suffix}"), fs::read(entry.path()).expect("read")));
        }
    }
    calls.into_values().collect()
}

pub fn poml(out: &Path, sessions: u64, calls_per_session: u64) {
    let templates = corpus_calls();
    // A day ago, so every file is settled (a call changed "in the future" is still writing).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let start = now.saturating_sub(86_400) / 60 * 60;
    let mut bytes = 0u64;
    let mut files = 0u64;
    for s in 0..sessions {
        let session_start = start + s * 600;
        // set_trace names sessions by local time; the generator writes UTC names.
        let name = chrono::DateTime::from_timestamp(session_start as i64, 0)
            .expect("in range")
            .format("%Y%m%d%H%M%S000000")
            .to_string();
        let dir = out.join(&name);
        fs::create_dir_all(&dir).expect("mkdir");
        let mut t_ms = session_start * 1000 + 800;
        for c in 0..calls_per_session {
            let template = &templates[((s * calls_per_session + c) as usize) % templates.len()];
            let prefix = format!("{:04}.{}", c + 1, call_name(template));
            for (i, (suffix, data)) in template.iter().enumerate() {
                let path = dir.join(format!("{prefix}{suffix}"));
                fs::write(&path, data).expect("write");
                let mtime = filetime::FileTime::from_unix_time(
                    (t_ms / 1000) as i64,
                    ((t_ms % 1000) * 1_000_000 + i as u64 * 3_000_000) as u32,
                );
                filetime::set_file_mtime(&path, mtime).expect("mtime");
                bytes += data.len() as u64;
                files += 1;
            }
            t_ms += 700 + (c * 37) % 900;
        }
    }
    println!(
        "poml: {sessions} sessions x {calls_per_session} calls, {files} files, {:.1} MB in {}",
        bytes as f64 / 1e6,
        out.display()
    );
}

fn call_name(template: &CallFiles) -> String {
    // The corpus call names are in the .env SOURCE_PATH; fall back to a generic one.
    template
        .iter()
        .find(|(s, _)| s == ".env")
        .and_then(|(_, d)| {
            let text = String::from_utf8_lossy(d);
            let path = text.lines().find_map(|l| l.strip_prefix("SOURCE_PATH="))?;
            let base = Path::new(path).file_stem()?.to_string_lossy().into_owned();
            Some(base)
        })
        .unwrap_or_else(|| "call".into())
}

/// A small deterministic generator (no dependency needed for benchmark data).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TOOLS: [(&str, &str); 12] = [
    ("filesystem", "read_file"),
    ("filesystem", "write_file"),
    ("filesystem", "list_dir"),
    ("github", "create_issue"),
    ("github", "get_pull_request"),
    ("github", "search_code"),
    ("web", "fetch"),
    ("web", "search"),
    ("postgres", "query"),
    ("slack", "post_message"),
    ("memory", "store"),
    ("memory", "recall"),
];

const CAPABILITIES: [&str; 6] = [
    "triage_issue",
    "summarize_repo",
    "fix_bug",
    "answer_question",
    "sync_docs",
    "weekly_report",
];

pub fn pml(out: &Path, events: u64) {
    let mut w = Lines::create(out);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut t = 1_763_000_000_000u64; // ms
    let mut exec = 0u64;
    while w.lines < events {
        exec += 1;
        let root = format!("exec_{exec:07}");
        let exec_start = t;
        w.line(&format!(
            r#"{{"id":"{root}","type":"execution_start","timestamp":{t},"root_id":"{root}","input":{{"task":"run capability batch {exec}"}}}}"#
        ));
        let mut failed = false;
        for c in 0..(2 + rng.below(4)) {
            let cap = format!("{root}_c{c}");
            let cap_name = CAPABILITIES[rng.below(CAPABILITIES.len() as u64) as usize];
            let cap_start = t + 1;
            let mut tt = cap_start + 1;
            for k in 0..(4 + rng.below(9)) {
                let (server, name) = TOOLS[rng.below(TOOLS.len() as u64) as usize];
                let duration = 2 + rng.below(120) + if rng.below(50) == 0 { 800 } else { 0 };
                let error = rng.below(100) < 3;
                failed |= error;
                let status = if error { "error" } else { "success" };
                let tail = if error {
                    format!(
                        r#","error":"{server} returned 503: upstream unavailable (attempt {k})""#
                    )
                } else {
                    format!(
                        r#","output":{{"content":"{} lines read from {name}; checksum {:016x}","bytes":{}}}"#,
                        rng.below(400),
                        rng.next(),
                        rng.below(100_000)
                    )
                };
                w.line(&format!(
                    r#"{{"id":"{cap}_t{k}","type":"tool_call","timestamp":{tt},"duration_ms":{duration},"parent_id":"{cap}","root_id":"{root}","tool":{{"server":"{server}","name":"{name}"}},"input":{{"path":"/srv/repo/src/module_{}.rs","limit":{}}},"status":"{status}"{tail}}}"#,
                    rng.below(500),
                    rng.below(1000)
                ));
                tt += duration + rng.below(5);
            }
            // The capability finishes after its tools, so it is written after them.
            w.line(&format!(
                r#"{{"id":"{cap}","type":"capability_invoke","timestamp":{cap_start},"duration_ms":{},"parent_id":"{root}","root_id":"{root}","capability":"{cap_name}","status":"success"}}"#,
                tt - cap_start
            ));
            t = tt + 1;
        }
        let status = if failed && rng.below(3) == 0 {
            "error"
        } else {
            "success"
        };
        w.line(&format!(
            r#"{{"id":"{root}_end","type":"execution_end","timestamp":{t},"duration_ms":{},"root_id":"{root}","status":"{status}"}}"#,
            t - exec_start
        ));
        t += 50 + rng.below(2000);
    }
    let written = w.lines;
    let bytes = w.finish();
    println!(
        "pml: {written} events in {exec} executions, {:.1} MB in {}",
        bytes as f64 / 1e6,
        out.display()
    );
}

/// OTLP/JSON as the Collector's file exporter writes it: one batch per line, each an agent
/// turn (an `invoke_agent` root, chat calls with GenAI messages and usage, tool calls, a few
/// errors), children in the same batch as their parent.
pub fn otlp(out: &Path, spans: u64) {
    let mut w = Lines::create(out);
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut written = 0u64;
    let mut t = 1_763_000_000_000_000_000u64; // ns
    let mut turn = 0u64;
    let kv = |k: &str, v: String| format!(r#"{{"key":"{k}","value":{{"stringValue":{v}}}}}"#);
    let int = |k: &str, v: u64| format!(r#"{{"key":"{k}","value":{{"intValue":"{v}"}}}}"#);
    while written < spans {
        turn += 1;
        let trace = format!("{:016x}{:016x}", rng.next(), turn);
        let root = format!("{:016x}", rng.next());
        let start = t;
        let mut batch = Vec::new();
        for k in 0..(2 + rng.below(6)) {
            let id = format!("{:016x}", rng.next());
            let dur = 20_000_000 + rng.below(900) * 1_000_000;
            let (name, attrs, status) = if k % 2 == 0 {
                let messages = format!(
                    r#""[{{\"role\":\"user\",\"parts\":[{{\"type\":\"text\",\"content\":\"Turn {turn} step {k}: summarise module_{}.rs\"}}]}}]""#,
                    rng.below(500)
                );
                let reply = format!(
                    r#""[{{\"role\":\"assistant\",\"parts\":[{{\"type\":\"text\",\"content\":\"{} lines, checksum {:016x}\"}}],\"finish_reason\":\"stop\"}}]""#,
                    rng.below(400),
                    rng.next()
                );
                let attrs = [
                    kv("gen_ai.operation.name", "\"chat\"".into()),
                    kv("gen_ai.request.model", "\"gpt-4o-mini\"".into()),
                    int("gen_ai.usage.input_tokens", 200 + rng.below(3000)),
                    int("gen_ai.usage.output_tokens", 20 + rng.below(400)),
                    kv("gen_ai.input.messages", messages),
                    kv("gen_ai.output.messages", reply),
                ];
                (
                    "chat gpt-4o-mini".to_string(),
                    attrs.join(","),
                    "{}".to_string(),
                )
            } else {
                let (server, tool) = TOOLS[rng.below(TOOLS.len() as u64) as usize];
                let status = if rng.below(100) < 3 {
                    r#"{"code":2,"message":"upstream 503"}"#.to_string()
                } else {
                    "{}".to_string()
                };
                let attrs = [
                    kv("gen_ai.operation.name", "\"execute_tool\"".into()),
                    kv("gen_ai.tool.name", format!("\"{server}:{tool}\"")),
                ];
                (format!("execute_tool {tool}"), attrs.join(","), status)
            };
            batch.push(format!(
                r#"{{"traceId":"{trace}","spanId":"{id}","parentSpanId":"{root}","name":"{name}","kind":3,"startTimeUnixNano":"{t}","endTimeUnixNano":"{}","attributes":[{attrs}],"status":{status}}}"#,
                t + dur
            ));
            t += dur + rng.below(5_000_000);
        }
        batch.push(format!(
            r#"{{"traceId":"{trace}","spanId":"{root}","parentSpanId":"","name":"invoke_agent planner","kind":1,"startTimeUnixNano":"{start}","endTimeUnixNano":"{t}","attributes":[{}],"status":{{}}}}"#,
            kv("gen_ai.operation.name", "\"invoke_agent\"".into())
        ));
        written += batch.len() as u64;
        w.line(&format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{}]}},"scopeSpans":[{{"scope":{{"name":"bench"}},"spans":[{}]}}]}}]}}"#,
            kv("service.name", "\"bench-agent\"".into()),
            batch.join(",")
        ));
        t += 100_000_000 + rng.below(2_000_000_000);
    }
    let bytes = w.finish();
    println!(
        "otlp: {written} spans in {turn} traces, {:.1} MB in {}",
        bytes as f64 / 1e6,
        out.display()
    );
}
