//! The invariants every target shares: what reaches the screen is printable, and every
//! headless output of a store (dumps, filtered dump, prompt-pane documents) holds up.

use super::NOW;
use crate::analysis::{Filter, Matches};
use crate::detail::{self, Doc, Subject};
use crate::formats::bytes::WholeFiles;
use crate::model::Store;
use crate::model::time::Zone;
use crate::untrusted::sanitize::{is_invisible_format, is_width_ambiguous};

/// Sessions and spans whose documents are rendered per input (each render reads the file).
const DETAIL_SUBJECTS: usize = 32;

pub(super) fn assert_printable(text: &str, what: &str) {
    let bad = |c: char| c.is_control() || is_invisible_format(c);
    assert!(!text.chars().any(bad), "{what}: unprintable in {text:?}");
}

/// Printable, and no character whose width terminals disagree on.
pub(super) fn assert_sanitized(text: &str, what: &str) {
    assert_printable(text, what);
    let ambiguous = text.chars().find(|&c| is_width_ambiguous(c));
    assert!(
        ambiguous.is_none(),
        "{what}: width-ambiguous {ambiguous:?} in {text:?}"
    );
}

pub(super) fn assert_doc_printable(doc: &Doc) {
    let chunks = doc.lines.iter().flat_map(|line| &line.chunks);
    chunks.for_each(|chunk| assert_printable(&chunk.text, "document"));
}

/// Every headless output of a store, checked: the JSON dump parses, the text dump and the
/// prompt-pane documents are printable, filtering then dumping works.
pub(super) fn check_store(store: &Store) {
    let mut json = Vec::new();
    crate::dump::json::write(store, None, &mut json).expect("dump json");
    serde_json::from_slice::<serde_json::Value>(&json).expect("the JSON dump parses");
    let mut text = Vec::new();
    crate::dump::text::write(store, None, &mut text).expect("dump text");
    let text = String::from_utf8(text).expect("text dump is UTF-8");
    text.split('\n')
        .for_each(|l| assert_printable(l, "text dump"));
    let filter = Filter::parse("status:error", NOW, Zone::Utc).expect("filter");
    let matches = Matches::compute(store, &filter, &mut WholeFiles::default());
    crate::dump::json::write(store, Some(&matches), &mut Vec::new()).expect("filtered dump");
    let sessions = store.session_ids().iter().map(|&sid| Subject::Session(sid));
    let spans = store.sessions().flat_map(|(sid, session)| {
        let ids = session.spans_in_order().into_iter();
        ids.map(move |id| Subject::Span(sid, id))
    });
    for subject in sessions.chain(spans).take(DETAIL_SUBJECTS) {
        for &tab in detail::tabs_for(store, subject) {
            assert_doc_printable(&detail::render(store, subject, tab, Zone::Utc).doc);
        }
    }
}
