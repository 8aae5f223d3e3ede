//! Reading one MLflow trace folder into its session and spans. MLflow writes `traces.json`
//! only once the root span has ended (after `trace_info.yaml`, tags and metadata), so a
//! folder without it is a trace in flight: it shows as one running placeholder span until
//! the spans arrive, or as incomplete if they never do.

use super::info::{TraceInfo, read_info};
use super::span;
use crate::formats::poml::call::{BuildContext, PARSE_LIMIT};
use crate::model::time::{Nanos, system_time_ns};
use crate::model::{
    LineRef, Problem, SessionKey, SessionRecord, Source, SpanFormat, SpanKind, SpanRecord, SpanRef,
    SpanSource, Status,
};
use crate::untrusted::fsread;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A trace older than this without its spans will not get them: the export was lost.
pub const ACTIVE_WINDOW_NS: Nanos = 300 * 1_000_000_000;
/// The key of the placeholder span of a trace in flight.
pub const PENDING_KEY: &str = crate::model::session::STAND_IN_KEY;

#[derive(Debug)]
pub struct TraceRead {
    pub session: SessionRecord,
    pub spans: Vec<SpanRecord>,
    pub problems: Vec<Problem>,
    /// The spans are not there (or not readable) yet: read the folder again later.
    pub pending: bool,
}

#[derive(Deserialize)]
struct TracesJson<'a> {
    #[serde(borrow)]
    spans: Vec<&'a RawValue>,
}

pub fn session_key(trace_id: &str) -> SessionKey {
    format!("mlflow:{trace_id}").into()
}

/// Read a trace folder. `Err` when even `trace_info.yaml` cannot be read.
pub fn read_trace(dir: &Path, ctx: BuildContext) -> Result<TraceRead, String> {
    let info = read_info(dir)?;
    let session = SessionRecord {
        key: session_key(&info.trace_id),
        id: info.trace_id.as_str().into(),
        source: Source::Mlflow,
        path: dir.to_path_buf(),
        start_ns: info.request_time_ns,
        note: note(dir, &info).map(Into::into),
    };
    let mut read = TraceRead {
        session,
        spans: Vec::new(),
        problems: Vec::new(),
        pending: false,
    };
    let Some(path) = traces_json(dir, &info) else {
        pending(&mut read, dir, &info, ctx, "no traces.json yet", false);
        return Ok(read);
    };
    let prefix = match fsread::read_prefix(&path, PARSE_LIMIT) {
        Ok(p) if p.truncated() => {
            read.problems.push(problem(
                &path,
                format!("too large to read ({})", fsread::human_size(p.len)),
            ));
            return Ok(read);
        }
        Ok(p) => p,
        Err(e) => {
            read.problems.push(problem(&path, fsread::describe(&e)));
            return Ok(read);
        }
    };
    let parsed = std::str::from_utf8(&prefix.bytes)
        .map_err(|e| format!("not UTF-8: {e}"))
        .and_then(|text| {
            serde_json::from_str::<TracesJson>(text).map_err(crate::formats::json::describe)
        });
    let traces = match parsed {
        Ok(t) => t,
        Err(_) if ctx.young => {
            // Still being written (MLflow before 3.17 writes it in place).
            pending(
                &mut read,
                dir,
                &info,
                ctx,
                "traces.json is being written",
                true,
            );
            return Ok(read);
        }
        Err(e) => {
            read.problems.push(problem(&path, e));
            return Ok(read);
        }
    };
    let file: Arc<Path> = Arc::from(path.as_path());
    let base = prefix.bytes.as_ptr() as usize;
    for raw in traces.spans {
        let text = raw.get();
        if crate::formats::json::too_deep(text.as_bytes()) {
            read.problems.push(problem(
                &path,
                format!(
                    "a span nested deeper than {} levels; skipped",
                    crate::formats::json::MAX_DEPTH
                ),
            ));
            continue;
        }
        let parsed = serde_json::from_str(text)
            .map_err(crate::formats::json::describe)
            .and_then(|v| span::parse(&v));
        match parsed {
            Ok(otel) => {
                let at = LineRef::new(1, (text.as_ptr() as usize - base) as u64, text.len());
                read.spans.push(otel.record(SpanRef {
                    format: SpanFormat::Mlflow,
                    source: SpanSource::File {
                        file: file.clone(),
                        at,
                    },
                    usage: None,
                    logs: Default::default(),
                }));
            }
            Err(e) => read.problems.push(problem(&path, e)),
        }
    }
    Ok(read)
}

