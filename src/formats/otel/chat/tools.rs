//! The tools a model was offered, from whichever convention recorded them: GenAI's
//! `gen_ai.tool.definitions`, MLflow's `mlflow.chat.tools`, OpenInference's
//! `llm.tools.N.tool.json_schema`, OpenLLMetry's `llm.request.functions.N.*`. Each comes out
//! as `{"name", "description", "parameters"}`, the shape POML calls record.

use super::attr_value;
use super::indexed::unflatten;
use crate::formats::otel::{OtelSpan, decode_json_string};
use serde_json::{Value, json};

pub fn tools(span: &OtelSpan) -> Vec<Value> {
    let attrs = &span.attributes;
    let listed = ["gen_ai.tool.definitions", "mlflow.chat.tools"]
        .iter()
        .find_map(|k| match attr_value(attrs, k) {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        });
    if let Some(items) = listed {
        return items.iter().map(definition).collect();
    }
    if let Some(Value::Array(items)) = unflatten(attrs, "llm.tools.") {
        return items
            .iter()
            .map(|t| json_in(t.pointer("/tool/json_schema").unwrap_or(t)))
            .map(|t| definition(&t))
            .collect();
    }
    if let Some(Value::Array(items)) = unflatten(attrs, "llm.request.functions.") {
        return items.iter().map(definition).collect();
    }
    Vec::new()
}

/// One tool in OpenAI's (`{"type": "function", "function": {...}}`), Anthropic's
/// (`input_schema`) or a flat shape.
fn definition(v: &Value) -> Value {
    let f = v.get("function").filter(|f| f.is_object()).unwrap_or(v);
    let Some(obj) = f.as_object() else {
        return v.clone();
    };
    json!({
        "name": obj.get("name").cloned().unwrap_or(Value::Null),
        "description": obj.get("description").cloned().unwrap_or(Value::Null),
        "parameters": obj
            .get("parameters")
            .or_else(|| obj.get("input_schema"))
            .map_or(Value::Null, json_in),
    })
}

/// A value that holds JSON, decoded if it was written as a string of it.
fn json_in(v: &Value) -> Value {
    match v {
        Value::String(s) => decode_json_string(s),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(attrs: &[(&str, Value)]) -> OtelSpan {
        OtelSpan {
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
            ..OtelSpan::default()
        }
    }

    fn names(tools: &[Value]) -> Vec<&str> {
        tools.iter().filter_map(|t| t["name"].as_str()).collect()
    }

    #[test]
    fn every_convention_gives_name_description_parameters() {
        let openai = json!({"type": "function", "function": {"name": "get_weather",
            "description": "Weather by city", "parameters": {"type": "object"}}});
        let cases = [
            span(&[(
                "gen_ai.tool.definitions",
                json!(json!([openai.clone()]).to_string()),
            )]),
            span(&[("mlflow.chat.tools", json!([openai.clone()]))]),
            span(&[("llm.tools.0.tool.json_schema", json!(openai.to_string()))]),
            span(&[
                ("llm.request.functions.0.name", json!("get_weather")),
                (
                    "llm.request.functions.0.description",
                    json!("Weather by city"),
                ),
                (
                    "llm.request.functions.0.parameters",
                    json!("{\"type\": \"object\"}"),
                ),
            ]),
        ];
        for s in cases {
            let t = tools(&s);
            assert_eq!(names(&t), ["get_weather"], "{:?}", s.attributes);
            assert_eq!(t[0]["description"], "Weather by city");
            assert_eq!(t[0]["parameters"], json!({"type": "object"}));
        }
        assert!(tools(&span(&[("x", json!(1))])).is_empty());
    }
}
