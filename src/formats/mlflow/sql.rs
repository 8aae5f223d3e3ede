//! MLflow's SQL store (`mlflow.db`, MLflow's default since 3.x): `trace_info` holds one row
//! per trace, `spans` one row per span with the span's JSON in `content` (the same shape as
//! a file store's `traces.json` spans), `experiments` the names. Opened read-only and
//! query-only: tracetui never writes to it.

use super::span;
use super::trace::{PENDING_KEY, TraceRead, session_key};
use crate::model::time::{NS_PER_MS, Nanos};
use crate::model::{
    Problem, SessionRecord, Source, SpanFormat, SpanKind, SpanRecord, SpanRef, SpanSource, Status,
};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One trace as `trace_info` and a count of its spans describe it: enough to tell whether
/// it changed since it was last read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSummary {
    pub id: String,
    pub experiment: String,
    pub timestamp_ms: Option<i64>,
    pub execution_ms: Option<i64>,
    pub status: String,
    pub name: Option<String>,
    pub spans: i64,
    pub last_end: Option<i64>,
    /// The chat the trace is a turn of: `session_id`, or `mlflow.trace.session` metadata.
    pub session: Option<String>,
}

/// Whether `path` is a SQLite database holding MLflow traces.
pub fn is_mlflow_db(path: &Path) -> bool {
    let Ok(prefix) = crate::untrusted::fsread::read_prefix(path, 16) else {
        return false;
    };
    prefix.bytes == b"SQLite format 3\0"
        && open(path).is_ok_and(|c| {
            c.query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trace_info'",
                [],
                |_| Ok(()),
            )
            .is_ok()
        })
}

/// Open read-only, and refuse any statement that would write.
pub fn open(path: &Path) -> Result<Connection, String> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open the database: {e}"))?;
    // MLflow may be writing: wait a little for its lock rather than fail the read.
    let _ = conn.busy_timeout(std::time::Duration::from_millis(500));
    let _ = conn.pragma_update(None, "query_only", true);
    Ok(conn)
}

/// Every trace, with its span count and latest span end.
pub fn summaries(conn: &Connection) -> Result<Vec<TraceSummary>, String> {
    // Columns came with MLflow releases: trace_name (3.5), session_id (the session's own
    // column; older ones keep it as metadata only).
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('trace_info')")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .unwrap_or_default();
    let has = |column: &str| columns.iter().any(|c| c == column);
    let name = if has("trace_name") {
        "t.trace_name"
    } else {
        "NULL"
    };
    // A column of its own is free; the metadata lookup costs a fifth more time to list
    // 100k traces, so it is made only where the column is missing.
    let session = if has("session_id") {
        "t.session_id".to_string()
    } else {
        format!(
            "(SELECT value FROM trace_request_metadata m
              WHERE m.request_id = t.request_id AND m.key = '{}')",
            super::trace::SESSION_KEY
        )
    };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT t.request_id, t.experiment_id, t.timestamp_ms, t.execution_time_ms, t.status,
                    {name}, count(s.span_id), max(s.end_time_unix_nano), {session}
             FROM trace_info t LEFT JOIN spans s ON s.trace_id = t.request_id
             GROUP BY t.request_id ORDER BY t.timestamp_ms"
        ))
        .map_err(|e| format!("not an MLflow trace database: {e}"))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(TraceSummary {
                id: r.get(0)?,
                experiment: r
                    .get::<_, Option<rusqlite::types::Value>>(1)?
                    .map(|v| match v {
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        _ => String::new(),
                    })
                    .unwrap_or_default(),
                timestamp_ms: r.get(2).ok(),
                execution_ms: r.get(3).ok(),
                status: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                name: r.get(5).ok().flatten(),
                spans: r.get(6)?,
                last_end: r.get(7).ok().flatten(),
                session: r.get(8).ok().flatten(),
            })
        })
        .map_err(|e| format!("cannot read trace_info: {e}"))?;
    rows.collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read trace_info: {e}"))
}

/// Experiment names by id.
pub fn experiments(conn: &Connection) -> HashMap<String, String> {
    let Ok(mut stmt) = conn.prepare("SELECT experiment_id, name FROM experiments") else {
        return HashMap::new();
    };
    let rows = stmt.query_map([], |r| {
        let id: rusqlite::types::Value = r.get(0)?;
        let id = match id {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            _ => String::new(),
        };
        Ok((id, r.get::<_, String>(1)?))
    });
    rows.map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

/// A trace read from the database: its session, and each span from its `content` JSON.
pub fn read_trace(
    conn: &Connection,
    db: &Path,
    summary: &TraceSummary,
    experiment: Option<&str>,
) -> TraceRead {
    let start_ns = summary.timestamp_ms.map(|ms| ms.saturating_mul(NS_PER_MS));
    let note = super::trace::trace_note(&super::trace::NoteParts {
        experiment,
        name: summary.name.as_deref(),
        session: summary.session.as_deref(),
    });
    let mut read = TraceRead {
        session: SessionRecord {
            key: session_key(&summary.id),
            id: summary.id.as_str().into(),
            source: Source::Mlflow,
            path: db.to_path_buf(),
            start_ns,
            note: note.map(Into::into),
        },
        spans: Vec::new(),
        problems: Vec::new(),
        pending: false,
    };
    let contents = match span_contents(conn, &summary.id) {
        Ok(c) => c,
        Err(e) => {
            read.problems
                .push(Problem::new(db.display().to_string(), e));
            return read;
        }
    };
    for (span_id, content) in contents {
        let parsed = serde_json::from_slice(&content)
            .map_err(crate::formats::json::describe)
            .and_then(|v| span::parse(&v));
        match parsed {
            Ok(otel) => read.spans.push(otel.record(SpanRef {
                format: SpanFormat::Mlflow,
                source: SpanSource::Memory(Arc::from(content)),
                usage: None,
                logs: Default::default(),
            })),
            Err(e) => read
                .problems
                .push(Problem::new(format!("{} span {span_id}", summary.id), e)),
        }
    }
    if read.spans.is_empty() {
        read.spans.push(placeholder(summary, start_ns));
        read.pending = summary.status == "IN_PROGRESS";
    }
    read
}

fn span_contents(conn: &Connection, trace: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut stmt = conn
        .prepare("SELECT span_id, content FROM spans WHERE trace_id = ?1")
        .map_err(|e| format!("cannot read spans: {e}"))?;
    let rows = stmt
        .query_map([trace], |r| {
            let content: rusqlite::types::Value = r.get(1)?;
            let bytes = match content {
                rusqlite::types::Value::Text(t) => t.into_bytes(),
                rusqlite::types::Value::Blob(b) => b,
                _ => Vec::new(),
            };
            Ok((r.get::<_, String>(0)?, bytes))
        })
        .map_err(|e| format!("cannot read spans: {e}"))?;
    rows.collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read spans: {e}"))
}

/// A trace with no spans in the database: running while MLflow says it is in progress,
/// else incomplete and saying why.
fn placeholder(summary: &TraceSummary, start_ns: Option<Nanos>) -> SpanRecord {
    let name = summary.name.as_deref().unwrap_or("trace");
    let mut record = SpanRecord::new(PENDING_KEY, SpanKind::Span, name);
    record.start_ns = start_ns;
    if summary.status == "IN_PROGRESS" {
        record.status = Status::Running;
    } else {
        record.status = Status::Incomplete;
        record.problems.push(Problem::new(
            "spans",
            format!(
                "the trace is {} but has no spans in the database",
                summary.status
            ),
        ));
    }
    record
}
