//! Targets for text that is not a trace: the sanitizer, filter expressions and format
//! sniffing.

use super::NOW;
use super::checks::assert_sanitized;
use super::feed::{finish, read_lines};
use crate::analysis::{Filter, Matches};
use crate::formats::bytes::WholeFiles;
use crate::formats::pml::PmlReader;
use crate::model::Store;
use crate::model::time::Zone;
use crate::untrusted::sanitize::{self, MAX_LINE_CHARS, is_invisible_format, is_width_ambiguous};
use std::path::Path;
use std::sync::Arc;

/// `sanitize`: nothing it returns can move the cursor, recolour or reorder the terminal, or
/// take a width terminals disagree on.
pub fn sanitize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Width-ambiguous characters (joiners, selectors, skin tones, flags) are dropped or
    // spelled out by design, so text holding one is not expected back unchanged.
    let unsafe_char =
        |c: char| c == '\t' || c.is_control() || is_invisible_format(c) || is_width_ambiguous(c);
    let plain = !text.chars().any(unsafe_char);
    let line = sanitize::line(&text);
    assert_sanitized(&line, "line");
    assert!(
        !plain || line == text,
        "plain text changed: {text:?} -> {line:?}"
    );
    assert_sanitized(&sanitize::label(&text), "label");
    for shown in std::iter::once(sanitize::display_line(&text)).chain(sanitize::lines(&text)) {
        assert_sanitized(&shown, "display_line");
        let note = "… [18446744073709551615 more characters]".chars().count();
        assert!(shown.chars().count() <= MAX_LINE_CHARS + note, "too long");
    }
}

/// `sniff`: whatever it claims starts like that layout.
pub fn sniff(data: &[u8]) {
    use crate::formats::sniff::Layout;
    let Some((_, layout)) = crate::formats::sniff::sniff(data) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let first = body.chars().next();
    match layout {
        Layout::Sse => assert!(body.contains("data:"), "SSE without data"),
        Layout::Lines => assert_eq!(first, Some('{')),
        Layout::Document => assert!(matches!(first, Some('{' | '['))),
    }
}

/// `filter`: any expression parses or says why, in both zones; a parsed one runs.
pub fn filter(data: &[u8]) {
    let expr = String::from_utf8_lossy(data);
    for zone in [Zone::Utc, Zone::Local] {
        match Filter::parse(&expr, NOW, zone) {
            Ok(f) => {
                assert_eq!(f.expr, expr.trim());
                let blank = expr.chars().all(|c| c == '"' || c.is_whitespace());
                assert!(!f.is_empty() || blank, "{expr:?} parsed to no terms");
                FILTER_STORE.with(|store| {
                    Matches::compute(store, &f, &mut WholeFiles::default());
                });
            }
            Err(e) => assert!(!e.is_empty()),
        }
    }
}

thread_local! {
    /// A few spans of every status, for filters to run against (no payloads on disk).
    static FILTER_STORE: Store = {
        let events = include_bytes!("../../tests/fixtures/pml/sandbox.jsonl");
        let mut reader = PmlReader::new(Arc::from(Path::new("sandbox.jsonl")));
        let out = read_lines(&mut reader, events);
        finish(&mut reader, out, Path::new("sandbox.jsonl"))
    };
}
