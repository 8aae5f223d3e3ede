//! The UI designed for 80x24 first: ids shortened where they differ, the Patterns table
//! whole, pane titles and the status bar dropping whole parts rather than cutting words,
//! and the prompt pane keeping its rows for the prompt.

mod common;

use common::Harness;

/// Twelve executions whose ids share their beginning, as PML writers number them.
fn numbered_executions(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("agent.jsonl");
    let mut text = String::new();
    for n in 1..=12u64 {
        let root = format!("execution_{n:016}");
        let t = 1_700_000_000_000 + n * 10_000;
        text.push_str(&format!(
            r#"{{"id":"{root}","type":"execution_start","timestamp":{t},"root_id":"{root}"}}"#
        ));
        text.push('\n');
        text.push_str(&format!(
            r#"{{"id":"{root}_t1","type":"tool_call","timestamp":{},"duration_ms":{},"parent_id":"{root}","root_id":"{root}","tool":{{"server":"github","name":"get_pull_request"}},"status":"{}"}}"#,
            t + 5,
            40 + n * 7,
            if n == 3 { "error" } else { "success" }
        ));
        text.push('\n');
        text.push_str(&format!(
            r#"{{"id":"{root}","type":"execution_end","timestamp":{},"root_id":"{root}","status":"success"}}"#,
            t + 900
        ));
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write");
    path
}

fn status_line(h: &Harness) -> String {
    h.screen().lines().last().unwrap_or_default().to_string()
}

#[test]
fn numbered_ids_stay_apart_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = numbered_executions(dir.path());
    let mut h = Harness::open(&[path], "agent.jsonl", 80, 24);
    h.press("gjj");
    let screen = h.screen();
    insta::assert_snapshot!("pml_80x24", screen);
    // The tree column's session rows: each one tells its execution apart.
    let labels: Vec<String> = screen
        .lines()
        .filter_map(|l| l.strip_prefix("┃▾ ").or_else(|| l.strip_prefix("┃▸ ")))
        .map(|l| l.trim_start_matches("✗ "))
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .filter(|l| l.starts_with("exec"))
        .collect();
    assert!(labels.len() >= 5, "{screen}");
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "{labels:?}\n{screen}");
    // Cut in the middle: the differing end shows.
    assert!(
        labels
            .iter()
            .any(|l| l.contains('…') && l.ends_with("0001")),
        "{labels:?}"
    );
}

#[test]
fn the_patterns_table_keeps_its_max_column_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = numbered_executions(dir.path());
    let mut h = Harness::open(&[path], "agent.jsonl", 80, 24);
    h.press("p");
    let screen = h.screen();
    insta::assert_snapshot!("patterns_80x24", screen);
    let header = screen
        .lines()
        .find(|l| l.contains("calls errors success"))
        .expect("the table's header");
    assert!(header.contains(" max"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("github:get_pull_request"))
        .expect("the tool's row");
    // 12 calls, the longest 124ms: the max column shows it.
    assert!(row.contains("124ms"), "{row}");
    assert!(
        row.ends_with("124ms           │"),
        "the max column is the last: {row}"
    );
}

#[test]
fn a_model_call_at_80x24_keeps_its_rows_for_the_conversation() {
    let mut h = Harness::open(&[common::corpus().join("mlruns")], "mlruns", 80, 24);
    h.press("/");
    h.press("chat.completions");
    h.press("<Enter>");
    let screen = h.screen();
    insta::assert_snapshot!("mlflow_llm_80x24", screen);
    let body = h.app.panes.prompt_body();
    let rows: Vec<String> = h.app.prompt.text().lines().map(String::from).collect();
    // The timing and token lines take at most two rows; the messages start by the third.
    let first_message = rows
        .iter()
        .position(|r| r.starts_with("── "))
        .expect("a message heading");
    assert!(first_message <= 3, "{rows:?}");
    assert!(body.height >= 10, "{body:?}");
}

#[test]
fn the_status_bar_and_titles_drop_whole_parts_when_narrow() {
    let mut h = Harness::open(&[common::corpus().join("pomlruns")], "pomlruns", 120, 30);
    h.press("jj");
    for width in (40..=120).step_by(4) {
        h.resize(width, 30);
        let status = status_line(&h);
        let hints_whole = ["q quit", "? help"].iter().any(|end| status.ends_with(end))
            || !status.contains("help");
        assert!(hints_whole, "width {width}: {status:?}");
        assert!(
            !status.ends_with(" q") && !status.ends_with(" q qu"),
            "{status:?}"
        );
        let screen = h.screen();
        let top = screen.lines().next().unwrap_or_default();
        // Titles end at a part's end: " ─" or " ━" follows the last word, never a cut one.
        for title in top.split(['┓', '┐']) {
            let cut = title.contains('…') && !title.contains("· ");
            assert!(!cut, "width {width}: {top}");
        }
    }
}

/// Beside a receiver and a long notice, the status bar drops or shortens whole parts: the
/// counts and problems are whole or absent (a notice too long for them shows alone), the
/// receiver's address whole or absent, and a shortened notice ends with `…`.
#[test]
fn the_status_bar_keeps_each_part_whole_beside_a_receiver_and_a_notice() {
    let mut h = Harness::open(&[common::corpus().join("pomlruns")], "pomlruns", 80, 24);
    h.app.receiver = Some(tracetui::receiver::ReceiverStatus {
        addr: "127.0.0.1:48774".into(),
        spans: 6,
        ..Default::default()
    });
    let problems = h.app.store.problem_count();
    let problems = match problems {
        0 => "no problems".to_string(),
        1 => "1 problem (!)".to_string(),
        n => format!("{n} problems (!)"),
    };
    let totals = format!(
        "{} sessions · {} calls · {problems}",
        h.app.store.session_count(),
        h.app.store.span_count()
    );
    let notice = "Nothing related: o goes between a POML call and the MLflow span that recorded it";
    for (width, with_notice) in [
        (80, false),
        (80, true),
        (100, true),
        (120, true),
        (160, true),
    ] {
        h.resize(width, 24);
        if with_notice {
            h.app.notify(notice);
        } else {
            h.app.notice = None;
        }
        h.draw();
        let status = status_line(&h);
        let counts_shown = status.contains(" sessions");
        if counts_shown {
            assert!(status.contains(&totals), "width {width}: {status:?}");
        }
        if status.contains('⇄') {
            assert!(status.contains("⇄ 127.0.0.1:48774 6 spans"), "{status:?}");
        }
        match with_notice {
            false => {
                assert!(counts_shown, "width {width}: {status:?}");
                assert!(status.contains('⇄'), "room for the receiver: {status:?}");
            }
            true if status.contains(notice) => {}
            true => {
                assert!(counts_shown, "cut only to keep the counts: {status:?}");
                assert!(status.contains("Nothing related: o goes"), "{status:?}");
                assert!(status.contains('…'), "{status:?}");
            }
        }
    }
}
