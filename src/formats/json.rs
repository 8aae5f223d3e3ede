//! JSON helpers shared by the formats: validation with located errors, `__base64__` buffers.

use serde::de::IgnoredAny;
use serde_json::Value;

/// Parse `bytes` as JSON, turning every failure into one short located sentence.
pub fn parse(bytes: &[u8]) -> Result<Value, String> {
    check_utf8(bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    serde_json::from_slice(bytes).map_err(describe)
}

/// Check that `bytes` are one JSON value, without building it.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    check_utf8(bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    serde_json::from_slice::<IgnoredAny>(bytes)
        .map(|_| ())
        .map_err(describe)
}

fn check_utf8(bytes: &[u8]) -> Result<(), String> {
    std::str::from_utf8(bytes)
        .map(|_| ())
        .map_err(|e| format!("not UTF-8: invalid byte at offset {}", e.valid_up_to()))
}

/// serde_json's own message already says where ("... at line 70 column 13").
pub fn describe(e: serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "truncated JSON",
        Category::Syntax => "invalid JSON",
        Category::Data => "unexpected JSON",
        Category::Io => "unreadable",
    };
    format!("{what}: {e}")
}

/// poml writes Node Buffers as `{"__base64__": "<b64>"}`; this finds that string.
pub fn base64_buffer(value: &Value) -> Option<&str> {
    let obj = value.as_object()?;
    match obj.get("__base64__")? {
        Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_located_and_classified() {
        let err = parse(br#"{"messages": [1, "#).unwrap_err();
        assert!(err.starts_with("truncated JSON"), "{err}");
        assert!(err.contains("line 1 column"), "{err}");
        assert_eq!(parse(b"  \n").unwrap_err(), "empty file");
        assert_eq!(
            parse(b"{\"a\": \"\xff\"}").unwrap_err(),
            "not UTF-8: invalid byte at offset 7"
        );
        assert!(validate(b"{} x").unwrap_err().starts_with("invalid JSON"));
        assert!(validate(b"[1, {\"a\": null}]").is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .contains("recursion limit")
        );
        assert!(validate(deep.as_bytes()).is_err());
    }

    #[test]
    fn base64_buffers_are_recognised() {
        let v: Value = serde_json::json!({"__base64__": "aGk="});
        assert_eq!(base64_buffer(&v), Some("aGk="));
        assert_eq!(base64_buffer(&serde_json::json!({"__base64__": ""})), None);
        assert_eq!(base64_buffer(&serde_json::json!("x")), None);
    }
}
