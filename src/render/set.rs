//! `--set NAME=VALUE`: one context value replaced, given as JSON or, when it is not valid
//! JSON, as a string; dotted names reach into nested objects (`traveler.name`) and lists
//! (`legs.0.to`).

use serde_json::Value;

/// Apply `assignment` to `context`; objects along the way are made when missing. Says
/// whether the name was new to the context (a typo renders unchanged, so it is worth a word).
pub fn apply(context: &mut Value, assignment: &str) -> Result<bool, String> {
    let (name, raw) = assignment
        .split_once('=')
        .ok_or_else(|| format!("--set {assignment}: expected NAME=VALUE"))?;
    if name.is_empty() || name.split('.').any(str::is_empty) {
        return Err(format!("--set {assignment}: the name has an empty part"));
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    let new = context.pointer(&pointer(name)).is_none();
    let mut at = context;
    for key in name.split('.') {
        at = step(at, key).ok_or_else(|| {
            format!("--set {name}: {key} cannot be set inside a value that is not an object")
        })?;
    }
    *at = value;
    Ok(new)
}

/// A dotted name as a JSON pointer (`a.b` is `/a/b`).
fn pointer(name: &str) -> String {
    name.split('.')
        .map(|key| format!("/{}", key.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn step<'a>(at: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    if at.is_null() {
        *at = Value::Object(Default::default());
    }
    match at {
        Value::Object(map) => Some(map.entry(key.to_string()).or_insert(Value::Null)),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_string_nested_and_lists() {
        let mut ctx = json!({"a": 1, "t": {"name": "Ana"}, "legs": [{"to": "LIS"}]});
        apply(&mut ctx, "a=[1,2]").expect("json");
        apply(&mut ctx, "t.name=Bruno Lima").expect("string");
        apply(&mut ctx, "legs.0.to=\"FRA\"").expect("list");
        assert_eq!(apply(&mut ctx, "new.deep=true"), Ok(true), "new to it");
        assert_eq!(apply(&mut ctx, "t.name=Ana"), Ok(false), "there before");
        apply(&mut ctx, "eq=a=b").expect("first = splits");
        assert_eq!(
            ctx,
            json!({"a": [1,2], "t": {"name": "Ana"}, "legs": [{"to": "FRA"}],
                   "new": {"deep": true}, "eq": "a=b"})
        );
    }

    #[test]
    fn refusals() {
        let mut ctx = json!({"a": 1, "l": []});
        assert!(apply(&mut ctx, "novalue").is_err());
        assert!(apply(&mut ctx, "a.b=1").is_err());
        assert!(apply(&mut ctx, "l.3=1").is_err());
        assert!(apply(&mut ctx, "x..y=1").is_err());
    }
}
