//! A newcomer's first hour (issue 18): the small things that must behave as the keys and
//! the help promise, each checked in the real app drawn into a `TestBackend`.

mod common;

use common::Harness;

fn poml() -> Harness {
    Harness::open(&[common::corpus().join("pomlruns")], "pomlruns", 120, 40)
}

#[test]
fn star_on_a_poml_session_opens_its_calls() {
    let mut h = poml();
    // The first session's row, closed, then everything below it opened.
    h.press("g<Left>");
    let closed = h.screen();
    h.press("*");
    let open = h.screen();
    let file_rows = |s: &str| s.lines().filter(|l| l.contains(".poml  ")).count();
    assert_eq!(file_rows(&closed), 0, "{closed}");
    assert!(
        file_rows(&open) >= 2,
        "every call opened, not just the session:\n{open}"
    );
}

#[test]
fn a_key_right_after_a_tab_switch_acts_on_the_new_tab() {
    let mut h = poml();
    // A call with a long Files tab, then `6` and `G` in one burst of input.
    h.press("jj");
    h.press("<Tab>");
    h.press_together("6G");
    let files = h.app.prompt.text();
    let rows = files.lines().count();
    let height = h.app.panes.prompt_body().height as usize;
    assert!(
        rows > height,
        "the Files tab is longer than the pane: {rows}"
    );
    assert_eq!(
        h.app.prompt.scroll(),
        rows - height,
        "G went to the end of the Files tab"
    );
}

/// Every tool request in a session's result.json messages, once per id: what the corpus's
/// raw files say was called, counted without tracetui.
fn tool_requests_in(runs: &std::path::Path) -> std::collections::BTreeMap<String, u64> {
    let mut counts = std::collections::BTreeMap::new();
    for session in std::fs::read_dir(runs).expect("runs").flatten() {
        let mut seen = std::collections::HashSet::new();
        let mut files: Vec<_> = std::fs::read_dir(session.path())
            .expect("session")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".result.json"))
            .collect();
        files.sort();
        for file in files {
            let Ok(value) =
                serde_json::from_slice::<serde_json::Value>(&std::fs::read(&file).expect("read"))
            else {
                continue;
            };
            let messages = value["messages"].as_array().cloned().unwrap_or_default();
            for part in messages
                .iter()
                .filter_map(|m| m["content"].as_array())
                .flatten()
            {
                if part["type"] == "application/vnd.poml.toolrequest"
                    && seen.insert(part["id"].as_str().unwrap_or("").to_string())
                {
                    let name = part["name"].as_str().unwrap_or("").to_string();
                    *counts.entry(name).or_insert(0) += 1;
                }
            }
        }
    }
    counts
}

#[test]
fn patterns_count_the_tool_calls_poml_messages_carry() {
    let runs = common::corpus().join("pomlruns");
    let expected = tool_requests_in(&runs);
    assert!(!expected.is_empty(), "the corpus's agent calls tools");
    let out = common::tracetui(&["stats", "--format", "json", &runs.to_string_lossy()]);
    assert!(out.status.success(), "{out:?}");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let counted: std::collections::BTreeMap<String, u64> = stats["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| {
            (
                t["tool"].as_str().unwrap_or("").to_string(),
                t["calls"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(counted, expected);
    // No times are known for them: none are made up.
    assert!(stats["tools"][0]["p50_ms"].is_null(), "{}", stats["tools"]);

    // The Patterns view lists them, and Enter on one filters to the calls that carry it.
    let mut h = poml();
    h.press("p");
    // The cursor starts on the first tool: the most calls, then by name.
    let (tool, _) = expected
        .iter()
        .min_by_key(|(name, n)| (std::cmp::Reverse(**n), name.to_string()))
        .expect("a tool");
    let screen = h.screen();
    assert!(screen.contains(&format!("  {tool} ")), "{screen}");
    h.press("<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains(&format!("filter: tool:{tool} (")),
        "{screen}"
    );
    assert!(!screen.contains("nothing matches"), "{screen}");
}

#[test]
fn a_session_holding_a_failed_span_is_marked_on_its_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("documented.jsonl");
    std::fs::copy(common::fixture("pml/documented.jsonl"), &path).expect("copy");
    let mut h = Harness::open(&[path], "documented.jsonl", 120, 40);
    // Every session closed: the rows alone must say which holds a failure.
    h.press("g<Left>]<Left>");
    let screen = h.screen();
    let failed: Vec<&str> = screen.lines().filter(|l| l.contains("✗ exec_")).collect();
    let ok: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("exec_") && !l.contains('✗'))
        .collect();
    assert_eq!(failed.len(), 1, "{screen}");
    assert!(!ok.is_empty(), "the other session is not marked: {screen}");
    let row = h.row_of("✗ exec_");
    let column = screen.lines().nth(usize::from(row)).unwrap_or("").find('✗');
    let x = screen.lines().nth(usize::from(row)).unwrap_or("")[..column.unwrap_or(0)]
        .chars()
        .count() as u16;
    let cell = &h.terminal.backend().buffer()[(x, row)];
    assert_eq!(cell.fg, ratatui::style::Color::Red, "drawn as an error");
}

#[test]
fn a_filter_that_moves_the_selection_stops_following() {
    let mut h = poml();
    h.app.follow = true;
    let before = h.app.selected();
    h.press("/");
    h.press("verifier");
    h.press("<Enter>");
    assert_ne!(
        h.app.selected(),
        before,
        "the filter went to its first match"
    );
    assert!(
        !h.app.follow,
        "following would move off the match at the next update"
    );
}
