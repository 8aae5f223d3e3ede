//! PML spans in the UI: the execution tree, the timeline with an error, the detail pane,
//! the patterns view and the filter, drawn into a `TestBackend`.

mod common;

use common::Harness;
use ratatui::style::{Color, Modifier};

fn documented(width: u16, height: u16) -> (tempfile::TempDir, Harness) {
    // An old mtime, as for any finished trace: the open execution reads as stopped.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("documented.jsonl");
    std::fs::copy(common::fixture("pml/documented.jsonl"), &path).expect("copy");
    filetime::set_file_mtime(&path, filetime::FileTime::from_unix_time(1_700_000_100, 0))
        .expect("mtime");
    let h = Harness::open(&[path], "documented.jsonl", width, height);
    (dir, h)
}

#[test]
fn a_pml_session_tree_timeline_and_detail() {
    let (_dir, mut h) = documented(120, 40);
    // exec_1 > execution > triage_issue (open it) > read_file > create_issue (the error).
    h.press("jjljj");
    let screen = h.screen();
    insta::assert_snapshot!("pml_session", screen);
    assert!(screen.contains("Prompt · t2"), "{screen}");
    assert!(screen.contains("server: github"), "{screen}");
    assert!(screen.contains("rate limited"), "{screen}");
    // The failed call's bar is red.
    let buffer = h.terminal.backend().buffer();
    let (y, line) = screen
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("github:create_issue") && l.contains('█'))
        .last()
        .expect("the timeline row of the failed call");
    let x = line.chars().position(|c| c == '█').expect("bar") as u16;
    let cell = &buffer[(x, y as u16)];
    assert!(cell.fg == Color::Red || cell.bg == Color::Red, "{cell:?}");
}

#[test]
fn the_event_tabs_show_input_output_and_raw_events() {
    let (_dir, mut h) = documented(120, 40);
    h.press("jjlj");
    h.press("2");
    assert!(
        h.screen().contains("\"path\": \"data.json\""),
        "input: {}",
        h.screen()
    );
    h.press("3");
    assert!(
        h.screen().contains("\"content\": \"{}\""),
        "output: {}",
        h.screen()
    );
    h.press("4");
    assert!(
        h.screen().contains("documented.jsonl:3"),
        "raw: {}",
        h.screen()
    );
}

#[test]
fn the_patterns_view() {
    let (_dir, mut h) = documented(120, 40);
    // On a span, so no temporary path shows behind the overlay.
    h.press("jp");
    let screen = h.screen();
    assert!(!screen.contains("/tmp"), "{screen}");
    insta::assert_snapshot!("patterns", screen);
    assert!(
        screen.contains("filesystem:read_file  →  github:create_issue"),
        "{screen}"
    );
    h.press("<Esc>");
    assert!(!h.screen().contains("Patterns"), "Esc closes it");
}

/// Whether the patterns view draws row `y` as the selected line.
fn highlighted(h: &Harness, y: u16) -> bool {
    let buffer = h.terminal.backend().buffer();
    // Inside the popup (columns 5 to 114 at a width of 120), text and padding alike.
    (6..114)
        .map(|x| &buffer[(x, y)])
        .all(|c| c.bg == Color::DarkGray || c.modifier.contains(Modifier::REVERSED))
}

