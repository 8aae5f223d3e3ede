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
