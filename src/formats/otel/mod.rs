//! An OpenTelemetry-shaped span, as MLflow's `traces.json`, OTLP/JSON files and the OTLP
//! receiver all describe one: ids, times, status, attributes (JSON values) and events.
//! Each source parses into this; the tree, the prompt pane and `dump` read only this.

pub mod chat;
pub mod usage;
mod values;

pub use values::{decode_json_string, hex, id_hex, push_hex, unix_nanos};

use crate::model::time::Nanos;
use crate::model::{SpanKind, Status};
use serde_json::Value;
use std::borrow::Cow;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtelSpan {
    /// Lowercase hex (32 digits for OpenTelemetry; whatever the source had otherwise).
    pub trace_id: String,
    pub span_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    /// OpenTelemetry's span kind (1 internal, 2 server, 3 client, 4 producer, 5 consumer).
    pub otel_kind: Option<i64>,
    pub start_ns: Option<Nanos>,
    pub end_ns: Option<Nanos>,
    pub status: StatusCode,
    pub status_message: String,
    /// In the source's order; values decoded (MLflow's JSON-encoded strings parsed).
    pub attributes: Vec<(String, Value)>,
    pub events: Vec<OtelEvent>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtelEvent {
    pub name: String,
    pub time_ns: Option<Nanos>,
    pub attributes: Vec<(String, Value)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    /// `STATUS_CODE_OK`, `OK`, `1`, ...: every spelling the sources use.
    pub fn parse(value: &Value) -> Self {
        match value {
            Value::Number(n) => match n.as_i64() {
                Some(1) => StatusCode::Ok,
                Some(2) => StatusCode::Error,
                _ => StatusCode::Unset,
            },
            Value::String(s) => {
                let s = s.trim_start_matches("STATUS_CODE_").to_ascii_uppercase();
                match s.as_str() {
                    "OK" => StatusCode::Ok,
                    "ERROR" => StatusCode::Error,
                    _ => StatusCode::Unset,
                }
            }
            _ => StatusCode::Unset,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

/// Where the sources record what went in and what came out, in order of preference.
const INPUT_KEYS: [&str; 4] = [
    "mlflow.spanInputs",
    "gen_ai.tool.call.arguments",
    "input.value",
    "traceloop.entity.input",
];
const OUTPUT_KEYS: [&str; 4] = [
    "mlflow.spanOutputs",
    "gen_ai.tool.call.result",
    "output.value",
    "traceloop.entity.output",
];

impl OtelSpan {
    pub fn attr(&self, key: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(Value::as_str)
    }

    /// MLflow's span type (`LLM`, `CHAT_MODEL`, `TOOL`, ...), when it has one.
    pub fn mlflow_type(&self) -> Option<&str> {
        self.attr_str("mlflow.spanType")
    }

    /// What the span stands for, from MLflow's type or the GenAI operation.
    pub fn kind(&self) -> SpanKind {
        if let Some(t) = self.mlflow_type() {
            return match t {
                "LLM" => SpanKind::Llm,
                "CHAT_MODEL" => SpanKind::ChatModel,
                "CHAIN" => SpanKind::Chain,
                "AGENT" => SpanKind::Agent,
                "TOOL" => SpanKind::Tool,
                "RETRIEVER" => SpanKind::Retriever,
                "EMBEDDING" => SpanKind::Embedding,
                _ => SpanKind::Span,
            };
        }
        // OpenInference (Phoenix), then Traceloop/OpenLLMetry: both name the kind outright.
        if let Some(k) = self.attr_str("openinference.span.kind") {
            match k.to_ascii_uppercase().as_str() {
                "LLM" => return SpanKind::Llm,
                "CHAIN" => return SpanKind::Chain,
                "AGENT" => return SpanKind::Agent,
                "TOOL" => return SpanKind::Tool,
                "RETRIEVER" | "RERANKER" => return SpanKind::Retriever,
                "EMBEDDING" => return SpanKind::Embedding,
                _ => {}
            }
        }
        match self.attr_str("traceloop.span.kind") {
            Some("workflow" | "task") => return SpanKind::Chain,
            Some("agent") => return SpanKind::Agent,
            Some("tool") => return SpanKind::Tool,
            _ => {}
        }
        match self.attr_str("gen_ai.operation.name") {
            Some("chat" | "generate_content" | "text_completion") => SpanKind::Llm,
            Some("embeddings") => SpanKind::Embedding,
            Some("execute_tool") => SpanKind::Tool,
            Some("invoke_agent" | "create_agent") => SpanKind::Agent,
            _ if self.attr("gen_ai.request.model").is_some()
                || self.attr("llm.model_name").is_some() =>
            {
                SpanKind::Llm
            }
            _ => SpanKind::Span,
        }
    }

    /// An error status or an `exception` event makes the span an error; no end, running.
    pub fn status(&self) -> Status {
        if self.status == StatusCode::Error {
            Status::Error
        } else if self.end_ns.is_none() {
            Status::Running
        } else {
            Status::Ok
        }
    }

    /// The model the span called, as the request or MLflow names it.
    pub fn model(&self) -> Option<&str> {
        [
            "gen_ai.request.model",
            "gen_ai.response.model",
            "llm.model_name",
            "mlflow.llm.model",
        ]
        .iter()
        .find_map(|k| self.attr_str(k))
        .or_else(|| {
            self.attr("mlflow.spanInputs")
                .and_then(|v| v.get("model"))
                .and_then(Value::as_str)
        })
    }

    /// The first exception event's type and message.
    pub fn exception(&self) -> Option<String> {
        let event = self.events.iter().find(|e| e.name == "exception")?;
        let get = |k: &str| {
            event
                .attributes
                .iter()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.as_str())
        };
        Some(match (get("exception.type"), get("exception.message")) {
            (Some(t), Some(m)) => format!("{t}: {m}"),
            (t, m) => t.or(m).unwrap_or("exception").to_string(),
        })
    }

    /// Why it failed, in a line: its exception, else its status message.
    pub fn error_text(&self) -> Option<String> {
        self.exception()
            .or_else(|| (!self.status_message.is_empty()).then(|| self.status_message.clone()))
    }

    /// What went in, as the source records it (MLflow's inputs, a tool's arguments).
    pub fn inputs(&self) -> Option<Cow<'_, Value>> {
        self.io(&INPUT_KEYS, "input.mime_type")
    }

    /// What came out.
    pub fn outputs(&self) -> Option<Cow<'_, Value>> {
        self.io(&OUTPUT_KEYS, "output.mime_type")
    }

    /// The first of `keys` the span has; OpenInference's `input.value`/`output.value` decoded
    /// when its mime type says it is JSON (it is text otherwise, however it looks).
    fn io(&self, keys: &[&str], mime_key: &str) -> Option<Cow<'_, Value>> {
        let (key, value) = keys.iter().find_map(|k| Some((*k, self.attr(k)?)))?;
        let json = self.attr_str(mime_key) == Some("application/json");
        let Value::String(text) = value else {
            return Some(Cow::Borrowed(value));
        };
        let decoded = || serde_json::from_str::<Value>(text).ok();
        let as_json = match key {
            // OpenInference says when a value is JSON; text stays text however it looks.
            _ if key.ends_with(".value") => decoded().filter(|_| json),
            // The Traceloop SDK always writes `json.dumps` of the value.
            _ if key.starts_with("traceloop.entity.") => decoded(),
            // GenAI tool arguments and results: JSON when they are an object or a list.
            _ => decoded().filter(|v| v.is_object() || v.is_array()),
        };
        Some(as_json.map_or(Cow::Borrowed(value), Cow::Owned))
    }

    /// The attributes not shown as the inputs or outputs.
    pub fn other_attributes(&self) -> impl Iterator<Item = &(String, Value)> {
        self.attributes.iter().filter(|(k, _)| {
            !INPUT_KEYS.contains(&k.as_str()) && !OUTPUT_KEYS.contains(&k.as_str())
        })
    }
}

