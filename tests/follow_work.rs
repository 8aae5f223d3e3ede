//! Follow mode's work per batch does not grow with what is already loaded (issue 14 item
//! 13): the tree's rows built and the filter's spans matched for one new execution are the
//! same with 2k and with 100k spans loaded (both past the 50 sessions after which sessions
//! start closed). Work is counted, not timed.

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

/// Rows built and spans matched for one more execution, arriving in three batches.
fn work_for_next_execution(app: &mut App) -> (u64, u64) {
    let (rows, matched) = (app.tree.rows_built(), spans_matched(app));
    let n = app.store.session_count();
    for part in execution(n).chunks(12) {
        app.ingest(part.to_vec());
        app.prepare(AREA, 0);
    }
    (app.tree.rows_built() - rows, spans_matched(app) - matched)
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
    let (small_rows, _) = work_for_next_execution(&mut small);
    let (large_rows, _) = work_for_next_execution(&mut large);
    assert_following(&small);
    assert_following(&large);
    assert!(small_rows > 0);
    assert_eq!(
        large_rows, small_rows,
        "rows built for one new execution: {large_rows} with 100k spans loaded, \
         {small_rows} with 2k"
    );
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
    let (small_rows, small_matched) = work_for_next_execution(&mut small);
    let (large_rows, large_matched) = work_for_next_execution(&mut large);
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
