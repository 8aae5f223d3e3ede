//! The tools a model was offered, as the prompt pane lists them for POML calls and for
//! MLflow and OpenTelemetry spans alike: name, description, parameters.

use super::doc::{Doc, Tone};
use super::json_text;
use serde_json::Value;

/// A `Tools (n)` heading and each tool (`{"name", "description", "parameters"}`).
pub fn append(doc: &mut Doc, list: &[Value]) {
    doc.heading(&format!("Tools ({})", list.len()));
    for tool in list {
        let field = |k: &str| tool.get(k).and_then(Value::as_str).unwrap_or("");
        doc.line(&[
            (field("name"), Tone::Key),
            (&format!("  {}", field("description")), Tone::Plain),
        ]);
        if let Some(params) = tool.get("parameters").filter(|p| !p.is_null()) {
            json_text::append(doc, params, "  ");
        }
    }
}
