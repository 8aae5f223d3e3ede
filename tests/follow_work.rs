//! Follow mode's work per batch does not grow with what is already loaded (issue 14 item
//! 13): the tree's and the timeline's rows built and the filter's spans matched for one more
//! execution (or, in one long execution, one more capability) are the same with 2k and with
//! 100k spans loaded. Work is counted, not timed.

use ratatui::layout::Rect;
use tracetui::app::{App, Node};
use tracetui::model::time::Zone;
use tracetui::model::{SessionRecord, Source, SpanKind, SpanRecord, Status, Update};

const AREA: Rect = Rect::new(0, 0, 120, 40);
const MS: i64 = 1_000_000;
/// Spans per execution: the root, 3 capabilities, 10 tool calls under each.
const PER_EXECUTION: usize = 34;

/// One PML-like execution: a session whose root has capabilities with tool calls under them.
fn execution(n: usize) -> Vec<Update> {
    let key: tracetui::model::SessionKey = format!("exec_{n:06}").into();
    let t0 = 1_700_000_000_000 * MS + n as i64 * 1_000 * MS;
    let span = |id: String, parent: Option<String>, kind, start: i64, status| {
        let mut s = SpanRecord::new(id.clone(), kind, id);
        s.parent = parent.map(Into::into);
        s.start_ns = Some(t0 + start * MS);
        s.end_ns = Some(t0 + start * MS + 5 * MS);
        s.status = status;
        Update::Span {
            session: key.clone(),
            span: s,
        }
    };
    let root = format!("exec_{n:06}");
    let mut out = vec![
        Update::Session(SessionRecord {
            key: key.clone(),
            id: root.clone().into(),
            source: Source::Pml,
            path: "live.jsonl".into(),
            start_ns: Some(t0),
            note: None,
        }),
        span(root.clone(), None, SpanKind::Execution, 0, Status::Ok),
    ];
    for c in 0..3 {
        let cap = format!("{root}_c{c}");
        let at = 1 + c as i64 * 20;
        out.push(span(
            cap.clone(),
            Some(root.clone()),
            SpanKind::Capability,
            at,
            Status::Ok,
        ));
        for t in 0..10 {
            // One call in seven fails, so a status filter has something to match.
            let status = if (n + t).is_multiple_of(7) {
                Status::Error
            } else {
                Status::Ok
            };
            out.push(span(
                format!("{cap}_t{t}"),
                Some(cap.clone()),
                SpanKind::ToolCall,
                at + 1 + t as i64,
                status,
            ));
        }
    }
    out
}

/// An app in follow mode with `sessions` executions loaded, drawn after every few batches as
/// the run loop would.
fn loaded(sessions: usize, filter: Option<&str>) -> App {
    let mut app = App::new(Vec::new(), Zone::Utc);
    assert!(app.follow, "follow is on by default");
    if let Some(expr) = filter {
        assert!(app.apply_filter(expr));
    }
    let mut batch = Vec::new();
    for n in 0..sessions {
        batch.extend(execution(n));
        if n % 50 == 49 || n + 1 == sessions {
            app.ingest(std::mem::take(&mut batch));
            app.prepare(AREA, 0);
        }
    }
    assert_eq!(app.store.span_count(), sessions * PER_EXECUTION);
    app
}

/// Tree rows built, timeline rows built and spans matched for one more execution, arriving
/// in three batches.
fn work_for_next_execution(app: &mut App) -> (u64, u64, u64) {
    let n = app.store.session_count();
    work_for(
        app,
        execution(n).chunks(12).map(<[Update]>::to_vec).collect(),
    )
}

fn work_for(app: &mut App, batches: Vec<Vec<Update>>) -> (u64, u64, u64) {
    let before = (
        app.tree.rows_built(),
        app.timeline_rows_built(),
        spans_matched(app),
    );
    for batch in batches {
        app.ingest(batch);
        app.prepare(AREA, 0);
    }
    (
        app.tree.rows_built() - before.0,
        app.timeline_rows_built() - before.1,
        spans_matched(app) - before.2,
    )
}

fn spans_matched(app: &App) -> u64 {
    app.tree.matches().map_or(0, |m| m.spans_matched())
}

/// Follow kept up: the newest call of the newest session is selected, in view in the tree
/// and on the timeline.
fn assert_following(app: &App) {
    let newest = app.newest().expect("newest");
    assert_eq!(app.selected(), Some(newest));
    assert!(matches!(newest, Node::Span(..)));
    let row = app.tree.selected_row().expect("selected row");
    let height = app.panes.tree_body().height as usize;
    assert!(
        (app.tree.offset..app.tree.offset + height).contains(&row),
        "row {row} not in view from {}",
        app.tree.offset
    );
    assert_eq!(app.tree.rows()[row].node, newest);
    let on_timeline = app.timeline_selected_row().expect("timeline row");
    let view = app.timeline_view();
    let height = app.panes.timeline_rows().height as usize;
    assert!((view.row_offset..view.row_offset + height).contains(&on_timeline));
}