#[test]
fn the_patterns_view_goes_to_calls_and_filters_by_tools() {
    let (_dir, mut h) = documented(120, 40);
    h.press("jp");
    // The cursor starts on the first line that leads somewhere: the busiest tool, not the
    // heading above it.
    let screen = h.screen();
    assert!(!highlighted(&h, h.row_of("Tools (4)")), "{screen}");
    assert!(
        highlighted(&h, h.row_of("│  filesystem:read_file ")),
        "{screen}"
    );
    assert!(
        screen.contains("j/k move · Enter filter by it · Esc close"),
        "{screen}"
    );
    // From the last tool, j passes over the blank line and the heading.
    h.press("jjj");
    assert!(
        highlighted(&h, h.row_of("│  github:create_issue ")),
        "{}",
        h.screen()
    );
    h.press("j");
    let screen = h.screen();
    assert!(!highlighted(&h, h.row_of("Sequences")), "{screen}");
    assert!(
        highlighted(&h, h.row_of("Sequences") + 1),
        "on the first sequence: {screen}"
    );
    h.press("k");
    assert!(
        highlighted(&h, h.row_of("│  github:create_issue ")),
        "{}",
        h.screen()
    );

    // Down to the slowest call (the failed github:create_issue): Enter selects it.
    h.press("<PgDn>");
    while !h.screen().contains("Enter go to it") {
        h.press("j");
    }
    let screen = h.screen();
    let row = h.row_of("100ms  github:create_issue  t2");
    assert!(highlighted(&h, row), "{screen}");
    assert!(!highlighted(&h, row + 1), "one line is selected: {screen}");
    h.press("<Enter>");
    assert!(h.app.overlay.is_none(), "Enter on a call closes the view");
    let screen = h.screen();
    assert!(screen.contains("Prompt · t2"), "{screen}");
    assert!(screen.contains("rate limited"), "{screen}");

    // A tool's row filters by it.
    h.press("pg");
    assert!(h.screen().contains("Enter filter by it"), "{}", h.screen());
    h.press("<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains("filter: tool:filesystem:read_file (3 matches)"),
        "{screen}"
    );
    // The patterns follow the filter (no failed call reads a file); G goes to the
    // last line.
    h.press("p");
    assert!(
        h.screen()
            .contains("Patterns · filter: tool:filesystem:read_file")
    );
    h.press("gG");
    let screen = h.screen();
    assert!(
        !highlighted(&h, h.row_of("Failed calls (0)")),
        "G stops on the last line that leads somewhere: {screen}"
    );
    assert!(screen.contains("Enter go to it"), "{screen}");
}

#[test]
fn a_sequence_filters_by_both_tools() {
    let (_dir, mut h) = documented(120, 40);
    h.press("jp");
    // From the first of 4 tools, the cursor passes over the blank line and the Sequences
    // heading: the fifth move is on the second sequence.
    h.press("g");
    for _ in 0..5 {
        h.press("j");
    }
    let screen = h.screen();
    let row = h.row_of("filesystem:read_file  →  github:create_issue");
    assert!(highlighted(&h, row), "{screen}");
    h.press("<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains("filter: tool:github:create_issue after:filesystem:read_file (1 match)"),
        "{screen}"
    );
    assert!(
        screen.contains("Prompt · t2"),
        "the match is selected: {screen}"
    );
}

#[test]
fn filtering_in_the_ui_hides_rows_and_moves_between_matches() {
    let (_dir, mut h) = documented(120, 40);
    h.press("/status:error");
    assert!(
        h.screen().contains("/status:error"),
        "the prompt shows what is typed: {}",
        h.screen()
    );
    h.press("<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains("filter: status:error (3 matches)"),
        "{screen}"
    );
    assert!(
        !screen.contains("write_file"),
        "non-matching rows are hidden: {screen}"
    );
    assert!(screen.contains("triage_issue"), "ancestors stay: {screen}");
    let first = h.app.selected();
    h.press("n");
    let second = h.app.selected();
    assert_ne!(first, second);
    h.press("N");
    assert_eq!(h.app.selected(), first, "N goes back");
    // The patterns view follows the filter.
    h.press("p");
    assert!(h.screen().contains("Patterns · filter: status:error"));
    h.press("<Esc><Esc>");
    assert!(h.screen().contains("write_file"), "Esc clears the filter");
    // A bad filter says why and stays open.
    h.press("/status:maybe<Enter>");
    assert!(
        h.screen().contains("status:maybe: use ok, error"),
        "{}",
        h.screen()
    );
    h.press("<Esc>");
    assert!(h.app.input.is_none());
}