impl OtelSpan {
    /// The span as the model holds it: keyed by its span id, its content left where
    /// `payload` says.
    pub fn record(&self, payload: crate::model::SpanRef) -> crate::model::SpanRecord {
        let mut record =
            crate::model::SpanRecord::new(self.span_id.as_str(), self.kind(), self.name.as_str());
        record.parent = self.parent_id.as_deref().map(Into::into);
        record.start_ns = self.start_ns;
        record.end_ns = self.end_ns;
        record.status = self.status();
        record.payload = crate::model::Payload::Span(Box::new(crate::model::SpanRef {
            usage: usage::usage(self),
            ..payload
        }));
        record
    }
}

/// The raw JSON of a span, from its file or from memory.
pub fn raw_bytes<'a>(
    span: &'a crate::model::SpanRef,
    source: &'a mut dyn crate::formats::bytes::ByteSource,
) -> Result<std::borrow::Cow<'a, [u8]>, String> {
    match &span.source {
        crate::model::SpanSource::File { file, at } => source.read(file, *at),
        crate::model::SpanSource::Memory(bytes) => Ok(std::borrow::Cow::Borrowed(&bytes[..])),
    }
}

/// Read a span back from where ingest left it, and parse it again.
pub fn load(
    span: &crate::model::SpanRef,
    source: &mut dyn crate::formats::bytes::ByteSource,
) -> Result<OtelSpan, String> {
    let mut parsed = {
        let bytes = raw_bytes(span, source)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "not UTF-8".to_string())?;
        match span.format {
            crate::model::SpanFormat::Mlflow => {
                let value: Value =
                    serde_json::from_str(text).map_err(crate::formats::json::describe)?;
                crate::formats::mlflow::span::parse(&value)
            }
            crate::model::SpanFormat::Otlp => crate::formats::otlp::span::parse(text),
        }
    }?;
    for record in span.logs.iter() {
        parsed.events.push(log_event(record, source));
    }
    Ok(parsed)
}