#[test]
fn follow_builds_the_same_rows_per_batch_with_2k_or_100k_spans_loaded() {
    let mut small = loaded(60, None);
    let mut large = loaded(3_000, None);
    assert!(large.store.span_count() >= 100_000);
    let (small_rows, small_timeline, _) = work_for_next_execution(&mut small);
    let (large_rows, large_timeline, _) = work_for_next_execution(&mut large);
    assert_following(&small);
    assert_following(&large);
    assert!(small_rows > 0);
    assert_eq!(
        large_rows, small_rows,
        "rows built for one new execution: {large_rows} with 100k spans loaded, \
         {small_rows} with 2k"
    );
    assert_eq!(large_timeline, small_timeline);
    // In proportion to the batch: each of the three batches rebuilds the new execution's
    // rows at most twice (for its spans, then as follow opens the new call's parent).
    assert!(
        large_rows <= 2 * 3 * (PER_EXECUTION as u64 + 1),
        "{large_rows}"
    );
}

#[test]
fn with_a_filter_follow_matches_only_the_new_spans_session() {
    let mut small = loaded(60, Some("status:error"));
    let mut large = loaded(3_000, Some("status:error"));
    let (small_rows, _, small_matched) = work_for_next_execution(&mut small);
    let (large_rows, _, large_matched) = work_for_next_execution(&mut large);
    assert_eq!(large_rows, small_rows);
    assert_eq!(
        large_matched, small_matched,
        "spans matched for one new execution: {large_matched} with 100k loaded, \
         {small_matched} with 2k"
    );
    assert!(large_matched <= 3 * PER_EXECUTION as u64, "{large_matched}");
    // And the count is still the whole store's.
    // Executions 0 to 3,000 (the last one added above), 3 capabilities of 10 calls each.
    let errors = (0..=3_000usize)
        .map(|n| 3 * (0..10usize).filter(|t| (n + t).is_multiple_of(7)).count())
        .sum::<usize>();
    assert_eq!(large.match_count(), Some(errors));
}

/// One long execution that never ends: its root, then capabilities of 10 tool calls each.
/// The calls are written before their capability, as PML writes them (a capability is
/// written when it finishes), so they wait as orphans until it comes.
fn capability(n: usize) -> Vec<Vec<Update>> {
    let key: tracetui::model::SessionKey = "long".into();
    let t0 = 1_700_000_000_000 * MS;
    let span = |id: String, parent: Option<&str>, kind, start: i64| {
        let mut s = SpanRecord::new(id.clone(), kind, id);
        s.parent = parent.map(Into::into);
        s.start_ns = Some(t0 + start * MS);
        s.end_ns = Some(t0 + start * MS + 5 * MS);
        Update::Span {
            session: key.clone(),
            span: s,
        }
    };
    let mut batches = Vec::new();
    if n == 0 {
        batches.push(vec![
            Update::Session(SessionRecord {
                key: key.clone(),
                id: "long".into(),
                source: Source::Pml,
                path: "live.jsonl".into(),
                start_ns: Some(t0),
                note: None,
            }),
            span("root".into(), None, SpanKind::Execution, 0),
        ]);
    }
    let cap = format!("c{n:06}");
    let at = 1 + n as i64 * 20;
    let tools: Vec<Update> = (0..10)
        .map(|t| {
            span(
                format!("{cap}_t{t}"),
                Some(&cap),
                SpanKind::ToolCall,
                at + 1 + t,
            )
        })
        .collect();
    batches.push(tools[..5].to_vec());
    batches.push(tools[5..].to_vec());
    batches.push(vec![span(cap, Some("root"), SpanKind::Capability, at)]);
    batches
}

fn long_execution(capabilities: usize) -> App {
    let mut app = App::new(Vec::new(), Zone::Utc);
    for n in 0..capabilities {
        app.ingest(capability(n).concat());
        if n % 50 == 49 || n + 1 == capabilities {
            app.prepare(AREA, 0);
        }
    }
    assert_eq!(app.store.span_count(), 1 + capabilities * 11);
    app
}

#[test]
fn in_one_long_execution_follow_builds_the_same_rows_per_batch_with_2k_or_100k_spans() {
    let mut small = long_execution(200);
    let mut large = long_execution(9_200);
    assert!(large.store.span_count() >= 100_000);
    let (small_rows, small_timeline, _) = work_for(&mut small, capability(200));
    let (large_rows, large_timeline, _) = work_for(&mut large, capability(9_200));
    assert_following(&small);
    assert_following(&large);
    assert!(small_rows > 0 && small_timeline > 0);
    assert_eq!(
        (large_rows, large_timeline),
        (small_rows, small_timeline),
        "tree and timeline rows built for one more capability: with 100k spans loaded \
         {large_rows} and {large_timeline}, with 2k {small_rows} and {small_timeline}"
    );
    // In proportion to the batch: the new capability and its calls, the one before it (its
    // successor's insertion point is after its row) and the orphans group, per batch.
    assert!(large_rows <= 3 * 2 * 25, "{large_rows}");
}
