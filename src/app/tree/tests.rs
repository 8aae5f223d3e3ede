//! The rows kept up to date session by session (and within a session from its first changed
//! row) are the rows a full rebuild gives, through sessions arriving out of order, spans
//! arriving before their parents, sent again (moved, reordered), removed, POML calls with
//! file rows, nodes opened and closed, a filter, and the switch to closed sessions past 50.

use super::*;
use crate::analysis::Filter;
use crate::formats::bytes::Pread;
use crate::model::time::Zone;
use crate::model::{
    CallFile, Payload, PomlCall, SessionKey, SessionRecord, Source, SpanKind, SpanRecord, Status,
    Update,
};

/// A small deterministic generator (no clock, no randomness from outside).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn full_rows(tree: &TreeView, store: &Store) -> Vec<Row> {
    let mut rows = Vec::new();
    let is_open = |n: Node| tree.is_open(store, n);
    for (sid, session) in store.sessions() {
        push_session(&mut rows, session, sid, tree.matches.as_ref(), &is_open);
    }
    rows
}

fn span_update(rng: &mut Lcg, session: &SessionKey, n: u64) -> Update {
    let mut span = SpanRecord::new(
        format!("s{n}"),
        SpanKind::ToolCall,
        format!("tool{}", n % 5),
    );
    // Parents among the last few keys, some not arrived yet (orphans until they do).
    if n > 0 && rng.below(4) != 0 {
        span.parent = Some(format!("s{}", n.saturating_sub(1 + rng.below(6))).into());
    }
    span.start_ns = Some(1_000 * rng.below(10_000) as i64);
    span.end_ns = span.start_ns.map(|s| s + 500);
    span.status = if rng.below(5) == 0 {
        Status::Error
    } else {
        Status::Ok
    };
    // Now and then a POML call, whose files are rows under it when it is open.
    if rng.below(4) == 0 {
        let file = |i: u64| CallFile {
            name: format!("p.{i}.json").into(),
            suffix: format!(".{i}.json").into(),
            size: 1,
            mtime_ns: 0,
            link: None,
        };
        span.payload = Payload::Poml(Box::new(PomlCall {
            dir: std::sync::Arc::from(std::path::Path::new("/nowhere")),
            prefix: "p".into(),
            files: (0..1 + rng.below(3)).map(file).collect(),
            source_path: None,
            prompt: None,
        }));
    }
    Update::Span {
        session: session.clone(),
        span,
    }
}

#[test]
fn rows_rebuilt_session_by_session_equal_a_full_rebuild() {
    for seed in 1..=6 {
        check_against_full_rebuilds(seed);
    }
}

