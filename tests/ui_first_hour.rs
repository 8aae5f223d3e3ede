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
    // No times or outcomes are known for them: none are made up.
    assert!(stats["tools"][0]["p50_ms"].is_null(), "{}", stats["tools"]);
    assert!(
        stats["tools"][0]["success_rate"].is_null(),
        "{}",
        stats["tools"]
    );

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
    let row = screen
        .lines()
        .find(|l| l.contains(&format!("  {tool} ")))
        .unwrap_or_default();
    assert!(!row.contains('%'), "no success rate is made up: {row}");
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

#[test]
fn a_rescan_of_untouched_files_is_not_a_change() {
    use tracetui::ingest::{Ingestor, Options};
    for paths in [
        vec![
            common::corpus().join("pomlruns"),
            common::corpus().join("mlruns"),
        ],
        vec![common::fixture("pml")],
    ] {
        let now = common::now_after(&paths);
        let mut ingestor = Ingestor::new(paths.clone(), Options::default());
        let mut app = tracetui::app::App::new(paths.clone(), tracetui::model::time::Zone::Utc);
        app.ingest(ingestor.scan(now));
        app.ingest(ingestor.recheck(now + 2_000_000_000));
        let changed = app.last_change_ns;
        let generation = app.store.generation;
        assert!(changed.is_some());
        // The 30 s rescan finds the same files.
        let again = ingestor.scan(now + 40_000_000_000);
        assert!(!again.is_empty(), "a rescan sends what it knows again");
        app.ingest(again);
        assert_eq!(
            app.last_change_ns, changed,
            "{paths:?}: still 'changed … ago'"
        );
        assert_eq!(
            app.store.generation, generation,
            "{paths:?}: nothing to redraw"
        );
    }
}

#[test]
fn children_before_their_parent_wait_while_the_data_is_changing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("live.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"exec_1","type":"execution_start","timestamp":1700000000000,"root_id":"exec_1"}"#,
            "\n",
            r#"{"id":"t1","type":"tool_call","timestamp":1700000000020,"duration_ms":30,"parent_id":"cap_a","root_id":"exec_1","tool":{"server":"fs","name":"read"},"status":"success"}"#,
            "\n"
        ),
    )
    .expect("write");
    let mut h = Harness::open(&[path], "live.jsonl", 100, 20);
    h.press("g*");
    // Watched, and changed a moment ago: the child is waiting, not lost.
    h.app.watch = Some(Default::default());
    h.app.last_change_ns = Some(h.now - 1_000_000_000);
    h.draw();
    let screen = h.screen();
    assert!(screen.contains("waiting for their parent (1)"), "{screen}");
    assert!(!screen.contains("parent not found"), "{screen}");
    // Nothing changed for a while: now it is an orphan.
    h.app.last_change_ns = Some(h.now - 60_000_000_000);
    h.draw();
    let screen = h.screen();
    assert!(screen.contains("orphans (1): parent not found"), "{screen}");
}

#[test]
fn a_call_being_written_says_running_and_one_that_stopped_says_incomplete() {
    use tracetui::detail::{Subject, Tab, render};
    use tracetui::ingest::{Ingestor, Options};
    use tracetui::model::{Status, Store};
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("pomlruns/20261121130000000001");
    std::fs::create_dir_all(&session).expect("mkdir");
    std::fs::write(session.join("0001.hello.poml"), "<poml><p>hi</p></poml>").expect("poml");
    let paths = vec![dir.path().join("pomlruns")];
    let now = common::now_after(&paths);
    let mut ingestor = Ingestor::new(paths, Options::default());
    let mut store = Store::new();
    store.apply_all(ingestor.scan(now));
    let text = |store: &Store| {
        let (sid, session) = store.sessions().next().expect("a session");
        let id = session.spans_in_order()[0];
        let status = session.span(id).status;
        let lines = render(
            store,
            Subject::Span(sid, id),
            Tab::Messages,
            tracetui::model::time::Zone::Utc,
        )
        .doc
        .plain_lines()
        .join("\n");
        (status, lines)
    };
    let (status, shown) = text(&store);
    assert_eq!(status, Status::Running);
    assert!(
        shown.contains("Running: poml is still writing this call"),
        "{shown}"
    );
    assert!(!shown.contains("did not finish"), "{shown}");
    // Nothing more was written: it stopped.
    store.apply_all(ingestor.recheck(now + 10_000_000_000));
    let (status, shown) = text(&store);
    assert_eq!(status, Status::Incomplete);
    assert!(shown.contains("poml did not finish rendering"), "{shown}");
    assert!(
        shown.contains("incomplete: stopped without an end"),
        "{shown}"
    );
}

