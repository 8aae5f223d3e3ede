//! A chain of spans thousands deep, each the parent of the next, written parents first and
//! children first: the model nests it exactly, the text dump stays readable (indentation
//! stops, deeper spans say their depth), and the tree pane draws it like any other tree.
//! Before, a forward chain took quadratic time to load, a reversed one overflowed the
//! stack, and opening either in the UI ran out of memory.

mod common;

use common::Harness;
use std::path::{Path, PathBuf};
use tracetui::model::Store;

const DEPTH: usize = 3000;

/// `s0` ← `s1` ← … ← `s{DEPTH-1}`, one PML tool-call event per line.
fn chain(dir: &Path, children_first: bool) -> PathBuf {
    let mut lines: Vec<String> = (0..DEPTH)
        .map(|i| {
            let parent = match i {
                0 => String::new(),
                _ => format!(r#","parent_id":"s{}""#, i - 1),
            };
            format!(
                r#"{{"id":"s{i}","type":"tool_call","tool":"step{i}","timestamp":{},"duration_ms":1{parent}}}"#,
                1_763_700_000_000u64 + i as u64
            )
        })
        .collect();
    if children_first {
        lines.reverse();
    }
    let path = dir.join(if children_first {
        "rev.jsonl"
    } else {
        "fwd.jsonl"
    });
    std::fs::write(&path, lines.join("\n") + "\n").expect("write chain");
    path
}

fn load(path: &Path) -> Store {
    tracetui::ingest::load(
        &[path.to_path_buf()],
        tracetui::ingest::Options::default(),
        common::now_after(&[path.to_path_buf()]),
    )
}

#[test]
fn the_model_nests_a_deep_chain_in_either_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    for children_first in [false, true] {
        let store = load(&chain(dir.path(), children_first));
        let (_, session) = store.sessions().next().expect("a session");
        assert_eq!(session.span_count(), DEPTH);
        assert_eq!(session.roots().len(), 1, "children_first={children_first}");
        assert!(session.orphans().is_empty(), "every parent arrived");
        let depths = session.depths();
        for id in session.spans_in_order() {
            let span = session.span(id);
            let n: usize = store.name(span.name)["step".len()..]
                .parse()
                .expect("step number");
            assert_eq!(depths[id.index()] as usize, n, "step{n}");
            let parent = span.parent.map(|p| session.key(p).to_string());
            assert_eq!(parent, (n > 0).then(|| format!("s{}", n - 1)));
        }
    }
}

#[test]
fn the_text_dump_stops_indenting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = chain(dir.path(), true);
    let out = common::tracetui(&["dump", &path.display().to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 200, "a line of {widest} characters");
    let deepest = text
        .lines()
        .find(|l| l.contains(&format!("step{}", DEPTH - 1)))
        .expect("the deepest span");
    assert!(
        deepest.contains(&format!("⋯{} step{}", DEPTH - 1, DEPTH - 1)),
        "{deepest}"
    );
}

#[test]
fn the_tree_draws_the_bottom_of_a_deep_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = chain(dir.path(), true);
    let mut h = Harness::open(&[path], "rev.jsonl", 120, 24);
    // Only the root is open at first; `*` on the session opens everything below it.
    assert!(!h.screen().contains("step1 "), "{}", h.screen());
    h.press("*");
    h.press("G");
    let screen = h.screen();
    insta::assert_snapshot!("deep_chain_bottom", screen);
    let last = format!("⋯{} step{}", DEPTH - 1, DEPTH - 1);
    assert!(screen.contains(&last), "{screen}");
    // Collapsing the one above hides the last.
    h.press("k");
    h.press("h");
    let screen = h.screen();
    assert!(!screen.contains(&last), "{screen}");
    assert!(
        screen.contains(&format!("▸ ⋯{} step{}", DEPTH - 2, DEPTH - 2)),
        "{screen}"
    );
}
