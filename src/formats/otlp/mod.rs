//! OTLP/JSON (formats.md section 4): what the OpenTelemetry Collector's file exporter writes,
//! one `{"resourceSpans": [...]}` batch per line (or `{"resourceLogs": [...]}` in a logs
//! file), and what an OTLP/HTTP client posts as JSON.
//! Lenient as the spec asks: hex or base64 ids, int64 as strings or numbers, enum names or
//! numbers, the old `instrumentationLibrarySpans`, unknown fields ignored.

pub mod logs;
pub mod reader;
pub mod span;

use serde::Deserialize;
use serde_json::value::RawValue;

/// One batch, the spans left raw so each one's place in the line can be kept.
#[derive(Debug, Deserialize)]
pub struct Batch<'a> {
    #[serde(rename = "resourceSpans", alias = "resource_spans", borrow, default)]
    pub resource_spans: Vec<ResourceSpans<'a>>,
    #[serde(rename = "resourceLogs", alias = "resource_logs", borrow, default)]
    pub resource_logs: Vec<logs::ResourceLogs<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceSpans<'a> {
    #[serde(default, borrow)]
    pub resource: Option<&'a RawValue>,
    #[serde(rename = "scopeSpans", alias = "scope_spans", borrow, default)]
    pub scope_spans: Vec<ScopeSpans<'a>>,
    #[serde(
        rename = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        borrow,
        default
    )]
    pub library_spans: Vec<ScopeSpans<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct ScopeSpans<'a> {
    #[serde(borrow, default)]
    pub spans: Vec<&'a RawValue>,
}

impl<'a> Batch<'a> {
    /// Every span of the batch with its resource, in order.
    pub fn spans(&self) -> impl Iterator<Item = (Option<&'a RawValue>, &'a RawValue)> + '_ {
        self.resource_spans.iter().flat_map(|r| {
            r.scope_spans
                .iter()
                .chain(&r.library_spans)
                .flat_map(move |s| s.spans.iter().map(move |span| (r.resource, *span)))
        })
    }
}

/// The service a resource names (`service.name`), for the session's note.
pub fn service_name(resource: &RawValue) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(resource.get()).ok()?;
    span::attributes(v.get("attributes")?)
        .into_iter()
        .find(|(k, _)| k == "service.name")
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_in_both_spellings_with_resources() {
        let line = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},
            "scopeSpans":[{"scope":{"name":"x"},"spans":[{"spanId":"a"},{"spanId":"b"}]}]},
            {"instrumentationLibrarySpans":[{"spans":[{"spanId":"c"}]}]}]}"#;
        let batch: Batch = serde_json::from_str(line).expect("batch");
        let spans: Vec<_> = batch.spans().collect();
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[2].1.get(), r#"{"spanId":"c"}"#);
        assert_eq!(
            service_name(spans[0].0.expect("resource")).as_deref(),
            Some("agent")
        );
        let snake: Batch =
            serde_json::from_str(r#"{"resource_spans":[{"scope_spans":[{"spans":[{}]}]}]}"#)
                .expect("snake case");
        assert_eq!(snake.spans().count(), 1);
    }
}