fn check_against_full_rebuilds(seed: u64) {
    let mut rng = Lcg(seed);
    let mut built_in_full = 0u64;
    let mut timeline = crate::app::timeline_rows::TimelineRows::default();
    let mut store = Store::new();
    let mut tree = TreeView::default();
    let mut keys: Vec<SessionKey> = Vec::new();
    let mut spans = 0u64;
    for step in 0..600 {
        let mut batch = Vec::new();
        for _ in 0..1 + rng.below(4) {
            match rng.below(20) {
                0..=2 => {
                    let key: SessionKey = format!("k{}", keys.len()).into();
                    keys.push(key.clone());
                    batch.push(Update::Session(SessionRecord {
                        key,
                        id: format!("session {}", keys.len()).into(),
                        source: Source::Pml,
                        path: "x".into(),
                        // Out of order now and then: placed before older sessions.
                        start_ns: Some(1_000_000 * rng.below(1_000) as i64),
                        note: None,
                    }));
                }
                3 if !keys.is_empty() => {
                    let key = keys[rng.below(keys.len() as u64) as usize].clone();
                    batch.push(Update::RemoveSpan {
                        session: key,
                        key: format!("s{}", rng.below(spans.max(1))).into(),
                    });
                }
                4 if keys.len() > 3 && rng.below(8) == 0 => {
                    let at = rng.below(keys.len() as u64) as usize;
                    batch.push(Update::RemoveSession {
                        key: keys.remove(at),
                    });
                }
                _ if !keys.is_empty() => {
                    // Mostly the newest session, as live traces do.
                    let at = if rng.below(3) == 0 {
                        rng.below(keys.len() as u64) as usize
                    } else {
                        keys.len() - 1
                    };
                    // Mostly new spans; some sent again (moved, reordered, replaced).
                    if rng.below(5) == 0 && spans > 0 {
                        let again = rng.below(spans);
                        batch.push(span_update(&mut rng, &keys[at], again));
                    } else {
                        batch.push(span_update(&mut rng, &keys[at], spans));
                        spans += 1;
                    }
                }
                _ => {}
            }
        }
        store.apply_all(batch);
        match rng.below(10) {
            0 => {
                // Open or close some row, as a person would.
                let len = tree.rows().len();
                if len > 0 {
                    let row = tree.rows()[rng.below(len as u64) as usize];
                    tree.set_open(&store, row.node, !row.open);
                }
            }
            1 if step % 100 == 1 => {
                let filter = Filter::parse("status:error", 0, Zone::Utc).expect("filter");
                let m = crate::analysis::Matches::compute(&store, &filter, &mut Pread);
                tree.set_matches(&store, Some(m));
            }
            2 if step % 100 == 2 => tree.set_matches(&store, None),
            3 => {
                // Follow: select the newest span, opening its ancestors.
                if let Some((sid, s)) = store.sessions().next_back()
                    && let Some(id) = s.latest_span()
                {
                    tree.select_node(&store, Node::Span(sid, id));
                }
            }
            _ => {}
        }
        if tree.matches.is_some() {
            // The filter's matches, kept current for changed sessions only.
            let filter = Filter::parse("status:error", 0, Zone::Utc).expect("filter");
            let changed = tree
                .matches()
                .and_then(|m| store.changed_since(m.generation))
                .expect("known changes");
            tree.update_matches(&store, &changed, |m| {
                m.recompute(&store, &filter, &mut Pread, &changed);
            });
            let fresh = crate::analysis::Matches::compute(&store, &filter, &mut Pread);
            assert_eq!(tree.matches().map(|m| m.count), Some(fresh.count));
        }
        tree.refresh(&store);
        let want = full_rows(&tree, &store);
        built_in_full += want.len() as u64;
        assert_eq!(tree.rows(), want.as_slice(), "seed {seed} step {step}");
        if let (Some(sel), Some(row)) = (tree.selected(), tree.selected_row()) {
            assert_eq!(tree.rows()[row].node, sel, "seed {seed} step {step}");
        }
        // The timeline's rows, taken from these, equal those listed whole (nodes and
        // depths: all the timeline reads), for the newest session or now and then another.
        let pick = if rng.below(4) == 0 && store.session_count() > 0 {
            store.session_ids()[rng.below(store.session_count() as u64) as usize]
        } else if let Some(&last) = store.session_ids().last() {
            last
        } else {
            continue;
        };
        let generation = store.session(pick).map_or(0, |s| s.generation);
        let shape = |rows: &[Row]| rows.iter().map(|r| (r.node, r.depth)).collect::<Vec<_>>();
        // The filter in the key too: the app keeps rows listed before a filter was set.
        let opened = tree.open_generation() + (tree.filter_generation() << 32);
        timeline.refresh(&tree, &store, pick, (pick, generation, opened));
        assert_eq!(
            shape(timeline.rows()),
            shape(&tree.span_rows(&store, pick)),
            "seed {seed} step {step} timeline of {pick:?}"
        );
    }
    assert!(
        store.session_count() > 50,
        "the switch to closed sessions was crossed"
    );
    // And the work was less, though these steps also close, filter and touch old sessions.
    assert!(
        tree.rows_built() * 4 < built_in_full * 3,
        "seed {seed}: {} rows built, {built_in_full} in full rebuilds",
        tree.rows_built()
    );
}
