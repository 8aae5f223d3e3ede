//! Targets for POML trace files: `.result.json` contents and file names.

use super::checks::assert_doc_printable;
use crate::detail::{self, Rendered};
use crate::formats::poml::{PomlResult, names, parts};

/// `poml_result`: a `.result.json`: parsed, summarized, every part read, shown as a document.
pub fn poml_result(data: &[u8]) {
    let Ok(result) = PomlResult::parse(data) else {
        return;
    };
    let summary = result.summary();
    assert_eq!(summary.messages.len(), result.messages.len());
    for (m, s) in result.messages.iter().zip(&summary.messages) {
        let first = parts::first_line(&m.content);
        assert!(s.first_line.chars().count() <= 201, "first line not cut");
        assert!(first.is_empty() || !s.first_line.is_empty());
        let counts = (
            parts::char_count(&m.content),
            parts::count_images(&m.content),
        );
        std::hint::black_box((parts::parts(&m.content), counts));
    }
    let mut rendered = Rendered::default();
    detail::poml::prompt(&result, &mut rendered);
    assert_doc_printable(&rendered.doc);
    let ordered = rendered.anchors.windows(2).all(|w| w[0] < w[1]);
    assert!(ordered, "anchors out of order");
}

/// `poml_names`: a file name, then `\0`-separated known prefixes.
pub fn poml_names(data: &[u8]) {
    let mut fields = data.split(|&b| b == 0);
    let name = fields.next().unwrap_or_default();
    let known: Vec<&[u8]> = fields.collect();
    if let Some(digits) = names::index_digits(name) {
        assert!(name.starts_with(digits) && name.get(digits.len()) == Some(&b'.'));
        assert!(names::parse_index(digits).is_some(), "not an index");
    }
    let (prefix, suffix) = names::split(name, &known);
    assert_eq!([prefix, suffix].concat(), name, "split loses bytes");
    if let Some(p) = names::declared_prefix(name) {
        assert!(name.starts_with(p) && name.ends_with(b".poml"));
    }
    if let Some(call) = names::call_name(prefix) {
        assert!(!call.is_empty() && prefix.ends_with(names::bytes(&call)));
    }
}
