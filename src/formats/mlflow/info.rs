//! `trace_info.yaml` in either layout (v3: `trace_id`, `request_time`, `state`; v2:
//! `request_id`, `timestamp_ms`, `status`), and the one-file-per-key tags and metadata.

use crate::model::time::Nanos;
use crate::untrusted::fsread;
use std::collections::BTreeMap;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// trace_info.yaml and each tag are small; anything larger is not MLflow's.
const INFO_LIMIT: u64 = 1 << 20;
const TAG_LIMIT: u64 = 64 << 10;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceInfo {
    /// `tr-<32 hex>` (v3) or the bare request id (v2).
    pub trace_id: String,
    pub request_time_ns: Option<Nanos>,
    pub duration_ms: Option<i64>,
    /// `OK`, `ERROR`, `IN_PROGRESS`, ...
    pub state: String,
    pub request_preview: Option<String>,
    pub response_preview: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub metadata: BTreeMap<String, String>,
}

impl TraceInfo {
    pub fn name(&self) -> Option<&str> {
        self.tags.get("mlflow.traceName").map(String::as_str)
    }

    pub fn in_progress(&self) -> bool {
        self.state == "IN_PROGRESS"
    }
}

/// Read a trace folder's info, tags and metadata.
pub fn read_info(dir: &Path) -> Result<TraceInfo, String> {
    let prefix = fsread::read_prefix(&dir.join("trace_info.yaml"), INFO_LIMIT)
        .map_err(|e| format!("trace_info.yaml: {}", fsread::describe(&e)))?;
    if prefix.truncated() {
        return Err("trace_info.yaml: too large to be MLflow's".into());
    }
    let text = std::str::from_utf8(&prefix.bytes)
        .map_err(|e| format!("trace_info.yaml: not UTF-8: {e}"))?;
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| format!("trace_info.yaml: invalid YAML: {e}"))?;
    let doc = docs
        .first()
        .filter(|d| d.as_hash().is_some())
        .ok_or("trace_info.yaml: empty or not a mapping")?;
    let mut info = parse_info(doc);
    if info.trace_id.is_empty() {
        // The folder is named after the trace.
        info.trace_id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    info.tags = read_keys(&dir.join("tags"));
    info.metadata = read_keys(&dir.join("request_metadata"));
    Ok(info)
}

fn parse_info(doc: &Yaml) -> TraceInfo {
    let text = |key: &str| match &doc[key] {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    };
    let int = |key: &str| match &doc[key] {
        Yaml::Integer(i) => Some(*i),
        Yaml::String(s) | Yaml::Real(s) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    };
    let request_time_ns = text("request_time")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .and_then(|t| t.timestamp_nanos_opt())
        .or_else(|| int("timestamp_ms").map(|ms| ms.saturating_mul(1_000_000)));
    TraceInfo {
        trace_id: text("trace_id")
            .or_else(|| text("request_id"))
            .unwrap_or_default(),
        request_time_ns,
        duration_ms: int("execution_duration_ms").or_else(|| int("execution_time_ms")),
        state: text("state")
            .or_else(|| text("status"))
            .unwrap_or_default()
            .to_ascii_uppercase(),
        request_preview: text("request_preview"),
        response_preview: text("response_preview"),
        tags: BTreeMap::new(),
        metadata: BTreeMap::new(),
    }
}

/// `tags/<key>` and `request_metadata/<key>`: one small file per key, the raw value inside.
fn read_keys(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let value = fsread::read_prefix(&e.path(), TAG_LIMIT).ok()?;
            Some((name, String::from_utf8_lossy(&value.bytes).into_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TraceInfo {
        parse_info(&YamlLoader::load_from_str(text).expect("yaml")[0])
    }

    #[test]
    fn v3_layout() {
        let info = parse(
            "execution_duration_ms: 1069\nrequest_preview: '{\"a\": 1,\n  \"b\": 2}'\n\
             request_time: '2026-11-21T12:40:39.823Z'\nstate: OK\n\
             trace_id: tr-707c0af80c487ff77f05a18691e5aee0\n",
        );
        assert_eq!(info.trace_id, "tr-707c0af80c487ff77f05a18691e5aee0");
        assert_eq!(info.duration_ms, Some(1069));
        assert_eq!(info.state, "OK");
        assert_eq!(info.request_time_ns, Some(1_795_264_839_823_000_000));
        assert_eq!(
            info.request_preview.as_deref(),
            Some("{\"a\": 1, \"b\": 2}")
        );
    }

    #[test]
    fn v2_layout() {
        let info = parse(
            "request_id: 5e1f\nexperiment_id: '0'\ntimestamp_ms: 1700000000123\n\
             execution_time_ms: 42\nstatus: in_progress\n",
        );
        assert_eq!(info.trace_id, "5e1f");
        assert_eq!(info.request_time_ns, Some(1_700_000_000_123_000_000));
        assert_eq!(info.duration_ms, Some(42));
        assert!(info.in_progress());
    }
}
