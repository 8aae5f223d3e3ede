//! The mouse: a click selects tree rows, prompt tabs and timeline bars, the wheel scrolls the
//! pane under the pointer (and stays scrolled until a key), and overlays take the mouse
//! while open.

mod common;

use common::Harness;
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tracetui::app::{Focus, Node, OverlayKind};

fn open(width: u16, height: u16) -> Harness {
    Harness::open(
        &[common::corpus().join("pomlruns")],
        "pomlruns",
        width,
        height,
    )
}

fn mouse(h: &mut Harness, kind: MouseEventKind, column: u16, row: u16) {
    h.app.handle_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
    h.draw();
}

fn click(h: &mut Harness, column: u16, row: u16) {
    mouse(h, MouseEventKind::Down(MouseButton::Left), column, row);
}

#[test]
fn clicks_select_rows_tabs_and_bars() {
    let mut h = open(120, 40);
    let y = h.row_of("0003 tool_caller");
    click(&mut h, 5, y);
    assert_eq!(h.app.focus, Focus::Tree);
    assert!(h.screen().contains("Prompt · 0003.tool_caller"));
    // A second click on the selected row opens it, like Enter.
    click(&mut h, 5, y);
    assert!(
        h.screen().contains("system: You are TripWise"),
        "{}",
        h.screen()
    );
    // A tab.
    let tabs = h.row_of("1 Messages");
    let x = h
        .screen()
        .lines()
        .nth(tabs as usize)
        .expect("row")
        .find("2 Context")
        .expect("tab");
    let column = h.screen().lines().nth(tabs as usize).expect("row")[..x]
        .chars()
        .count() as u16;
    click(&mut h, column, tabs);
    assert_eq!(h.app.prompt.tab, 1);
    assert_eq!(h.app.focus, Focus::Prompt);
    // A bar on the timeline: its row selects that call.
    let bar = h.row_of("│0008 verifier");
    click(&mut h, 60, bar);
    assert_eq!(h.app.focus, Focus::Timeline);
    assert!(
        h.screen().contains("Prompt · 0008.verifier"),
        "{}",
        h.screen()
    );
}

#[test]
fn the_wheel_scrolls_the_pane_under_it_and_stays() {
    let mut h = open(120, 30);
    h.press("j");
    let selected = h.app.selected();
    // The prompt pane, without moving the selection or the focus.
    let prompt_row = h.row_of("── system ──");
    mouse(&mut h, MouseEventKind::ScrollDown, 80, prompt_row);
    assert_eq!(h.app.prompt.scroll(), 3);
    assert_eq!((h.app.selected(), h.app.focus), (selected, Focus::Tree));
    // The tree: the selected first call scrolls off the top, and stays off after a redraw.
    for _ in 0..5 {
        mouse(&mut h, MouseEventKind::ScrollDown, 5, 5);
    }
    assert!(h.app.tree.offset >= 10, "{}", h.app.tree.offset);
    h.draw();
    assert!(h.app.tree.offset >= 10, "a redraw does not snap back");
    assert!(!h.screen().contains("▸ 0001 planner"), "{}", h.screen());
    // A key brings the selection back into view.
    h.press("j");
    assert!(h.screen().contains("0002 tool_caller"));
    assert!(h.app.tree.offset <= 2, "{}", h.app.tree.offset);
    // The timeline's rows.
    let timeline = h.row_of("│0001 planner");
    mouse(&mut h, MouseEventKind::ScrollDown, 60, timeline);
    h.draw();
    assert!(
        !h.screen().contains("│0001 planner"),
        "scrolled:\n{}",
        h.screen()
    );
}

#[test]
fn overlays_take_the_mouse() {
    let mut h = open(120, 40);
    h.press("?");
    click(&mut h, 2, 2);
    assert!(h.app.overlay.is_none(), "a click closes the help");
    // The diff view scrolls with the wheel.
    h.press("jjmjd");
    assert!(h.app.overlay_is(OverlayKind::Diff));
    let (selected, offset) = (h.app.selected(), h.app.tree.offset);
    mouse(&mut h, MouseEventKind::ScrollDown, 50, 10);
    assert_eq!(h.app.overlay.map(|o| o.scroll), Some(3));
    assert!(h.app.overlay_is(OverlayKind::Diff));
    assert_eq!(
        (h.app.selected(), h.app.tree.offset),
        (selected, offset),
        "the tree below did not get it"
    );
    // A click on the status bar, outside the view, closes it.
    click(&mut h, 2, 39);
    assert!(h.app.overlay.is_none());
    // The problems view: a click selects a problem, a click on the selected one goes to it
    // (the only problem is selected already).
    h.press("!");
    let row = h.row_of("Problems · 1");
    click(&mut h, 10, row + 1);
    assert!(h.app.overlay.is_none());
    assert!(
        matches!(h.app.selected(), Some(Node::Span(..))),
        "went to the problem's call"
    );
    assert!(
        h.screen().contains("Prompt · 0015.reminder"),
        "{}",
        h.screen()
    );
    // The patterns view: a click selects a line, a second click on it goes to the call.
    h.press("p");
    // The second slowest (the cursor starts on the first line that leads somewhere).
    let row = h.row_of("Slowest calls") + 2;
    let line = h
        .screen()
        .lines()
        .nth(usize::from(row))
        .unwrap_or_default()
        .to_string();
    click(&mut h, 20, row);
    assert!(h.app.overlay_is(OverlayKind::Patterns), "one click selects");
    assert!(h.screen().contains("Enter go to it"), "{}", h.screen());
    click(&mut h, 20, row);
    assert!(h.app.overlay.is_none(), "a second click goes there");
    let Some(Node::Span(sid, id)) = h.app.selected() else {
        panic!("a call is selected: {}", h.screen());
    };
    let key = h.app.store.session(sid).map(|s| s.key(id).to_string());
    let key = key.expect("its session");
    assert!(
        line.contains(&key),
        "the slowest call {key} is the clicked line {line:?}"
    );
}
