//! A PML span's content, read back from its events: tool, input, output, error, and the
//! events themselves.

use crate::formats::bytes::ByteSource;
use crate::model::{EventRef, LineRef};
use serde_json::Value;

#[derive(Debug, Default, PartialEq)]
pub struct Body {
    /// Each event the span was built from, parsed, with where it is.
    pub events: Vec<(LineRef, Value)>,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<Value>,
    /// What could not be read back.
    pub problems: Vec<String>,
}

const INPUT: [&str; 2] = ["input", "args"];
const OUTPUT: [&str; 3] = ["output", "result", "resultSummary"];
const ERROR: [&str; 2] = ["error", "errorMessage"];

pub fn read(event: &EventRef, source: &mut dyn ByteSource) -> Body {
    let mut body = Body::default();
    for at in [event.first, event.end].into_iter().flatten() {
        match source.read(&event.file, at).and_then(|b| parse(&b)) {
            Ok((v, left_out)) => {
                if !left_out.is_empty() {
                    // Said as the reader said it when the line was first read.
                    body.problems.push(format!(
                        "line {}: {} nested deeper than {} levels; left out",
                        at.number(),
                        left_out.join(" and "),
                        crate::formats::json::MAX_DEPTH
                    ));
                }
                body.events.push((at, v));
            }
            Err(e) => body.problems.push(format!("line {}: {e}", at.number())),
        }
    }
    // A task's content is its entry in the trace's taskResults.
    let task = event.task().and_then(|i| {
        let (_, trace) = body.events.first()?;
        trace
            .get("taskResults")
            .or_else(|| trace.get("task_results"))?
            .get(i)
            .cloned()
    });
    let sources: Vec<&Value> = match &task {
        Some(t) => vec![t],
        None => body.events.iter().map(|(_, v)| v).collect(),
    };
    let pick = |keys: &[&str]| {
        sources
            .iter()
            .rev()
            .find_map(|v| keys.iter().find_map(|k| v.get(*k).filter(|x| !x.is_null())))
            .cloned()
    };
    body.input = pick(&INPUT);
    body.output = pick(&OUTPUT);
    body.error = pick(&ERROR);
    body
}

/// One event's JSON, and the fields left out of it for nesting too deep to parse;
/// SSE payloads spread over several `data:` lines are joined first.
fn parse(bytes: &[u8]) -> Result<(Value, Vec<String>), String> {
    match crate::formats::json::parse(bytes) {
        Ok(v) => Ok((v, Vec::new())),
        Err(e) => match without_deep_fields(bytes) {
            Some(shallow) => Ok(shallow),
            None => parse_sse(bytes, e).map(|v| (v, Vec::new())),
        },
    }
}

/// The event without its fields nested deeper than a JSON parser goes (the reader left
/// them out too), when that is what kept it from parsing.
fn without_deep_fields(bytes: &[u8]) -> Option<(Value, Vec<String>)> {
    use serde_json::value::RawValue;
    let fields: Vec<(String, Box<RawValue>)> =
        serde_json::from_slice::<std::collections::BTreeMap<String, Box<RawValue>>>(bytes)
            .ok()?
            .into_iter()
            .collect();
    let mut map = serde_json::Map::new();
    let mut left_out = Vec::new();
    for (key, raw) in fields {
        if crate::formats::json::too_deep(raw.get().as_bytes()) {
            left_out.push(key);
        } else {
            map.insert(key, serde_json::from_str(raw.get()).ok()?);
        }
    }
    (!left_out.is_empty()).then_some((Value::Object(map), left_out))
}

fn parse_sse(bytes: &[u8], e: String) -> Result<Value, String> {
    let text = String::from_utf8_lossy(bytes);
    if !text.contains("\ndata:") {
        return Err(e);
    }
    let joined: Vec<&str> = text
        .split('\n')
        .map(|l| {
            l.strip_prefix("data:")
                .map_or(l, |d| d.strip_prefix(' ').unwrap_or(d))
        })
        .collect();
    crate::formats::json::parse(joined.join("\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::bytes::WholeFiles;
    use std::sync::Arc;

    #[test]
    fn a_pair_takes_input_from_the_start_and_output_from_the_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e.jsonl");
        let start = br#"{"type":"tool_start","traceId":"t","args":{"q":1}}"#;
        let end = br#"{"type":"tool_end","traceId":"t","result":[1,2],"error":null}"#;
        let mut file = start.to_vec();
        file.push(b'\n');
        file.extend_from_slice(end);
        std::fs::write(&path, &file).expect("write");
        let event = EventRef {
            file: Arc::from(path.as_path()),
            first: Some(LineRef::new(1, 0, start.len())),
            end: Some(LineRef::new(2, start.len() as u64 + 1, end.len())),
            task: None,
            fields: Default::default(),
        };
        let body = read(&event, &mut WholeFiles::default());
        assert_eq!(body.input, Some(serde_json::json!({"q": 1})));
        assert_eq!(body.output, Some(serde_json::json!([1, 2])));
        assert_eq!(body.error, None, "null is no error");
        assert_eq!(body.events.len(), 2);
    }

    #[test]
    fn a_field_nested_too_deep_is_left_out_and_said_as_the_reader_says_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e.jsonl");
        let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        let line = format!(
            r#"{{"type":"tool_call","id":"b","tool":"fs:write","input":{deep},"output":{{"ok":true}}}}"#
        );
        std::fs::write(&path, &line).expect("write");
        let event = EventRef {
            file: Arc::from(path.as_path()),
            first: Some(LineRef::new(1, 0, line.len())),
            end: None,
            task: None,
            fields: Default::default(),
        };
        let body = read(&event, &mut WholeFiles::default());
        assert_eq!(
            body.problems,
            ["line 1: input nested deeper than 100 levels; left out"]
        );
        assert_eq!(body.input, None);
        assert_eq!(body.output, Some(serde_json::json!({"ok": true})));
        assert_eq!(body.events.len(), 1, "the rest of the event is shown");
        assert_eq!(body.events[0].1["tool"], "fs:write");
    }
}
