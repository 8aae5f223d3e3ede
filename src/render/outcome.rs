//! A render judged against what the trace recorded: unchanged only when the renderer gave
//! back exactly the recorded result (messages, tools, schema, runtime, as JSON values); a
//! call with nothing usable recorded, or a render that failed, is never "unchanged".

use super::{Failure, Job};
use crate::compare::{Comparison, diff, sections};
use crate::formats::poml::PomlResult;
use crate::formats::poml::call::PARSE_LIMIT;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Unchanged,
    Changed,
    /// Rendered, but the trace holds nothing to compare with (why).
    NoRecord(String),
    Failed(Failure),
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Changed => "changed",
            Verdict::NoRecord(_) => "no-record",
            Verdict::Failed(_) => "error",
        }
    }

    /// 0 unchanged, 1 changed, 2 anything that is not an answer.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Unchanged => 0,
            Verdict::Changed => 1,
            Verdict::NoRecord(_) | Verdict::Failed(_) => 2,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub rendered: Option<Value>,
    pub verdict: Verdict,
    /// The recorded prompt against the new one, when both are there.
    pub comparison: Option<Comparison>,
}

/// Judge `rendered` (the renderer's answer for `job`) against the call's `.result.json`.
pub fn judge(job: &Job, rendered: Result<Value, Failure>) -> Outcome {
    let rendered = match rendered {
        Ok(v) => v,
        Err(f) => {
            return Outcome {
                rendered: None,
                verdict: Verdict::Failed(f),
                comparison: None,
            };
        }
    };
    let recorded = match job.call.read(".result.json", PARSE_LIMIT) {
        Ok(Some(bytes)) => serde_json::from_slice::<Value>(&bytes)
            .map_err(|e| format!("the recorded .result.json is not JSON ({e})")),
        Ok(None) => Err(
            "the call has no .result.json (its render failed when it was traced): nothing to compare with"
                .into(),
        ),
        Err(e) => Err(e),
    };
    let recorded = match recorded {
        Ok(v) if v.get("messages").is_some() => v,
        Ok(_) => {
            return Outcome {
                rendered: Some(rendered),
                verdict: Verdict::NoRecord(
                    "the recorded .result.json has no messages: nothing to compare with".into(),
                ),
                comparison: None,
            };
        }
        Err(why) => {
            return Outcome {
                rendered: Some(rendered),
                verdict: Verdict::NoRecord(why),
                comparison: None,
            };
        }
    };
    let verdict = if recorded == rendered {
        Verdict::Unchanged
    } else {
        Verdict::Changed
    };
    let old = sections::of_result(PomlResult::from_value(recorded), ".result.json");
    let new = sections::of_result(PomlResult::from_value(rendered.clone()), "the render");
    let new_label = match job.source.path() {
        Some(p) => format!("re-rendered from {}", p.display()),
        None => "re-rendered".to_string(),
    };
    Outcome {
        rendered: Some(rendered),
        verdict,
        comparison: Some(Comparison {
            old_label: format!("{} (recorded)", job.call.label()),
            new_label,
            diff: diff::compare(&old, &new, diff::CONTEXT),
        }),
    }
}
