//! `.result.json`: `{"messages": [...], "schema"?, "tools"?, "runtime"?}`, where with chat
//! off `messages` is the rich content itself.

use super::parts;
use crate::model::{MessageSummary, PromptSummary};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub speaker: String,
    pub content: Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PomlResult {
    pub chat: bool,
    pub messages: Vec<Message>,
    /// The prompt itself when poml ran with chat off.
    pub content: Option<Value>,
    pub tools: Option<Value>,
    pub schema: Option<Value>,
    pub runtime: Option<Value>,
}

const FIRST_LINE_MAX: usize = 200;

impl PomlResult {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        Self::from_value(crate::formats::json::parse(bytes)?)
    }

    pub fn from_value(value: Value) -> Result<Self, String> {
        let Value::Object(mut obj) = value else {
            return Err("expected a JSON object with \"messages\"".into());
        };
        let mut result = PomlResult {
            tools: obj.remove("tools"),
            schema: obj.remove("schema"),
            runtime: obj.remove("runtime"),
            ..Default::default()
        };
        match obj.remove("messages") {
            Some(Value::Array(items)) if items.iter().all(is_message) => {
                result.chat = true;
                result.messages = items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::Object(mut m) => Some(Message {
                            speaker: match m.remove("speaker") {
                                Some(Value::String(s)) => s,
                                _ => String::new(),
                            },
                            content: m.remove("content").unwrap_or(Value::Null),
                        }),
                        _ => None,
                    })
                    .collect();
            }
            Some(content) => result.content = Some(content),
            None => return Err("no \"messages\" key".into()),
        }
        Ok(result)
    }

    /// Every piece of rich content: each message's, or the chat-off content.
    pub fn contents(&self) -> impl Iterator<Item = &Value> {
        self.messages
            .iter()
            .map(|m| &m.content)
            .chain(self.content.as_ref())
    }

    pub fn summary(&self) -> PromptSummary {
        PromptSummary {
            chat: self.chat,
            messages: self
                .messages
                .iter()
                .map(|m| MessageSummary {
                    speaker: m.speaker.as_str().into(),
                    first_line: cut(&parts::first_line(&m.content)).into(),
                })
                .collect(),
            images: self.contents().map(parts::count_images).sum(),
            tool_names: self
                .tools
                .as_ref()
                .and_then(Value::as_array)
                .map(|tools| {
                    tools
                        .iter()
                        .map(|t| t.get("name").and_then(Value::as_str).unwrap_or("?").into())
                        .collect()
                })
                .unwrap_or_default(),
            tool_calls: self
                .messages
                .iter()
                .flat_map(|m| parts::parts(&m.content))
                .filter_map(|p| match p {
                    parts::Part::ToolRequest { id, name, .. } => Some((id.into(), name.into())),
                    _ => None,
                })
                .collect(),
            has_schema: self.schema.is_some(),
            has_runtime: self.runtime.is_some(),
            chars: self.contents().map(parts::char_count).sum(),
            usage: None,
        }
    }
}

/// A chat message is an object with a string speaker; anything else means chat was off.
fn is_message(item: &Value) -> bool {
    item.get("speaker").is_some_and(Value::is_string)
}

fn cut(line: &str) -> String {
    match line.char_indices().nth(FIRST_LINE_MAX) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_result() {
        let r = PomlResult::parse(
            br#"{"messages":[{"speaker":"system","content":"Be brief."},
                {"speaker":"human","content":["Look:",{"type":"image/png","base64":"x"}]}],
                "tools":[{"type":"function","name":"add"}],"runtime":{"temperature":0.2}}"#,
        )
        .expect("valid");
        assert!(r.chat);
        let s = r.summary();
        assert_eq!(s.messages.len(), 2);
        assert_eq!(&*s.messages[1].speaker, "human");
        assert_eq!(&*s.messages[1].first_line, "Look:");
        assert_eq!(s.images, 1);
        assert_eq!(s.tool_names, vec![Box::from("add")]);
        assert!(s.has_runtime && !s.has_schema);
    }

    #[test]
    fn chat_off_string_and_content_list() {
        let r = PomlResult::parse(br#"{"messages":"Just text","schema":{}}"#).expect("valid");
        assert!(!r.chat);
        assert!(r.messages.is_empty());
        assert_eq!(r.content, Some(Value::String("Just text".into())));
        let r = PomlResult::parse(
            br#"{"messages":["a",{"type":"image/png","base64":""},{"type":"image/png","base64":""}]}"#,
        )
        .expect("valid");
        assert!(!r.chat);
        assert_eq!(r.summary().images, 2);
    }

    #[test]
    fn shape_errors() {
        assert!(PomlResult::parse(b"[]").is_err());
        assert!(PomlResult::parse(b"{}").unwrap_err().contains("messages"));
    }

    #[test]
    fn long_first_lines_are_cut() {
        let long = "x".repeat(500);
        assert_eq!(cut(&long).chars().count(), FIRST_LINE_MAX + 1);
    }
}
