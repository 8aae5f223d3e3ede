//! Token usage a span reports, in any of the spellings: GenAI (`gen_ai.usage.*`, with the
//! older `prompt_tokens`/`completion_tokens`), MLflow's `mlflow.chat.tokenUsage`, or the
//! `usage` of an OpenAI or Anthropic response recorded as the span's output.

use super::OtelSpan;
use crate::formats::usage::{from_counts, number};
use crate::model::Usage;

pub fn usage(span: &OtelSpan) -> Option<Usage> {
    genai(span)
        .or_else(|| span.attr("mlflow.chat.tokenUsage").and_then(from_counts))
        .or_else(|| {
            span.attr("mlflow.spanOutputs")
                .and_then(|o| o.get("usage"))
                .and_then(from_counts)
        })
}

fn genai(span: &OtelSpan) -> Option<Usage> {
    let n = |keys: &[&str]| keys.iter().find_map(|k| span.attr(k).and_then(number));
    let usage = Usage {
        input: n(&[
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.prompt_tokens",
            "llm.token_count.prompt",
        ]),
        output: n(&[
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.completion_tokens",
            "llm.token_count.completion",
        ]),
        total: n(&[
            "gen_ai.usage.total_tokens",
            "llm.usage.total_tokens",
            "llm.token_count.total",
        ]),
    };
    (usage != Usage::default()).then_some(usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use serde_json::json;

    fn span(attrs: Vec<(&str, Value)>) -> OtelSpan {
        OtelSpan {
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ..OtelSpan::default()
        }
    }

    #[test]
    fn every_spelling() {
        let u = |input, output, total| {
            Some(Usage {
                input,
                output,
                total,
            })
        };
        assert_eq!(
            usage(&span(vec![
                ("gen_ai.usage.input_tokens", json!("42")),
                ("gen_ai.usage.output_tokens", json!(7))
            ])),
            u(Some(42), Some(7), None)
        );
        assert_eq!(
            usage(&span(vec![("gen_ai.usage.prompt_tokens", json!(3))])),
            u(Some(3), None, None)
        );
        assert_eq!(
            usage(&span(vec![(
                "mlflow.chat.tokenUsage",
                json!({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3})
            )])),
            u(Some(1), Some(2), Some(3))
        );
        assert_eq!(
            usage(&span(vec![(
                "mlflow.spanOutputs",
                json!({"usage": {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11}})
            )])),
            u(Some(5), Some(6), Some(11))
        );
        assert_eq!(usage(&span(vec![("x", json!(1))])), None);
    }
}
