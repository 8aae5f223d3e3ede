//! Targets for PML event files: JSON Lines, SSE captures and `.json` documents.

use super::checks::check_store;
use super::feed::{context, finish, places, read_document, read_lines, split_lines};
use super::scratch::Scratch;
use crate::formats::pml::{PmlReader, sse::SseParser};
use crate::formats::reader::ValueReader;
use std::sync::Arc;

/// `pml_lines`: a JSON Lines file of PML events, line by line into the reader, then the store.
pub fn pml_lines(data: &[u8]) {
    let file = Scratch::new("events.jsonl", data);
    let mut reader = PmlReader::new(Arc::from(file.0.as_path()));
    let out = read_lines(&mut reader, data);
    check_store(&finish(&mut reader, out, &file.0));
}

/// `pml_sse`: an SSE capture, frame by frame; one-line payloads must point at their bytes.
pub fn pml_sse(data: &[u8]) {
    let file = Scratch::new("events.sse", data);
    let mut reader = PmlReader::for_sse(Arc::from(file.0.as_path()));
    let mut sse = SseParser::default();
    let mut out = Vec::new();
    let lines = split_lines(data).map(|(at, l)| sse.line(l, at.number(), at.offset));
    let events: Vec<_> = lines.flatten().collect();
    for e in events.into_iter().chain(sse.finish()) {
        let (start, len) = (e.at.offset as usize, e.at.len as usize);
        let place = data
            .get(start..start + len)
            .expect("event range inside the file");
        // One data line: its range is exactly its payload (ingest locates fields by it).
        assert!(
            e.data.contains(&b'\n') || place == e.data,
            "payload misplaced"
        );
        let kind = Some(e.kind.as_str());
        reader.value_as(&e.data, e.at, kind, context(), &mut out);
    }
    check_store(&finish(&mut reader, out, &file.0));
}

/// `pml_document`: a `.json` event file, split into values as ingest does.
pub fn pml_document(data: &[u8]) {
    let Some(places) = places(data) else {
        return;
    };
    let file = Scratch::new("events.json", data);
    let mut reader = PmlReader::new(Arc::from(file.0.as_path()));
    let out = read_document(&mut reader, data, places);
    check_store(&finish(&mut reader, out, &file.0));
}
