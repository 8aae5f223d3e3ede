//! Received text that should be UTF-8 and may not be: kept, with U+FFFD in place of each
//! sequence that is not, and those counted, so one bad string does not cost a batch.

use std::borrow::Cow;

/// The text, and how many sequences were replaced.
pub fn lossy(bytes: &[u8]) -> (Cow<'_, str>, u64) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), 0),
        Err(_) => {
            let bad = bytes
                .utf8_chunks()
                .filter(|chunk| !chunk.invalid().is_empty())
                .count();
            (String::from_utf8_lossy(bytes), bad as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_sequence_is_replaced_once_and_counted() {
        assert_eq!(lossy(b"caf\xc3\xa9"), (Cow::Borrowed("café"), 0));
        let (text, bad) = lossy(b"caf\xe9 \xff\xfe! \xe2\x82");
        assert_eq!(text, "caf\u{fffd} \u{fffd}\u{fffd}! \u{fffd}");
        assert_eq!(bad, 4);
    }
}
