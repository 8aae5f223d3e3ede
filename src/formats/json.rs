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

/// How deep a payload may nest before it is left out: well inside serde_json's limit (127
/// levels) even once `dump` wraps it in its own five, so anything let through can be parsed
/// again by the UI and by whoever reads the dump.
pub const MAX_DEPTH: usize = 100;

/// Whether raw JSON nests deeper than `MAX_DEPTH` (arrays and objects; strings skipped).
pub fn too_deep(raw: &[u8]) -> bool {
    // Each level costs at least one byte.
    if raw.len() <= MAX_DEPTH {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in raw {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether base64 text decodes (standard alphabet, padding optional, whitespace ignored),
/// checked without decoding it: a located reason when it does not.
pub fn check_base64(text: &str) -> Result<(), String> {
    let mut digits = 0usize;
    let mut padding = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' if padding == 0 => digits += 1,
            '=' if padding < 2 => padding += 1,
            c if c.is_ascii_whitespace() => {}
            c => {
                return Err(format!("base64 does not decode: {:?} at character {at}", c));
            }
        }
    }
    let ok = match digits % 4 {
        0 => padding == 0,
        2 => padding == 0 || padding == 2,
        3 => padding <= 1,
        _ => false,
    };
    if digits == 0 {
        Err("base64 is empty".into())
    } else if ok {
        Ok(())
    } else {
        Err(format!(
            "base64 does not decode: {digits} digits with {padding} '=' is not a whole number of bytes"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_matches_the_parser_limit() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!too_deep(nested(MAX_DEPTH).as_bytes()));
        assert!(too_deep(nested(MAX_DEPTH + 1).as_bytes()));
        // Where dump puts a payload: {"sessions":[{"spans":[{"input": ...}]}]}.
        let in_dump = format!(
            "{{\"sessions\":[{{\"spans\":[{{\"input\":{}}}]}}]}}",
            nested(MAX_DEPTH)
        );
        assert!(serde_json::from_str::<Value>(&in_dump).is_ok());
        // Brackets inside strings do not count.
        let quoted = format!("[\"{}\\\"{}\"]", "[".repeat(500), "{".repeat(500));
        assert!(!too_deep(quoted.as_bytes()));
        let objects = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
        assert!(too_deep(objects.as_bytes()));
    }

    #[test]
    fn base64_is_checked_like_the_decoder_would() {
        use base64::Engine as _;
        for good in [
            "aGk=",
            "aGk",
            "aGVsbG8=",
            "aGVs\nbG8=",
            "YQ==",
            "YQ",
            "AAAA",
        ] {
            assert_eq!(check_base64(good), Ok(()), "{good}");
            let cleaned: String = good.split_whitespace().collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&cleaned)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&cleaned));
            assert!(decoded.is_ok(), "{good}");
        }
        for bad in ["!!!not base64@@", "a", "aGk==", "aG=k", "", "a===", "aGk=="] {
            assert!(check_base64(bad).is_err(), "{bad}");
        }
    }

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
