//! Messages flattened into indexed attributes (`gen_ai.prompt.0.content`,
//! `llm.input_messages.0.message.tool_calls.1.tool_call.function.name`), put back into the
//! JSON they stand for, so they are read as any message is.

use serde_json::{Map, Value};

/// The attributes under `prefix` (`gen_ai.prompt.`) as the JSON they flatten:
/// `0.tool_calls.1.name` becomes `[{"tool_calls": [.., {"name": ..}]}]`. Numeric keys make
/// arrays in index order (sparse indexes close up: an index of a billion costs nothing).
/// Values stay as written (a message's text may look like JSON and is still text); those
/// that hold JSON by definition (arguments, schemas) are decoded where they are read.
/// `None` when no attribute has the prefix.
pub(super) fn unflatten(attrs: &[(String, Value)], prefix: &str) -> Option<Value> {
    let mut root = Map::new();
    let mut any = false;
    for (key, value) in attrs {
        let Some(rest) = key.strip_prefix(prefix) else {
            continue;
        };
        let segments: Vec<&str> = rest.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            continue;
        }
        any = true;
        insert(&mut root, &segments, value);
    }
    any.then(|| arrays(Value::Object(root)))
}

fn insert(node: &mut Map<String, Value>, segments: &[&str], value: &Value) {
    let [first, rest @ ..] = segments else {
        return;
    };
    if rest.is_empty() {
        // A key that is both a leaf and a branch keeps the branch.
        node.entry(first.to_string())
            .or_insert_with(|| value.clone());
        return;
    }
    let child = node
        .entry(first.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    if let Value::Object(map) = child {
        insert(map, rest, value);
    }
}

/// Objects whose keys are all indexes become arrays, in index order.
fn arrays(value: Value) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    let all_indexes = !map.is_empty() && map.keys().all(|k| k.parse::<u64>().is_ok());
    let map: Map<String, Value> = map.into_iter().map(|(k, v)| (k, arrays(v))).collect();
    if !all_indexes {
        return Value::Object(map);
    }
    let mut items: Vec<(u64, Value)> = map
        .into_iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
        .collect();
    items.sort_by_key(|(i, _)| *i);
    Value::Array(items.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn indexes_become_arrays_in_order() {
        let a = attrs(&[
            ("p.1.role", json!("assistant")),
            ("p.0.role", json!("user")),
            ("p.0.content", json!("hi")),
            ("p.1.tool_calls.0.name", json!("f")),
            ("p.1.tool_calls.0.arguments", json!("{\"x\":1}")),
            ("other", json!(1)),
        ]);
        assert_eq!(
            unflatten(&a, "p."),
            Some(json!([
                {"role": "user", "content": "hi"},
                {"role": "assistant", "tool_calls": [{"name": "f", "arguments": "{\"x\":1}"}]}
            ]))
        );
        assert_eq!(unflatten(&a, "q."), None);
    }

    #[test]
    fn sparse_and_hostile_indexes_cost_nothing() {
        let a = attrs(&[
            ("p.4000000000.content", json!("late")),
            ("p.2.content", json!("early")),
            ("p..content", json!("no index")),
            ("p.2.content.deeper", json!("a leaf and a branch")),
        ]);
        let v = unflatten(&a, "p.").expect("some");
        let items = v.as_array().expect("array");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["content"], "late");
    }
}
