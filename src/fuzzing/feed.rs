//! Bytes into a reader the way ingest feeds it (lines as the tailer splits them, `.json`
//! values where ingest finds them), finished into a store as ingest finishes it.

use super::NOW;
use crate::formats::pml::Context;
use crate::formats::reader::ValueReader;
use crate::model::time::NS_PER_SEC;
use crate::model::{LineRef, Store, Update};
use std::path::Path;

/// The clock readers see: a fixed now, and a file last written a minute before it.
pub(super) fn context() -> Context {
    Context {
        now_ns: NOW,
        file_changed_ns: NOW - 60 * NS_PER_SEC,
    }
}

/// The lines of `data` as the tailer gives them: split on `\n`, a `\r` before it dropped.
pub(super) fn split_lines(data: &[u8]) -> impl Iterator<Item = (LineRef, &[u8])> {
    let mut offset = 0u64;
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(move |(i, raw)| {
            let at = offset;
            offset += raw.len() as u64 + 1;
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            (LineRef::new(i as u64 + 1, at, line.len()), line)
        })
}

/// Every non-blank line of a JSON Lines file through the reader, as `TraceFile` does.
pub(super) fn read_lines(reader: &mut dyn ValueReader, data: &[u8]) -> Vec<Update> {
    let mut out = Vec::new();
    for (at, line) in split_lines(data) {
        if !line.iter().all(u8::is_ascii_whitespace) {
            reader.value(line, at, context(), &mut out);
        }
    }
    out
}

/// A reader's output as ingest would finish it: open spans rechecked once they are stale,
/// problems reported, everything applied to a store.
pub(super) fn finish(reader: &mut dyn ValueReader, mut out: Vec<Update>, origin: &Path) -> Store {
    let later = Context {
        now_ns: NOW + 3600 * NS_PER_SEC,
        ..context()
    };
    if reader.has_open() {
        reader.recheck(later, &mut out);
    }
    if let Some(problems) = reader.problems().take() {
        out.push(Update::Problems {
            session: None,
            origin: origin.display().to_string().into(),
            problems,
        });
    }
    let mut store = Store::new();
    store.apply_all(out);
    store
}

/// Where a `.json` file's values are, as ingest finds them (`document_places` is the
/// function it uses); `None` when the input is no JSON.
pub(super) fn places(data: &[u8]) -> Option<Vec<LineRef>> {
    crate::ingest::trace_file::document_places(data).ok()
}

/// The values of a JSON document through the reader, as ingest reads `.json` files.
pub(super) fn read_document(
    reader: &mut dyn ValueReader,
    data: &[u8],
    places: Vec<LineRef>,
) -> Vec<Update> {
    let mut out = Vec::new();
    for at in places {
        let start = at.offset as usize;
        let value = &data[start..start + at.len as usize];
        serde_json::from_slice::<serde::de::IgnoredAny>(value).expect("a place is one value");
        reader.value(value, at, context(), &mut out);
    }
    out
}
