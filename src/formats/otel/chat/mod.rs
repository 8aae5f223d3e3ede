//! The conversation an LLM span carries, by role, from whichever form its writer used:
//! GenAI semantic conventions (`gen_ai.input.messages` and friends, their event form, the
//! older per-role events, `gen_ai.prompt`/`completion`, indexed `gen_ai.prompt.0.content`),
//! MLflow's `mlflow.chat.messages`, or the OpenAI/Anthropic request and response MLflow
//! records as span inputs and outputs, and OpenInference's `llm.input_messages.N.*`. One
//! file per convention (`genai.rs`, `mlflow.rs`, `openinference.rs`); `message.rs` reads one
//! message in any provider's shape, `indexed.rs` puts flattened attributes back together.

mod genai;
mod indexed;
mod message;
mod mlflow;
mod openinference;
mod tools;

pub use tools::tools;

use super::{OtelSpan, decode_json_string};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant`, `tool`, ... as written.
    pub role: String,
    pub parts: Vec<ChatPart>,
    pub finish_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChatPart {
    Text(String),
    ToolCall {
        id: String,
        name: String,
        arguments: Value,
    },
    ToolResult {
        id: String,
        content: Value,
    },
    Reasoning(String),
    /// An image, audio or file, described (not shown).
    Media(String),
    Other(Value),
}

/// The tool each call id names, from the calls in `messages`: a tool result carries only
/// the id of the call it answers.
pub fn called_tools(messages: &[ChatMessage]) -> std::collections::HashMap<&str, &str> {
    messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|p| match p {
            ChatPart::ToolCall { id, name, .. } if !id.is_empty() => {
                Some((id.as_str(), name.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// Every message the span records, system instructions first, then input, then output.
pub fn messages(span: &OtelSpan) -> Vec<ChatMessage> {
    let sources: [fn(&OtelSpan) -> Vec<ChatMessage>; 7] = [
        genai::attributes,
        genai::details_event,
        genai::role_events,
        genai::prompt_completion,
        genai::indexed_attributes,
        openinference::messages,
        mlflow::messages,
    ];
    sources
        .iter()
        .map(|read| read(span))
        .find(|m| !m.is_empty())
        .unwrap_or_default()
}

/// An attribute's value, with JSON carried in a string decoded.
pub(super) fn attr_value(attrs: &[(String, Value)], key: &str) -> Option<Value> {
    let (_, v) = attrs.iter().find(|(k, _)| k == key)?;
    let v = match v {
        Value::String(s) => decode_json_string(s),
        other => other.clone(),
    };
    (!v.is_null()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::otel::OtelEvent;
    use serde_json::json;

    fn span(attrs: Vec<(&str, Value)>, events: Vec<OtelEvent>) -> OtelSpan {
        OtelSpan {
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            events,
            ..OtelSpan::default()
        }
    }

    fn roles(m: &[ChatMessage]) -> Vec<&str> {
        m.iter().map(|m| m.role.as_str()).collect()
    }

    #[test]
    fn genai_messages_as_json_strings() {
        let s = span(
            vec![
                (
                    "gen_ai.system_instructions",
                    json!("[{\"type\":\"text\",\"content\":\"Be brief.\"}]"),
                ),
                (
                    "gen_ai.input.messages",
                    json!(
                        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"
                    ),
                ),
                (
                    "gen_ai.output.messages",
                    json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                    {"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Lisbon"}}]}]),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[0].parts, [ChatPart::Text("Be brief.".into())]);
        assert_eq!(m[1].parts, [ChatPart::Text("hi".into())]);
        assert_eq!(m[2].finish_reason.as_deref(), Some("tool_call"));
        assert!(matches!(&m[2].parts[0], ChatPart::ToolCall { name, .. } if name == "weather"));
    }

    #[test]
    fn older_role_events_and_choices() {
        let event = |name: &str, attrs: Vec<(&str, Value)>| OtelEvent {
            name: name.into(),
            time_ns: None,
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        let s = span(
            vec![],
            vec![
                event("gen_ai.system.message", vec![("content", json!("sys"))]),
                event("gen_ai.user.message", vec![("content", json!("question"))]),
                event(
                    "gen_ai.choice",
                    vec![
                        (
                            "message",
                            json!("{\"role\":\"assistant\",\"content\":\"answer\"}"),
                        ),
                        ("finish_reason", json!("stop")),
                    ],
                ),
            ],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[2].parts, [ChatPart::Text("answer".into())]);
        assert_eq!(m[2].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn indexed_prompt_attributes() {
        let s = span(
            vec![
                ("gen_ai.prompt.0.role", json!("system")),
                ("gen_ai.prompt.0.content", json!("s")),
                ("gen_ai.prompt.1.content", json!("u")),
                ("gen_ai.completion.0.content", json!("a")),
            ],
            vec![],
        );
        assert_eq!(roles(&messages(&s)), ["system", "user", "assistant"]);
    }

    #[test]
    fn openllmetry_tool_calls_and_results() {
        let s = span(
            vec![
                ("gen_ai.prompt.0.role", json!("user")),
                ("gen_ai.prompt.0.content", json!("Weather?")),
                ("gen_ai.prompt.1.role", json!("assistant")),
                ("gen_ai.prompt.1.tool_calls.0.id", json!("call_1")),
                ("gen_ai.prompt.1.tool_calls.0.name", json!("get_weather")),
                (
                    "gen_ai.prompt.1.tool_calls.0.arguments",
                    json!("{\"city\": \"Lisbon\"}"),
                ),
                ("gen_ai.prompt.2.role", json!("tool")),
                ("gen_ai.prompt.2.tool_call_id", json!("call_1")),
                ("gen_ai.prompt.2.content", json!("sunny")),
                ("gen_ai.completion.0.role", json!("assistant")),
                ("gen_ai.completion.0.content", json!("Sunny in Lisbon.")),
                ("gen_ai.completion.0.finish_reason", json!("stop")),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["user", "assistant", "tool", "assistant"]);
        assert_eq!(
            m[1].parts,
            [ChatPart::ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: json!({"city": "Lisbon"})
            }],
            "not an empty assistant message"
        );
        assert_eq!(
            m[2].parts,
            [ChatPart::ToolResult {
                id: "call_1".into(),
                content: json!("sunny")
            }]
        );
        assert_eq!(m[3].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn mlflow_openai_request_and_response() {
        let s = span(
            vec![
                (
                    "mlflow.spanInputs",
                    json!({"model": "gpt-4o-mini", "messages": [
                    {"role": "system", "content": "sys"},
                    {"role": "user", "content": [{"type": "text", "text": "look"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
                    {"role": "assistant", "content": null, "tool_calls": [
                        {"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}]},
                    {"role": "tool", "tool_call_id": "t1", "content": "42"}]}),
                ),
                (
                    "mlflow.spanOutputs",
                    json!({"choices": [{"message": {"role": "assistant", "content": "done"},
                    "finish_reason": "stop"}]}),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(
            roles(&m),
            ["system", "user", "assistant", "tool", "assistant"]
        );
        assert!(matches!(&m[1].parts[1], ChatPart::Media(d) if d.contains("data URL")));
        assert_eq!(
            m[2].parts,
            [ChatPart::ToolCall {
                id: "t1".into(),
                name: "f".into(),
                arguments: json!({"x": 1})
            }]
        );
        assert_eq!(
            m[3].parts,
            [ChatPart::ToolResult {
                id: "t1".into(),
                content: json!("42")
            }]
        );
        assert_eq!(m[4].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn anthropic_response_blocks() {
        let s = span(
            vec![
                (
                    "mlflow.spanInputs",
                    json!({"system": "sys", "messages": [{"role": "user", "content": "q"}]}),
                ),
                (
                    "mlflow.spanOutputs",
                    json!({"role": "assistant", "content": [
                    {"type": "text", "text": "a"},
                    {"type": "tool_use", "id": "u1", "name": "g", "input": {"y": 2}}]}),
                ),
            ],
            vec![],
        );
        let m = messages(&s);
        assert_eq!(roles(&m), ["system", "user", "assistant"]);
        assert_eq!(m[2].parts.len(), 2);
    }

    #[test]
    fn spans_without_a_conversation_have_none() {
        let s = span(
            vec![("mlflow.spanInputs", json!({"question": "q"}))],
            vec![],
        );
        assert!(messages(&s).is_empty());
    }
}
