//! Targets for POML trace files: `.result.json` contents, file names, and a whole call's
//! files in a session folder.

use super::NOW;
use super::checks::{assert_doc_printable, check_store};
use super::scratch::ScratchDir;
use crate::detail::{self, Rendered};
use crate::formats::poml::{PomlResult, names, parts, session_name};
use crate::model::time::NS_PER_SEC;

/// The files of `poml_call`'s call, in the order the input gives them.
const CALL_FILES: [&str; 8] = [
    "result.json",
    "context.json",
    "stylesheet.json",
    "env",
    "poml",
    "response.json",
    "result.txt",
    "source.poml",
];

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
    // The name as a session folder's: a time it states reads back as the name says (a leap
    // second, `60`, reads as the next minute's first).
    let text = names::lossy(name);
    if let Some(named) = session_name::parse(&text)
        && &text[12..14] != "60"
    {
        assert!(session_name::is_session_name(&text));
        let said = format!(
            "{}:{}:{}.{}",
            &text[8..10],
            &text[10..12],
            &text[12..14],
            &text[14..17]
        );
        assert_eq!(
            named.format("%H:%M:%S%.3f").to_string(),
            said,
            "session time"
        );
        // Placed by a first file a few seconds later in any zone, the name reads back in
        // that zone as it says.
        if let Some(as_utc) = named.and_utc().timestamp_nanos_opt() {
            for offset_s in [0, 9 * 3600, -5 * 3600, 5 * 3600 + 1800] {
                let Some(first) = as_utc.checked_sub(offset_s * NS_PER_SEC - 3 * NS_PER_SEC) else {
                    continue;
                };
                let placed = session_name::place(named, first).expect("a real zone");
                assert_eq!(placed.offset_s, offset_s);
                assert!(placed.start_ns <= first);
            }
        }
    }
}

/// `poml_call`: one call's files, `\0`-separated in `CALL_FILES`' order (those the input
/// does not reach are not written), as `0001.fuzz.*` in a session folder, loaded as `dump`
/// loads a path and checked like `pml_lines`'s store: every tab of the call (context,
/// stylesheet, env, source, response, extra artifacts) is rendered and printable.
pub fn poml_call(data: &[u8]) {
    let root = ScratchDir::new("pomlruns");
    let session = "20231114221320000000";
    for (suffix, bytes) in CALL_FILES.iter().zip(data.split(|&b| b == 0)) {
        root.write(&format!("{session}/0001.fuzz.{suffix}"), bytes);
    }
    // Written a minute before "now": settled, not a write in progress.
    let written = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(NOW / NS_PER_SEC - 60).unwrap_or(0));
    for entry in std::fs::read_dir(root.0.join(session)).expect("scratch session") {
        let file = std::fs::File::options()
            .write(true)
            .open(entry.expect("entry").path());
        file.and_then(|f| f.set_modified(written))
            .expect("set mtime");
    }
    let options = crate::ingest::ingestor::Options {
        settle_ns: NS_PER_SEC,
        experiment: None,
    };
    let store = crate::ingest::ingestor::load(std::slice::from_ref(&root.0), options, NOW);
    let calls: Vec<usize> = store.sessions().map(|(_, s)| s.span_count()).collect();
    assert_eq!(calls, [1], "one session of one call");
    check_store(&store);
}
