//! Token usage as providers report it, in whichever shape a response carries: OpenAI's
//! `usage {prompt_tokens, completion_tokens, total_tokens}`, the Responses API's and
//! Anthropic's `usage {input_tokens, output_tokens}`, Gemini's `usageMetadata
//! {promptTokenCount, candidatesTokenCount, totalTokenCount}`.

use crate::model::Usage;
use serde_json::Value;

/// The usage a response object reports, if it reports any.
pub fn from_response(response: &Value) -> Option<Usage> {
    response.get("usage").and_then(from_counts).or_else(|| {
        let meta = response.get("usageMetadata")?;
        let n = |k: &str| meta.get(k).and_then(number);
        nonempty(Usage {
            input: n("promptTokenCount"),
            output: n("candidatesTokenCount"),
            total: n("totalTokenCount"),
        })
    })
}

/// A usage object itself: `{input_tokens, output_tokens, total_tokens}` (Anthropic, the
/// Responses API, MLflow) or `{prompt_tokens, completion_tokens, total_tokens}` (OpenAI).
pub fn from_counts(v: &Value) -> Option<Usage> {
    let n = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(number));
    nonempty(Usage {
        input: n(&["input_tokens", "prompt_tokens"]),
        output: n(&["output_tokens", "completion_tokens"]),
        total: n(&["total_tokens"]),
    })
}

/// A count given as a number or a numeric string (OTLP's int64 travels as a string).
pub fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn nonempty(usage: Usage) -> Option<Usage> {
    (usage != Usage::default()).then_some(usage)
}

/// Usage added up; a side missing everywhere stays missing.
pub fn sum(items: impl IntoIterator<Item = Usage>) -> Option<Usage> {
    let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    };
    items.into_iter().fold(None, |acc, u| {
        let acc: Usage = acc.unwrap_or_default();
        Some(Usage {
            input: add(acc.input, u.input),
            output: add(acc.output, u.output),
            total: add(acc.total(), u.total()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_shape() {
        let openai =
            json!({"usage": {"prompt_tokens": 632, "completion_tokens": 75, "total_tokens": 707}});
        assert_eq!(
            from_response(&openai),
            Some(Usage {
                input: Some(632),
                output: Some(75),
                total: Some(707)
            })
        );
        let anthropic = json!({"usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 0}});
        let u = from_response(&anthropic).expect("usage");
        assert_eq!(
            (u.input, u.output, u.total(), u.total),
            (Some(10), Some(5), Some(15), None)
        );
        let gemini = json!({"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4, "totalTokenCount": 7}});
        assert_eq!(from_response(&gemini).and_then(|u| u.total), Some(7));
        assert_eq!(from_response(&json!({"usage": {}})), None);
        assert_eq!(from_response(&json!({"usage": null})), None);
        assert_eq!(from_response(&json!([1])), None);
    }

    #[test]
    fn sums() {
        let a = Usage {
            input: Some(1),
            output: None,
            total: Some(1),
        };
        let b = Usage {
            input: Some(2),
            output: Some(3),
            total: None,
        };
        assert_eq!(
            sum([a, b]),
            Some(Usage {
                input: Some(3),
                output: Some(3),
                total: Some(6)
            })
        );
        assert_eq!(sum([]), None);
    }
}
