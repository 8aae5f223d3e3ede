//! MLflow attachments in the prompt pane: a reference (`mlflow-attachment://...`) shown as
//! what it names, `attachment image/png · 74 B · 5×4`, read from its file beside the trace.

use crate::formats::mlflow::attachment::{self, Reference};
use crate::model::{SpanRef, SpanSource};
use serde_json::Value;

/// `text` described if it is an attachment reference.
pub fn describe_text(text: &str, span_ref: &SpanRef) -> Option<String> {
    let reference = attachment::parse(text)?;
    let file = match &span_ref.source {
        SpanSource::File { file, .. } => attachment::path(file, &reference),
        SpanSource::Memory(_) => None,
    };
    Some(describe(&reference, file.as_deref()))
}

/// Every attachment reference in `value` replaced by its description, in brackets.
pub fn describe_in(value: &Value, span_ref: &SpanRef) -> Value {
    match value {
        Value::String(s) => match describe_text(s, span_ref) {
            Some(d) => Value::String(format!("[{d}]")),
            None => value.clone(),
        },
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| describe_in(v, span_ref)).collect())
        }
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, v)| (k.clone(), describe_in(v, span_ref)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// From the file when it can be read here, else from the reference.
fn describe(reference: &Reference, file: Option<&std::path::Path>) -> String {
    const MAX: u64 = 64 << 20;
    let read = file.and_then(|f| crate::untrusted::fsread::read_prefix(f, MAX).ok());
    let size = |n: u64| crate::untrusted::fsread::human_size(n);
    match read {
        Some(read) => {
            let mut line = format!(
                "attachment {} · {}",
                reference.content_type,
                size(read.bytes.len() as u64)
            );
            if let Some((w, h)) = super::image::dimensions(&read.bytes) {
                line.push_str(&format!(" · {w}×{h}"));
            }
            line
        }
        None => {
            let known = reference
                .size
                .map(|s| format!(" · {}", size(s)))
                .unwrap_or_default();
            format!(
                "attachment {}{known} · its file is not beside this trace",
                reference.content_type
            )
        }
    }
}
