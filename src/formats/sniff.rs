//! Telling trace files apart by what they contain, not by their names.

/// How the values of a file are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One JSON value per line (JSONL); tailed as it grows.
    Lines,
    /// One JSON document: an array of values, or a single (pretty-printed) value.
    Document,
    /// A captured Server-Sent Events stream (`event:` / `data:` blocks).
    Sse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pml,
    /// OTLP/JSON batches (`{"resourceSpans": ...}` or `{"resourceLogs": ...}`), as the
    /// Collector's file exporter writes.
    Otlp,
}

/// How many bytes from the start of a file are enough to tell.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Keys only PML's events and traces carry (any one is enough with JSON around it).
const PML_KEYS: [&str; 9] = [
    "\"root_id\"",
    "\"traceId\"",
    "\"trace_id\"",
    "\"taskResults\"",
    "\"task_results\"",
    "\"parentTraceId\"",
    "\"execution_start\"",
    "\"tool_call\"",
    "\"capability_invoke\"",
];

/// What a file is, from its first bytes; `None` when it is no trace this version reads.
pub fn sniff(prefix: &[u8]) -> Option<(Format, Layout)> {
    let text = String::from_utf8_lossy(prefix);
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with("event:")
        || body.starts_with("data:")
        || body.starts_with(':')
        || body.starts_with("id:")
    {
        let has_pml_data = body.lines().any(|l| {
            l.strip_prefix("data:")
                .is_some_and(|d| PML_KEYS.iter().any(|k| d.contains(k)) || d.contains("\"toolId\""))
        });
        return has_pml_data.then_some((Format::Pml, Layout::Sse));
    }
    if !(body.starts_with('{') || body.starts_with('[')) {
        return None;
    }
    let parses = |text: &str| serde_json::from_str::<serde::de::IgnoredAny>(text.trim()).is_ok();
    let head: String = body
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(32)
        .collect();
    let otlp = [
        "resourceSpans",
        "resource_spans",
        "resourceLogs",
        "resource_logs",
    ];
    if otlp.iter().any(|k| head.starts_with(&format!("{{\"{k}\""))) {
        return Some(match body.split_once('\n') {
            // A pretty-printed batch is one document; a batch per line is tailed.
            Some((first, _)) if !parses(first) => (Format::Otlp, Layout::Document),
            _ => (Format::Otlp, Layout::Lines),
        });
    }
    // MLflow's traces.json names trace ids too; it is read with its trace folder.
    if head.starts_with("{\"spans\"") {
        return None;
    }
    if !PML_KEYS.iter().any(|k| body.contains(k)) {
        return None;
    }
    if body.starts_with('[') {
        return Some((Format::Pml, Layout::Document));
    }
    match body.split_once('\n') {
        // A complete first line that is a value on its own: JSON Lines.
        Some((first, _)) if body.starts_with('{') && parses(first) => {
            Some((Format::Pml, Layout::Lines))
        }
        Some(_) => Some((Format::Pml, Layout::Document)),
        // One line so far: a whole value reads either way; a partial one cannot tell yet
        // (a file still being written is sniffed again when it grows).
        None if parses(body) => Some((Format::Pml, Layout::Lines)),
        None => None,
    }
}

/// Extensions worth sniffing when found inside an opened folder (given paths are always
/// sniffed).
pub fn worth_sniffing(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jsonl", ".ndjson", ".json", ".sse", ".events", ".log", ".txt",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_layouts_apart() {
        assert_eq!(
            sniff(b"{\"id\":\"e1\",\"type\":\"tool_call\",\"root_id\":\"r\"}\n{\"id\""),
            Some((Format::Pml, Layout::Lines))
        );
        assert_eq!(
            sniff(b"[{\"traceId\": \"x\",\n \"taskResults\": []}]"),
            Some((Format::Pml, Layout::Document))
        );
        // Half of a first line: undecided until it is complete.
        assert_eq!(sniff(b"{\"id\":\"e1\",\"root_id\":\"r"), None);
        assert_eq!(
            sniff(b"{\"id\":\"e1\",\"root_id\":\"r\"}"),
            Some((Format::Pml, Layout::Lines))
        );
        assert_eq!(
            sniff(b"[{\"traceId\":\"x\"}]"),
            Some((Format::Pml, Layout::Document))
        );
        assert_eq!(
            sniff(b"{\n  \"traceId\": \"x\",\n  \"durationMs\": 3\n}"),
            Some((Format::Pml, Layout::Document))
        );
        assert_eq!(
            sniff(b"event: tool.start\ndata: {\"toolId\":\"fs:read\",\"traceId\":\"t\"}\n\n"),
            Some((Format::Pml, Layout::Sse))
        );
    }

    #[test]
    fn otlp_batches() {
        assert_eq!(
            sniff(b"{\"resourceSpans\":[]}\n{\"resourceSpans\":[]}\n"),
            Some((Format::Otlp, Layout::Lines))
        );
        assert_eq!(
            sniff(b"{\n  \"resourceSpans\": [\n  ]\n}"),
            Some((Format::Otlp, Layout::Document))
        );
        assert_eq!(
            sniff(b"{\"resourceSpans\":[{\"scopeSpans\":"),
            Some((Format::Otlp, Layout::Lines)),
            "a partial first line is still a batch"
        );
        assert_eq!(
            sniff(b"{\"resourceLogs\":[]}\n{\"resourceLogs\":[]}\n"),
            Some((Format::Otlp, Layout::Lines)),
            "a logs file beside the traces"
        );
    }

    #[test]
    fn other_json_is_not_claimed() {
        assert_eq!(sniff(b"{\"company\": \"Northwind\"}"), None);
        assert_eq!(
            sniff(b"{\"spans\": [{\"trace_id\": \"x\", \"span_id\": \"y\"}]}"),
            None,
            "MLflow's traces.json"
        );
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(b""), None);
        assert!(worth_sniffing("events.JSONL"));
        assert!(!worth_sniffing("receipt.png"));
    }
}
