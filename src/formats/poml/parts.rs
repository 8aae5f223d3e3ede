//! POML rich content: a string, or a list of strings and typed parts (images, JSON, tool
//! requests and responses), as `packages/poml/base.tsx` defines them.

use serde_json::Value;

pub const TOOL_REQUEST: &str = "application/vnd.poml.toolrequest";
pub const TOOL_RESPONSE: &str = "application/vnd.poml.toolresponse";

#[derive(Debug, PartialEq)]
pub enum Part<'a> {
    Text(&'a str),
    Image {
        mime: &'a str,
        base64: &'a str,
        alt: Option<&'a str>,
    },
    Json(&'a Value),
    ToolRequest {
        id: &'a str,
        name: &'a str,
        args: &'a Value,
    },
    ToolResponse {
        id: &'a str,
        name: &'a str,
        content: &'a Value,
    },
    /// A part of a type this version does not know; shown as JSON.
    Other(&'a Value),
}

/// The parts of rich content, in order.
pub fn parts(content: &Value) -> Vec<Part<'_>> {
    match content {
        Value::String(s) => vec![Part::Text(s)],
        Value::Array(items) => items.iter().map(part).collect(),
        other => vec![part(other)],
    }
}

fn part(value: &Value) -> Part<'_> {
    let Some(obj) = value.as_object() else {
        return match value {
            Value::String(s) => Part::Text(s),
            other => Part::Other(other),
        };
    };
    let str_field = |k: &str| obj.get(k).and_then(Value::as_str);
    let ty = str_field("type").unwrap_or("");
    let null = &Value::Null;
    match ty {
        TOOL_REQUEST => Part::ToolRequest {
            id: str_field("id").unwrap_or(""),
            name: str_field("name").unwrap_or(""),
            args: obj.get("content").unwrap_or(null),
        },
        TOOL_RESPONSE => Part::ToolResponse {
            id: str_field("id").unwrap_or(""),
            name: str_field("name").unwrap_or(""),
            content: obj.get("content").unwrap_or(null),
        },
        "application/json" => Part::Json(obj.get("content").unwrap_or(null)),
        _ if ty.starts_with("image/") => Part::Image {
            mime: ty,
            base64: str_field("base64").unwrap_or(""),
            alt: str_field("alt"),
        },
        _ => Part::Other(value),
    }
}

/// Images anywhere in the content, tool responses included.
pub fn count_images(content: &Value) -> u32 {
    parts(content)
        .iter()
        .map(|p| match p {
            Part::Image { .. } => 1,
            Part::ToolResponse { content, .. } => count_images(content),
            _ => 0,
        })
        .sum()
}

/// What is wrong with each image whose base64 does not decode, tool responses included.
pub fn image_problems(content: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for part in parts(content) {
        match part {
            Part::Image { mime, base64, .. } => {
                if let Err(e) = crate::formats::json::check_base64(base64) {
                    out.push(format!("{mime} image: {e}"));
                }
            }
            Part::ToolResponse { content, .. } => out.extend(image_problems(content)),
            _ => {}
        }
    }
    out
}

/// The text a reader would see first: the first non-empty line of text, or a label for the
/// first non-text part.
pub fn first_line(content: &Value) -> String {
    for part in parts(content) {
        let line = match part {
            Part::Text(t) => match t.lines().map(str::trim).find(|l| !l.is_empty()) {
                Some(l) => l.to_string(),
                None => continue,
            },
            Part::Image { mime, alt, .. } => match alt {
                Some(alt) => format!("[{mime}: {alt}]"),
                None => format!("[{mime}]"),
            },
            Part::Json(v) => compact(v),
            Part::ToolRequest { name, args, .. } => format!("→ {name}({})", compact(args)),
            Part::ToolResponse { name, content, .. } => {
                format!("← {name}: {}", first_line(content))
            }
            Part::Other(v) => compact(v),
        };
        return line;
    }
    String::new()
}

/// Characters of what the model reads: text as is, other parts as their JSON.
pub fn char_count(content: &Value) -> u64 {
    parts(content)
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.chars().count() as u64,
            Part::Image { .. } => 0,
            Part::Json(v) | Part::Other(v) => compact(v).chars().count() as u64,
            Part::ToolRequest { name, args, .. } => {
                (name.chars().count() + compact(args).chars().count()) as u64
            }
            Part::ToolResponse { name, content, .. } => {
                name.chars().count() as u64 + char_count(content)
            }
        })
        .sum()
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_every_part_kind() {
        let content = json!([
            "hello",
            {"type": "image/png", "base64": "iVBO", "alt": "receipt"},
            {"type": "application/json", "content": {"a": 1}},
            {"type": TOOL_REQUEST, "id": "c1", "name": "add", "content": {"a": 2}},
            {"type": TOOL_RESPONSE, "id": "c1", "name": "add", "content": "5"},
            {"type": "audio/wav"}
        ]);
        let p = parts(&content);
        assert_eq!(p[0], Part::Text("hello"));
        assert!(matches!(
            p[1],
            Part::Image {
                mime: "image/png",
                alt: Some("receipt"),
                ..
            }
        ));
        assert!(matches!(p[2], Part::Json(_)));
        assert!(matches!(
            p[3],
            Part::ToolRequest {
                name: "add",
                id: "c1",
                ..
            }
        ));
        assert!(matches!(p[4], Part::ToolResponse { name: "add", .. }));
        assert!(matches!(p[5], Part::Other(_)));
        assert_eq!(count_images(&content), 1);
    }

    #[test]
    fn first_lines() {
        assert_eq!(
            first_line(&json!("\n\n  Plan my trip\nmore")),
            "Plan my trip"
        );
        assert_eq!(
            first_line(&json!([{"type": TOOL_REQUEST, "name": "f", "content": {"x": 1}}])),
            "→ f({\"x\":1})"
        );
        assert_eq!(
            first_line(&json!([{"type": "image/jpeg", "base64": ""}])),
            "[image/jpeg]"
        );
        assert_eq!(first_line(&json!([])), "");
    }

    #[test]
    fn nested_tool_response_images_count() {
        let content = json!([{"type": TOOL_RESPONSE, "name": "snap",
            "content": [{"type": "image/png", "base64": ""}, "caption"]}]);
        assert_eq!(count_images(&content), 1);
        assert_eq!(char_count(&json!("héllo")), 5);
    }
}
