//! JSON shown to people: pretty, keys marked, binary buffers summarized, lines made safe;
//! a string holding several lines (a prompt, a POML source) shown as those lines, not as one
//! line of `\n` and `\"` escapes. The Raw JSON tab keeps the escapes (`append_raw`).

use super::doc::{Doc, Tone};
use crate::formats::json::base64_buffer;
use serde_json::Value;

/// Append `value` pretty-printed, each line indented by `indent`; strings of several lines
/// as a block of those lines under their key, behind a bar.
pub fn append(doc: &mut Doc, value: &Value, indent: &str) {
    let shown = summarize_buffers(value);
    if !has_multiline(&shown) {
        return append_raw(doc, value, indent);
    }
    write_value(doc, &shown, indent, "", "", 0);
}

/// Append `value` pretty-printed as JSON text, strings escaped as JSON has them.
pub fn append_raw(doc: &mut Doc, value: &Value, indent: &str) {
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

fn has_multiline(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\n'),
        Value::Array(items) => items.iter().any(has_multiline),
        Value::Object(obj) => obj.values().any(has_multiline),
        _ => false,
    }
}

/// One value at `depth`: `key` is `"name": ` (or empty), `comma` what follows it.
fn write_value(doc: &mut Doc, value: &Value, indent: &str, key: &str, comma: &str, depth: usize) {
    let lead = format!("{indent}{}", "  ".repeat(depth));
    let head = |doc: &mut Doc, text: &str| {
        if key.is_empty() {
            doc.line(&[(&lead, Tone::Plain), (text, Tone::Code)]);
        } else {
            doc.line(&[(&lead, Tone::Plain), (key, Tone::Key), (text, Tone::Code)]);
        }
    };
    match value {
        Value::Object(obj) if !obj.is_empty() => {
            head(doc, if key.is_empty() { "{" } else { ": {" });
            let last = obj.len() - 1;
            for (i, (k, v)) in obj.iter().enumerate() {
                let name = serde_json::to_string(k).unwrap_or_default();
                write_value(
                    doc,
                    v,
                    indent,
                    &name,
                    if i < last { "," } else { "" },
                    depth + 1,
                );
            }
            doc.line(&[(&lead, Tone::Plain), (&format!("}}{comma}"), Tone::Code)]);
        }
        Value::Array(items) if !items.is_empty() => {
            head(doc, if key.is_empty() { "[" } else { ": [" });
            let last = items.len() - 1;
            for (i, v) in items.iter().enumerate() {
                write_value(
                    doc,
                    v,
                    indent,
                    "",
                    if i < last { "," } else { "" },
                    depth + 1,
                );
            }
            doc.line(&[(&lead, Tone::Plain), (&format!("]{comma}"), Tone::Code)]);
        }
        Value::String(text) if text.contains('\n') => {
            let lines = text.lines().count();
            head(
                doc,
                &format!(
                    "{}({lines} lines of text){comma}",
                    if key.is_empty() { "" } else { ": " }
                ),
            );
            let bar = format!("{lead}  │ ");
            for line in text.lines() {
                doc.line(&[(&bar, Tone::Gutter), (line, Tone::Code)]);
            }
        }
        scalar => {
            let text = serde_json::to_string(scalar).unwrap_or_default();
            let sep = if key.is_empty() { "" } else { ": " };
            head(doc, &format!("{sep}{text}{comma}"));
        }
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
    fn strings_of_several_lines_show_as_their_lines() {
        let mut doc = Doc::new();
        append(
            &mut doc,
            &json!({"source": "<poml>\n  <p>Say \"hi\"</p>\n</poml>", "n": [1, "x"]}),
            "",
        );
        assert_eq!(
            doc.plain_lines(),
            vec![
                "{",
                "  \"source\": (3 lines of text),",
                "    │ <poml>",
                "    │   <p>Say \"hi\"</p>",
                "    │ </poml>",
                "  \"n\": [",
                "    1,",
                "    \"x\"",
                "  ]",
                "}",
            ]
        );
        assert_eq!(doc.lines[1].chunks[1].tone, Tone::Key);
        assert_eq!(doc.lines[2].chunks[0].tone, Tone::Gutter);
        // The raw form keeps JSON's escapes.
        let mut raw = Doc::new();
        append_raw(&mut raw, &json!({"s": "a\nb"}), "");
        assert!(raw.plain_lines().iter().any(|l| l.contains("\"a\\nb\"")));
    }

    #[test]
    fn embedded_json() {
        assert_eq!(embedded("{\"x\": 1}"), Some(json!({"x": 1})));
        assert_eq!(embedded("5"), None);
        assert_eq!(embedded("{broken"), None);
    }
}