/// `artifacts/traces.json` in the folder, else where the `mlflow.artifactLocation` tag
/// says (a local `file:` URI), when it exists.
fn traces_json(dir: &Path, info: &TraceInfo) -> Option<PathBuf> {
    let local = dir.join("artifacts").join("traces.json");
    if std::fs::symlink_metadata(&local).is_ok() {
        return Some(local);
    }
    let tagged = info
        .tags
        .get("mlflow.artifactLocation")?
        .trim()
        .strip_prefix("file://")
        .map(|p| PathBuf::from(p).join("traces.json"))?;
    tagged.is_file().then_some(tagged)
}

/// The spans are not there: one placeholder for the whole trace, running while the trace
/// is recent, else incomplete with a problem saying so.
fn pending(
    read: &mut TraceRead,
    dir: &Path,
    info: &TraceInfo,
    ctx: BuildContext,
    why: &str,
    writing: bool,
) {
    // A traces.json seen half written is being written, whatever the clocks say.
    let active = writing || ctx.now_ns.saturating_sub(written_at(dir, ctx)) < ACTIVE_WINDOW_NS;
    let mut record = SpanRecord::new(PENDING_KEY, SpanKind::Span, info.name().unwrap_or("trace"));
    record.start_ns = info.request_time_ns;
    if active {
        record.status = Status::Running;
        read.pending = true;
    } else {
        record.status = Status::Incomplete;
        record.problems.push(Problem::new(
            "traces.json",
            format!("{why}: the trace's spans were never exported"),
        ));
    }
    read.spans.push(record);
}

/// When the trace was last written: `trace_info.yaml`'s time, unless tracetui saw the folder
/// change before that (the writer's clock runs ahead of ours).
pub fn written_at(dir: &Path, ctx: BuildContext) -> Nanos {
    let mtime = std::fs::symlink_metadata(dir.join("trace_info.yaml"))
        .and_then(|m| m.modified())
        .map(system_time_ns)
        .unwrap_or(ctx.now_ns);
    mtime.min(ctx.seen_since_ns)
}

/// `experiment tripwise-agent · trace handle_request`, the experiment's name from its
/// `meta.yaml` two folders up.
fn note(dir: &Path, info: &TraceInfo) -> Option<String> {
    let experiment = (|| {
        let meta = dir.parent()?.parent()?.join("meta.yaml");
        let text = fsread::read_prefix(&meta, 64 << 10).ok()?;
        let docs =
            yaml_rust2::YamlLoader::load_from_str(&String::from_utf8_lossy(&text.bytes)).ok()?;
        Some(docs.first()?["name"].as_str()?.to_string())
    })();
    trace_note(&NoteParts {
        experiment: experiment.as_deref(),
        name: info.name(),
        session: info.metadata.get(SESSION_KEY).map(String::as_str),
    })
}

/// The trace metadata naming the conversation a trace is a turn of.
pub const SESSION_KEY: &str = "mlflow.trace.session";

/// What a trace's session note says, where the store knows it.
pub struct NoteParts<'a> {
    pub experiment: Option<&'a str>,
    pub name: Option<&'a str>,
    /// `mlflow.trace.session`: the chat the trace is a turn of.
    pub session: Option<&'a str>,
}

/// `experiment tripwise · trace agent · session chat-3`: the same words from every store
/// (file, SQL, server).
pub fn trace_note(parts: &NoteParts<'_>) -> Option<String> {
    let words: Vec<String> = [
        ("experiment", parts.experiment),
        ("trace", parts.name),
        ("session", parts.session),
    ]
    .into_iter()
    .filter_map(|(what, value)| {
        value
            .filter(|v| !v.is_empty())
            .map(|v| format!("{what} {v}"))
    })
    .collect();
    (!words.is_empty()).then(|| words.join(" · "))
}

fn problem(path: &Path, message: String) -> Problem {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Problem::new(name, message)
}
