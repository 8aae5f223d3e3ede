//! Comparing calls in the UI: mark (`m`) one call, diff (`d`) against another, the previous
//! run's call (`D`), stepping through changes; snapshots of the diff view; what `y` and `e`
//! ask the run loop to do.

mod common;

use common::Harness;
use ratatui::style::Color;
use std::path::PathBuf;
use tracetui::app::{Effect, OverlayKind};

fn pomlruns() -> Vec<PathBuf> {
    vec![common::corpus().join("pomlruns")]
}

/// 0002.tool_caller marked, 0003.tool_caller selected, the diff open.
fn diffing(width: u16, height: u16) -> Harness {
    let mut h = Harness::open(&pomlruns(), "pomlruns", width, height);
    h.press("jjmjd");
    assert!(h.app.overlay_is(OverlayKind::Diff), "{}", h.screen());
    h
}

#[test]
fn diff_view_120x40() {
    let h = diffing(120, 40);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn diff_view_80x24() {
    let h = diffing(80, 24);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn stepping_through_changes() {
    let mut h = diffing(120, 40);
    let screen = h.screen();
    assert!(screen.contains("Diff · 2 changes"), "{screen}");
    assert!(
        screen.contains("+38 −0 in messages, +40 −1 in context; source, tools, runtime unchanged"),
        "{screen}"
    );
    h.press("n");
    insta::assert_snapshot!("diff_view_first_change", h.screen());
    let first = h.app.overlay.map(|o| o.scroll);
    h.press("n");
    let screen = h.screen();
    assert!(screen.contains("Diff · change 2/2"), "{screen}");
    assert!(
        screen.contains("@@ -11,5 +11,44 @@"),
        "the context's hunk: {screen}"
    );
    // ] and [ do the same; wrapping around.
    h.press("]");
    assert!(h.screen().contains("change 1/2"));
    assert_eq!(h.app.overlay.map(|o| o.scroll), first);
    h.press("[");
    assert!(h.screen().contains("change 2/2"));
    h.press("N");
    assert!(h.screen().contains("change 1/2"));
    // Scrolling, then Esc closes; the mark stays.
    h.press("<PgDn>j");
    h.press("<Esc>");
    assert!(!h.app.overlay_is(OverlayKind::Diff));
    assert!(h.screen().contains("◆ 0002 tool_caller"), "{}", h.screen());
}

#[test]
fn added_and_removed_lines_are_coloured() {
    let mut h = diffing(120, 40);
    h.press("n");
    let buffer = h.terminal.backend().buffer().clone();
    let find = |prefix: &str| {
        let area = buffer.area;
        (0..area.height).find_map(|y| {
            let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
            let col = row.find(prefix)?;
            let x = row[..col].chars().count() as u16;
            Some(buffer[(x, y)].fg)
        })
    };
    assert_eq!(find("+→ tool call search_flights"), Some(Color::Green));
    assert_eq!(find("@@ -6,3 +6,41 @@"), Some(Color::Cyan));
    h.press("n");
    let buffer = h.terminal.backend().buffer().clone();
    let area = buffer.area;
    let removed = (0..area.height).find_map(|y| {
        let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let col = row.find("-  \"rounds\": []")?;
        Some(buffer[(row[..col].chars().count() as u16, y)].fg)
    });
    assert_eq!(removed, Some(Color::Red));
}

#[test]
fn mark_unmark_and_what_d_says_without_a_mark() {
    let mut h = Harness::open(&pomlruns(), "pomlruns", 120, 40);
    h.press("jd");
    let status = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("Nothing marked: mark a call with m"),
        "{status}"
    );
    h.press("m");
    assert!(h.screen().contains("◆ 0001 planner"));
    assert!(
        h.screen()
            .contains("Marked 0001.planner: select another call and press d")
    );
    h.press("d");
    assert!(h.screen().contains("This is the marked call"));
    h.press("m");
    assert!(!h.screen().contains("◆"), "m again unmarks");
    assert!(h.app.mark.is_none());
    // The notice lasts until the next key.
    h.press("j");
    assert!(!h.screen().contains("Unmarked."));
}

#[test]
fn capital_d_compares_with_the_previous_run() {
    let mut h = Harness::open(&pomlruns(), "pomlruns", 120, 40);
    // The fourth session's 0003.planner; the last earlier planner is the first session's.
    h.press("]]]jjj");
    assert!(
        h.screen().contains("Prompt · 0003.planner"),
        "{}",
        h.screen()
    );
    h.press("D");
    let screen = h.screen();
    assert!(h.app.overlay_is(OverlayKind::Diff), "{screen}");
    assert!(
        screen.contains("− old  20261121123900861020 › 0001.planner"),
        "{screen}"
    );
    assert!(
        screen.contains("+ new  20261121123956698654 › 0003.planner"),
        "{screen}"
    );
    // A call whose name no earlier run has.
    h.press("<Esc>gj");
    h.press("D");
    assert!(
        h.screen()
            .contains("No earlier session has a call named planner")
    );
}

#[test]
fn the_diff_view_escapes_untrusted_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("20261121123900861020");
    std::fs::create_dir(&session).expect("mkdir");
    let source = common::corpus().join("pomlruns/20261121123900861020");
    for name in ["0001.planner.result.json", "0002.planner.result.json"] {
        let mut text =
            std::fs::read_to_string(source.join("0001.planner.result.json")).expect("read");
        if name.starts_with("0002") {
            text = text.replacen(
                "# Role",
                "# Role \\u001b]0;pwned\\u0007\\u001b[2J\\u202e",
                1,
            );
        }
        std::fs::write(session.join(name), text).expect("write");
    }
    let mut h = Harness::open(&[dir.path().to_path_buf()], "tmp", 120, 40);
    h.press("jmjd");
    let screen = h.screen();
    assert!(
        screen.contains("+# Role ␛]0;pwned␇␛[2J<U+202E>"),
        "{screen}"
    );
    assert!(
        !screen.lines().any(|l| l.chars().any(|c| c.is_control())),
        "{screen:?}"
    );
}