/// A log record of the span as one of its events; one that cannot be read back says why
/// in its place (the rest still show).
fn log_event(
    record: &crate::model::SpanSource,
    source: &mut dyn crate::formats::bytes::ByteSource,
) -> OtelEvent {
    let bytes = match record {
        crate::model::SpanSource::File { file, at } => source.read(file, *at),
        crate::model::SpanSource::Memory(bytes) => Ok(std::borrow::Cow::Borrowed(&bytes[..])),
    };
    let read = bytes.and_then(|b| {
        let text = std::str::from_utf8(&b).map_err(|_| "not UTF-8".to_string())?;
        crate::formats::otlp::logs::event(text)
    });
    read.unwrap_or_else(|e| OtelEvent {
        name: "log record".into(),
        time_ns: None,
        attributes: vec![(
            "read_error".into(),
            Value::String(format!("cannot read the log record back: {e}")),
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(attrs: &[(&str, Value)]) -> OtelSpan {
        OtelSpan {
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
            end_ns: Some(1),
            ..OtelSpan::default()
        }
    }

    #[test]
    fn openinference_and_traceloop_name_their_kinds() {
        for (key, value, kind) in [
            ("openinference.span.kind", "LLM", SpanKind::Llm),
            ("openinference.span.kind", "CHAIN", SpanKind::Chain),
            ("openinference.span.kind", "TOOL", SpanKind::Tool),
            ("openinference.span.kind", "AGENT", SpanKind::Agent),
            ("openinference.span.kind", "RETRIEVER", SpanKind::Retriever),
            ("openinference.span.kind", "EMBEDDING", SpanKind::Embedding),
            ("traceloop.span.kind", "workflow", SpanKind::Chain),
            ("traceloop.span.kind", "agent", SpanKind::Agent),
            ("traceloop.span.kind", "tool", SpanKind::Tool),
            ("llm.model_name", "gpt-4o", SpanKind::Llm),
        ] {
            assert_eq!(span(&[(key, json!(value))]).kind(), kind, "{key}={value}");
        }
        let s = span(&[("llm.model_name", json!("gpt-4o-mini"))]);
        assert_eq!(s.model(), Some("gpt-4o-mini"));
        let s = span(&[("traceloop.entity.input", json!("{\"q\": 1}"))]);
        assert!(s.inputs().is_some());
    }

    #[test]
    fn kinds_come_from_mlflow_types_or_genai_operations() {
        assert_eq!(
            span(&[("mlflow.spanType", json!("CHAT_MODEL"))]).kind(),
            SpanKind::ChatModel
        );
        assert_eq!(
            span(&[("mlflow.spanType", json!("PARSER"))]).kind(),
            SpanKind::Span
        );
        assert_eq!(
            span(&[("gen_ai.operation.name", json!("chat"))]).kind(),
            SpanKind::Llm
        );
        assert_eq!(
            span(&[("gen_ai.operation.name", json!("execute_tool"))]).kind(),
            SpanKind::Tool
        );
        assert_eq!(span(&[]).kind(), SpanKind::Span);
    }

    #[test]
    fn inputs_and_outputs_decoded_as_each_writer_encodes_them() {
        // Traceloop: always json.dumps, a string included.
        let s = span(&[
            (
                "traceloop.entity.input",
                json!(r#"{"args": [], "kwargs": {"city": "Lisbon"}}"#),
            ),
            ("traceloop.entity.output", json!(r#""Sunny in Lisbon""#)),
        ]);
        assert_eq!(
            s.inputs().as_deref(),
            Some(&json!({"args": [], "kwargs": {"city": "Lisbon"}}))
        );
        assert_eq!(s.outputs().as_deref(), Some(&json!("Sunny in Lisbon")));
        // GenAI tool arguments as JSON text; a plain result stays text.
        let s = span(&[
            ("gen_ai.tool.call.arguments", json!(r#"{"city": "Lisbon"}"#)),
            ("gen_ai.tool.call.result", json!("42")),
        ]);
        assert_eq!(s.inputs().as_deref(), Some(&json!({"city": "Lisbon"})));
        assert_eq!(s.outputs().as_deref(), Some(&json!("42")));
        // OpenInference: JSON only when its mime type says so.
        let s = span(&[("input.value", json!(r#"{"a": 1}"#))]);
        assert_eq!(s.inputs().as_deref(), Some(&json!(r#"{"a": 1}"#)));
    }

    #[test]
    fn status_codes_in_every_spelling() {
        for (v, code) in [
            (json!("STATUS_CODE_ERROR"), StatusCode::Error),
            (json!("OK"), StatusCode::Ok),
            (json!(2), StatusCode::Error),
            (json!(0), StatusCode::Unset),
            (json!("STATUS_CODE_UNSET"), StatusCode::Unset),
        ] {
            assert_eq!(StatusCode::parse(&v), code, "{v}");
        }
    }

    #[test]
    fn exceptions_and_models() {
        let mut s = span(&[(
            "mlflow.spanInputs",
            json!({"model": "gpt-4o-mini", "messages": []}),
        )]);
        s.events.push(OtelEvent {
            name: "exception".into(),
            time_ns: None,
            attributes: vec![
                ("exception.type".into(), json!("TimeoutError")),
                ("exception.message".into(), json!("timed out")),
            ],
        });
        assert_eq!(s.exception().as_deref(), Some("TimeoutError: timed out"));
        assert_eq!(s.model(), Some("gpt-4o-mini"));
    }
}
