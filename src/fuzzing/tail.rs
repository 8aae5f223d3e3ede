//! The tailer's target: a file that grows, is rewritten and truncated between polls.

use super::feed::split_lines;
use super::scratch::Scratch;
use crate::ingest::tail::Tail;

/// `tail`: appends of arbitrary sizes, polls with small budgets between them, truncations.
/// Each step is a header byte: low 2 bits 0 = truncate to the next byte's length (then poll),
/// else append the next `header >> 2` bytes and poll with a budget of `header & 3` * 3 + 1.
pub fn tail(data: &[u8]) {
    let file = Scratch::new("tail.jsonl", b"");
    let mut tail = Tail::new(&file.0);
    let mut content: Vec<u8> = Vec::new();
    let mut lines: Vec<(u64, u64, Vec<u8>)> = Vec::new();
    let mut rest = data;
    while let Some((&header, after)) = rest.split_first() {
        rest = after;
        let budget = if header & 3 == 0 {
            let keep = usize::from(rest.first().copied().unwrap_or(0));
            rest = rest.get(1..).unwrap_or_default();
            content.truncate(keep);
            1 + u64::from(header >> 2)
        } else {
            let (append, after) = rest.split_at(usize::from(header >> 2).min(rest.len()));
            rest = after;
            content.extend_from_slice(append);
            u64::from(header & 3) * 3 + 1
        };
        // Rewritten in place (same inode): to the tailer, a longer file is an append.
        std::fs::write(&file.0, &content).expect("write");
        poll_into(&mut tail, budget, &mut lines);
    }
    while poll_into(&mut tail, 7, &mut lines) {}
    let complete = content
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let expected: Vec<_> = split_lines(&content[..complete])
        .filter(|(at, _)| (at.offset as usize) < complete)
        .map(|(at, line)| (at.number(), at.offset, line.to_vec()))
        .collect();
    assert_eq!(lines, expected, "lines differ from the file's");
    assert_eq!(tail.offset(), content.len() as u64);
    assert_eq!(tail.pending(), &content[complete..]);
}

/// One poll; lines are appended (a reset voids those before). Returns whether more waits.
fn poll_into(tail: &mut Tail, budget: u64, lines: &mut Vec<(u64, u64, Vec<u8>)>) -> bool {
    let chunk = tail.poll(budget).expect("poll");
    if chunk.reset {
        lines.clear();
    }
    for line in chunk.lines() {
        assert!(line.cut_from.is_none(), "a short line was cut");
        assert_eq!(line.number, lines.len() as u64 + 1, "line numbers skip");
        lines.push((line.number, line.offset, line.bytes.to_vec()));
    }
    chunk.more
}
