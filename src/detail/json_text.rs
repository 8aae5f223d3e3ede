//! JSON shown to people: pretty, keys marked, binary buffers summarized, lines made safe.

use super::doc::{Doc, Tone};
use crate::formats::json::base64_buffer;
use serde_json::Value;

/// Append `value` pretty-printed, each line indented by `indent`.
pub fn append(doc: &mut Doc, value: &Value, indent: &str) {
    let shown = summarize_buffers(value);
    let text = serde_json::to_string_pretty(&shown).unwrap_or_else(|e| e.to_string());
    for line in text.lines() {
        let body = line.trim_start();
        let lead = &line[..line.len() - body.len()];
        match split_key(body) {
            Some((key, rest)) => doc.line(&[
                (&format!("{indent}{lead}"), Tone::Plain),
                (key, Tone::Key),
                (rest, Tone::Code),
            ]),
            None => doc.line(&[(&format!("{indent}{line}"), Tone::Code)]),
        };
    }
}

/// A string that holds JSON (tool results often do) as that JSON; else `None`.
pub fn embedded(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// `"key": rest` -> (`"key"`, `: rest`), honouring escaped quotes in the key.
fn split_key(body: &str) -> Option<(&str, &str)> {
    let rest = body.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let end = i + 2;
                return body[end..].starts_with(':').then(|| body.split_at(end));
            }
            _ => escaped = false,
        }
    }
    None
}

fn summarize_buffers(value: &Value) -> Value {
    if let Some(b64) = base64_buffer(value) {
        let bytes = b64.len() / 4 * 3;
        return Value::String(format!("<binary buffer, about {bytes} bytes>"));
    }
    match value {
        Value::Array(items) => Value::Array(items.iter().map(summarize_buffers).collect()),
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, v)| (k.clone(), summarize_buffers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_marked_and_buffers_summarized() {
        let mut doc = Doc::new();
        append(
            &mut doc,
            &json!({"a\"b": 1, "buf": {"__base64__": "AAAA"}}),
            "  ",
        );
        let lines = doc.plain_lines();
        assert_eq!(lines[0], "  {");
        assert!(
            lines.contains(&"    \"a\\\"b\": 1,".to_string()),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("<binary buffer, about 3 bytes>"))
        );
        let key_line = &doc.lines[1];
        assert_eq!(key_line.chunks[1].tone, Tone::Key);
        assert_eq!(key_line.chunks[1].text, "\"a\\\"b\"");
    }

    #[test]
    fn embedded_json() {
        assert_eq!(embedded("{\"x\": 1}"), Some(json!({"x": 1})));
        assert_eq!(embedded("5"), None);
        assert_eq!(embedded("{broken"), None);
    }
}
