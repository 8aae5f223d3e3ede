//! How MLflow and OTLP spell the values of a span: ids in hex or base64, times as integers,
//! strings or floats, attribute values JSON-encoded in strings.

use crate::model::time::{Nanos, clamp_time};
use serde_json::Value;

/// A JSON-encoded string decoded, or the string itself when it is not JSON (MLflow encodes
/// every attribute value; other writers put JSON in strings too).
pub fn decode_json_string(text: &str) -> Value {
    let trimmed = text.trim_start();
    let looks_json = trimmed.starts_with(['{', '[', '"'])
        || matches!(trimmed, "true" | "false" | "null")
        || trimmed.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if looks_json && let Ok(v) = serde_json::from_str::<Value>(text) {
        return v;
    }
    Value::String(text.to_string())
}

/// A time in nanoseconds since the epoch, as the writers spell it: a JSON integer, a
/// decimal string (OTLP/JSON's int64 mapping, MLflow's legacy form) or a float (lenient
/// writers, `1.7e18`). Values past `i64` saturate and every time is clamped like every time
/// from a trace, so differences of two fit in a `Nanos`. Zero is a time here; OTLP, where it
/// means unset, drops it itself.
pub fn unix_nanos(v: &Value) -> Option<Nanos> {
    let ns = match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => {
            let s = s.trim();
            let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Saturating, like a number that does not fit.
            s.parse::<i64>().unwrap_or(if s.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            })
        }
        _ => return None,
    };
    Some(clamp_time(ns))
}

/// Lowercase hex of raw id bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    // Only ASCII digits were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// `bytes` as lowercase hex, appended to `out` (ids are written for every received span:
/// a table, not a formatter per byte).
pub fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
}

/// An id of `bytes` bytes as lowercase hex, from hex (OTLP/JSON, MLflow 2.x with `0x`) or
/// base64 (MLflow 3, protobuf's JSON mapping); anything else is kept as it is.
pub fn id_hex(id: &str, bytes: usize) -> String {
    use base64::Engine as _;
    let bare = id.strip_prefix("0x").unwrap_or(id);
    if bare.len() == bytes * 2 && bare.bytes().all(|b| b.is_ascii_hexdigit()) {
        return bare.to_ascii_lowercase();
    }
    match base64::engine::general_purpose::STANDARD.decode(id) {
        Ok(raw) if raw.len() == bytes => hex(&raw),
        _ => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unix_nanos_reads_every_spelling_and_clamps() {
        use crate::model::time::TIME_LIMIT;
        let read = |v: Value| unix_nanos(&v);
        assert_eq!(
            read(json!(1_700_000_000_123_456_789i64)),
            Some(1_700_000_000_123_456_789)
        );
        assert_eq!(
            read(json!(" 1700000000123456789 ")),
            Some(1_700_000_000_123_456_789)
        );
        assert_eq!(read(json!("+5")), Some(5));
        assert_eq!(read(json!(0)), Some(0));
        assert_eq!(read(json!("0")), Some(0));
        assert_eq!(read(json!(-7)), Some(-7));
        assert_eq!(read(json!(1.7e18)), Some(1_700_000_000_000_000_000));
        assert_eq!(read(json!(12.9)), Some(12));
        // Past i64, as a number or a string: saturated, then clamped like any time.
        assert_eq!(read(json!(u64::MAX)), Some(TIME_LIMIT));
        assert_eq!(read(json!("18446744073709551615")), Some(TIME_LIMIT));
        assert_eq!(read(json!("-99999999999999999999")), Some(-TIME_LIMIT));
        assert_eq!(read(json!(1e300)), Some(TIME_LIMIT));
        assert_eq!(read(json!(i64::MAX)), Some(TIME_LIMIT));
        // Not a time.
        for v in [
            json!(""),
            json!("-"),
            json!("12ms"),
            json!("1.5"),
            json!(null),
            json!(true),
            json!([1]),
        ] {
            assert_eq!(unix_nanos(&v), None, "{v}");
        }
    }

    #[test]
    fn json_strings_are_decoded_and_plain_strings_kept() {
        assert_eq!(decode_json_string("\"LLM\""), json!("LLM"));
        assert_eq!(decode_json_string("{\"a\": 1}"), json!({"a": 1}));
        assert_eq!(decode_json_string("20"), json!(20));
        assert_eq!(decode_json_string("hello"), json!("hello"));
        assert_eq!(decode_json_string("{broken"), json!("{broken"));
    }
}