/// The screen cells (x, y) of the text `needle` on row `y`, if it is there.
fn cells_of(h: &Harness, y: u16, needle: &str) -> Option<Vec<(u16, u16)>> {
    let line: Vec<String> = {
        let buffer = h.terminal.backend().buffer();
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect()
    };
    let chars: Vec<char> = needle.chars().collect();
    (0..line.len()).find_map(|x| {
        let fits = chars.iter().enumerate().all(|(i, c)| {
            line.get(x + i)
                .is_some_and(|s| s.eq_ignore_ascii_case(&c.to_string()))
        });
        fits.then(|| (0..chars.len()).map(|i| ((x + i) as u16, y)).collect())
    })
}

#[test]
fn words_of_the_filter_are_found_in_the_prompt_pane() {
    let mut h = poml();
    // A word deep inside the handbook prompt: the pane opens at it, not at line 1.
    h.press("/");
    h.press("reimbursable");
    h.press("<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains("match "),
        "the title counts the matches: {screen}"
    );
    let scroll = h.app.prompt.scroll();
    let hits = h.app.prompt.search.hits.clone();
    assert!(!hits.is_empty(), "{screen}");
    let body = h.app.panes.prompt_body();
    assert!(
        hits[0].row >= scroll && hits[0].row < scroll + body.height as usize,
        "the first match is in view: {screen}"
    );
    // Highlighted where it is drawn.
    let y = body.y + (hits[0].row - scroll) as u16;
    let cells = cells_of(&h, y, "reimbursable").expect("the word on its row");
    let buffer = h.terminal.backend().buffer();
    assert!(
        cells
            .iter()
            .all(|&(x, y)| buffer[(x, y)].bg == ratatui::style::Color::Yellow)
    );

    // n/N in the pane step through the matches and say where they are.
    while h.app.focus != tracetui::app::Focus::Prompt {
        h.press("<Tab>");
    }
    let total = hits.len();
    h.press("n");
    assert!(
        h.screen().contains(&format!("match 2/{total} ")) || total == 1,
        "{}",
        h.screen()
    );
    h.press("N");
    assert!(
        h.screen().contains(&format!("match 1/{total} ")),
        "{}",
        h.screen()
    );
    h.press("N");
    assert!(
        h.screen().contains(&format!("match {total}/{total} ")),
        "wraps around: {}",
        h.screen()
    );
    let last = h.app.prompt.search.hits[total - 1].row;
    let scroll = h.app.prompt.scroll();
    assert!(
        last >= scroll && last < scroll + body.height as usize,
        "in view"
    );
}

/// Typed with the filter applied as you type, then Enter (which applies it again): the
/// pane is at the first match, not the second; a tab shown afterwards counts its matches.
#[test]
fn enter_after_typing_stays_on_the_first_match() {
    let mut h = poml();
    h.app.filter_debounce = std::time::Duration::ZERO;
    h.press("/");
    h.press("the");
    h.press("<Enter>");
    let total = h.app.prompt.search.hits.len();
    assert!(total > 1, "{}", h.screen());
    let title = h.screen().lines().next().unwrap_or_default().to_string();
    assert!(title.contains(&format!("match 1/{total} ")), "{title}");
    h.press("2");
    h.press("1");
    let title = h.screen().lines().next().unwrap_or_default().to_string();
    assert!(
        title.contains(&format!(" {total} matches "))
            && !title.contains(&format!("match {total} matches")),
        "{title}"
    );
}

#[test]
fn the_filter_applies_as_you_type_and_esc_undoes_it() {
    let mut h = poml();
    h.app.filter_debounce = std::time::Duration::ZERO;
    h.press("/");
    h.press("kind:poml_call status:error");
    // Still typing: the tree already shows the matches.
    assert!(h.app.input.is_some());
    assert!(h.app.filter.is_some(), "applied while typing");
    assert_eq!(h.app.match_count(), Some(1), "{}", h.screen());
    // Half-typed terms that do not parse yet leave the last good filter.
    h.press(" min:");
    assert!(h.app.filter.is_some());
    assert!(h.app.filter_error.is_some(), "{}", h.screen());
    h.press("<Esc>");
    assert!(h.app.input.is_none());
    assert!(h.app.filter.is_none(), "Esc went back to no filter");
}