#[test]
fn y_and_e_ask_the_run_loop() {
    let mut h = Harness::open(&pomlruns(), "pomlruns", 120, 40);
    h.press("jj");
    // The tree: the call's path, as `tracetui diff` takes it.
    h.press("y");
    let effects = h.app.take_effects();
    let expected = common::corpus()
        .join("pomlruns/20261121123900861020/0002.tool_caller")
        .display()
        .to_string();
    assert_eq!(
        effects,
        vec![Effect::Copy {
            text: expected,
            what: "the call's path".into()
        }]
    );
    // The prompt pane: the whole tab, not only what fits.
    h.press("<Tab>y");
    match h.app.take_effects().as_slice() {
        [Effect::Copy { text, what }] => {
            assert_eq!(what, "the Messages tab");
            assert_eq!(*text, h.app.prompt.document_text());
            assert!(
                text.contains("── system ──") && text.contains("Tools (4)"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The diff view: the diff.
    h.press("<Tab><Tab>");
    h.press("mjdy");
    match h.app.take_effects().as_slice() {
        [Effect::Copy { text, what }] => {
            assert_eq!(what, "the diff");
            assert!(
                text.starts_with("− old  20261121123900861020 › 0002.tool_caller"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        h.app.overlay_is(OverlayKind::Diff),
        "y leaves the view open"
    );
    // e: the file the call's .source.poml link points at (relative, in the corpus).
    h.press("<Esc>e");
    match h.app.take_effects().as_slice() {
        [Effect::Edit { path, copy }] => {
            assert_eq!(*copy, None);
            assert!(
                path.ends_with("workspace/prompts/tool_caller.poml"),
                "{path:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A dangling link (poml's temp file): a copy of the trace's .poml is opened instead.
    h.press("]je");
    match h.app.take_effects().as_slice() {
        [Effect::Edit { path, copy }] => {
            assert_eq!(*copy, Some("the call's source link is gone"));
            assert!(
                path.ends_with("20261121123920318408/0001.tmp7pe1ooq3.poml"),
                "{path:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // On a session row there is nothing to edit.
    h.press("ge");
    assert!(h.app.take_effects().is_empty());
    assert!(h.screen().contains("Select a POML call to open its source"));
}

#[test]
fn e_opens_the_linked_source_when_it_exists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("runs/20261121123900861020");
    std::fs::create_dir_all(&session).expect("mkdir");
    let prompt = dir.path().join("planner.poml");
    std::fs::write(&prompt, "<poml/>").expect("write");
    let source = common::corpus().join("pomlruns/20261121123900861020");
    for suffix in [".poml", ".result.json"] {
        std::fs::copy(
            source.join(format!("0001.planner{suffix}")),
            session.join(format!("0001.planner{suffix}")),
        )
        .expect("copy");
    }
    std::os::unix::fs::symlink(&prompt, session.join("0001.planner.source.poml")).expect("link");
    let mut h = Harness::open(&[dir.path().join("runs")], "runs", 120, 40);
    h.press("je");
    assert_eq!(
        h.app.take_effects(),
        vec![Effect::Edit {
            path: prompt.canonicalize().expect("canonical"),
            copy: None
        }]
    );
}

#[test]
fn event_spans_compare_input_output_and_error() {
    let mut h = Harness::open(
        &[common::fixture("pml").join("documented.jsonl")],
        "documented.jsonl",
        120,
        40,
    );
    let find = |h: &Harness, key: &str| {
        h.app
            .store
            .sessions()
            .find_map(|(sid, s)| s.find(key).map(|id| tracetui::app::Node::Span(sid, id)))
    };
    let t1 = find(&h, "t1").expect("t1");
    let t3 = find(&h, "t3").expect("t3");
    h.app.tree.select_node(&h.app.store, t1);
    h.press("m");
    h.app.tree.select_node(&h.app.store, t3);
    h.press("d");
    let screen = h.screen();
    assert!(h.app.overlay_is(OverlayKind::Diff), "{screen}");
    assert!(screen.contains("in input"), "{screen}");
    assert!(screen.contains("-  \"path\": \"data.json\""), "{screen}");
    assert!(screen.contains("+  \"path\": \"b.json\""), "{screen}");
}

/// `e` never hands the editor a file of the watched trace: a `.source.poml` that is a plain
/// file (a trace copied with `cp -rL`), one linked to the call's own `.poml`, or a
/// `SOURCE_PATH` into the trace, each opens as a private copy.
#[test]
fn e_never_hands_the_editor_a_file_of_the_watched_trace() {
    let source = common::corpus().join("pomlruns/20261121123900861020");
    type Setup = fn(&std::path::Path);
    let cases: [(&str, Setup); 3] = [
        ("a plain .source.poml", |s| {
            std::fs::write(s.join("0001.planner.source.poml"), "<poml/>").expect("write");
        }),
        ("a link to the call's .poml", |s| {
            std::os::unix::fs::symlink("0001.planner.poml", s.join("0001.planner.source.poml"))
                .expect("link");
        }),
        ("SOURCE_PATH into the trace", |s| {
            let inside = s.join("0001.planner.poml");
            std::fs::write(
                s.join("0001.planner.env"),
                format!("SOURCE_PATH={}\n", inside.display()),
            )
            .expect("env");
        }),
    ];
    for (what, setup) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let runs = dir.path().join("runs");
        let session = runs.join("20261121123900861020");
        std::fs::create_dir_all(&session).expect("mkdir");
        for suffix in [".poml", ".result.json"] {
            std::fs::copy(
                source.join(format!("0001.planner{suffix}")),
                session.join(format!("0001.planner{suffix}")),
            )
            .expect("copy");
        }
        setup(&session);
        let shown = runs.display().to_string();
        let mut h = Harness::open(std::slice::from_ref(&runs), &shown, 120, 40);
        h.press("je");
        match h.app.take_effects().as_slice() {
            [Effect::Edit { path, copy }] => {
                assert!(
                    path.starts_with(runs.canonicalize().expect("real")),
                    "{what}: {path:?}"
                );
                assert_eq!(
                    *copy,
                    Some("the source is a file of the watched trace"),
                    "{what}"
                );
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}
