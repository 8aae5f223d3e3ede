//! The UI over damaged and hostile traces (drawn into a `TestBackend`): every row and every
//! tab draws without a control character from the traces, and the problems view (`!`) lists
//! each problem where it is and goes there.

mod common;

use common::Harness;
use common::hostile::{self, BAD};
use tracetui::app::Node;

fn open() -> (hostile::Hostile, Harness) {
    let h = hostile::build();
    let harness = Harness::open(
        &[h.pomlruns(), h.events(), h.dir.path().join("mlruns")],
        "hostile",
        120,
        40,
    );
    (h, harness)
}

/// Cells a terminal would act on rather than print.
fn unsafe_cells(harness: &Harness) -> Vec<(u16, u16, String)> {
    let buffer = harness.terminal.backend().buffer();
    let mut bad = Vec::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if symbol.chars().any(|c| {
                c.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
            }) {
                bad.push((x, y, symbol.escape_debug().to_string()));
            }
        }
    }
    bad
}

#[test]
fn every_row_and_tab_draws_only_printable_text() {
    let (h, mut ui) = open();
    // Open every session and span (their messages and files become rows), then walk every
    // row and every tab of each.
    let app = &mut ui.app;
    for (sid, session) in app.store.sessions() {
        app.tree.set_open(&app.store, Node::Session(sid), true);
        for id in session.spans_in_order() {
            app.tree.set_open(&app.store, Node::Span(sid, id), true);
        }
    }
    ui.press("g");
    let rows = ui.app.tree.rows().len();
    assert!(rows > 40, "the damaged tree has rows to walk: {rows}");
    let mut seen_escapes = false;
    for _ in 0..rows {
        for tab in ["1", "2", "3", "4", "5", "6"] {
            ui.press(tab);
            let bad = unsafe_cells(&ui);
            assert!(bad.is_empty(), "{bad:?} in\n{}", ui.screen());
            seen_escapes |= ui.screen().contains("␛]0;pwned␇");
        }
        ui.press("j");
    }
    assert!(seen_escapes, "the hostile message was shown, escaped");
    hostile::unlock(&h);
}

#[test]
fn the_problems_view_lists_every_problem_and_goes_to_it() {
    let (h, mut ui) = open();
    let total = ui.app.store.problem_count();
    assert!(total >= 15, "{total}");
    ui.press("!");
    let screen = ui.screen();
    assert!(screen.contains(&format!("Problems · {total}")), "{screen}");
    // Problems that belong to no session come first, then each session's.
    let first = screen
        .lines()
        .skip_while(|l| !l.contains("Problems ·"))
        .nth(1)
        .unwrap_or_default();
    let no_session = ui.app.problems()[0].session.is_none();
    assert!(no_session, "{screen}");
    // A problem of no session gives the whole row to where and what.
    let location = ui.app.problems()[0].problem.location.to_string();
    assert!(first.contains(&format!("│ {location}")), "{first}");
    assert!(screen.contains("events.jsonl:2: invalid JSON"), "{screen}");
    let bad_at = ui
        .app
        .problems()
        .iter()
        .position(|p| p.problem.location.as_ref() == "0002.empty.result.json")
        .expect("the empty result is listed");
    for _ in 0..bad_at {
        ui.press("j");
    }
    // The temporary folder's name is random; its length is not.
    let tmp = h.dir.path().display().to_string();
    let stable = ui.screen().replace(&tmp, &"X".repeat(tmp.len()));
    insta::assert_snapshot!("problems_view", stable);
    ui.press("<Enter>");
    assert!(ui.app.overlay.is_none(), "Enter closes the view");
    let screen = ui.screen();
    // The tree selects the call and the prompt pane shows its problem.
    assert!(screen.contains("Prompt · 0002.empty"), "{screen}");
    assert!(screen.contains("empty file"), "{screen}");
    let (sid, _) = ui.app.selected_span().expect("a call is selected");
    assert_eq!(&*ui.app.store.session(sid).expect("session").id, BAD);
    // `!` again opens it; `!` once more closes it.
    ui.press("!!");
    assert!(ui.app.overlay.is_none());
    hostile::unlock(&h);
}
