//! The config file in the app: key overrides drive dispatch and show in the help overlay,
//! mistakes are said in the status bar, and the light and mono themes colour accordingly.

mod common;

use common::Harness;
use ratatui::style::Color;
use tracetui::app::OverlayKind;
use tracetui::cli::config;

fn open() -> Harness {
    Harness::open(&[common::corpus().join("pomlruns")], "pomlruns", 120, 40)
}

#[test]
fn key_overrides_dispatch_and_show_in_help() {
    let mut h = open();
    let c = config::parse("[keys]\nquit = \"x\"\ndiff = [\"v\", \"C-d\"]\nmark = \"M\"\n");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    h.app.configure(&c);
    // C-d was "page down": it now diffs, and the status bar says so.
    h.draw();
    assert!(
        h.screen()
            .contains("config: C-d now runs diff instead of page-down"),
        "{}",
        h.screen()
    );
    // The status bar's hints and the notices name the keys in use, not the defaults.
    h.press("j");
    let status = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        status.ends_with("Tab pane  1-6 tabs  ? help  x quit"),
        "{status}"
    );
    h.press("M");
    let status = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("select another call and press v to compare"),
        "{status}"
    );
    h.press("jv");
    assert!(h.app.overlay_is(OverlayKind::Diff), "{}", h.screen());
    h.press("<Esc>");
    h.press("m");
    assert!(h.app.mark.is_some(), "m no longer unmarks: it is unbound");
    h.press("?");
    let screen = h.screen();
    assert!(screen.contains("  x           quit"), "{screen}");
    assert!(
        screen.contains("  v C-d       diff the marked call"),
        "{screen}"
    );
    assert!(
        screen.contains("  PgDn        scroll the focused pane down a page"),
        "{screen}"
    );
    // The notes under the table name the keys in use too.
    h.press("GGG");
    let screen = h.screen();
    assert!(
        screen.contains("Diff view (M on a call, v on another"),
        "{screen}"
    );
    h.press("<Esc>q");
    assert!(!h.app.should_quit, "q is no longer bound");
    h.press("x");
    assert!(h.app.should_quit);
}

#[test]
fn mistakes_are_said_and_ignored() {
    let mut h = open();
    let c = config::parse("theme = \"neon\"\n[keys]\nfly = \"f\"\n");
    h.app.configure(&c);
    h.draw();
    let status = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains(
            "theme = \"neon\": expected \"dark\", \"light\" or \"mono\" (and 1 more; ! to list the mistakes)"
        ),
        "{status}"
    );
    // Every mistake stays in the problems view, after the notice is gone.
    h.press("j!");
    let screen = h.screen();
    assert!(
        screen.contains("expected \"dark\", \"light\" or \"mono\""),
        "{screen}"
    );
    assert!(screen.contains("[keys] fly: no such action"), "{screen}");
    h.press("<Esc>");
    // Defaults still work.
    h.press("jq");
    assert!(h.app.should_quit);
}

#[test]
fn light_and_mono_themes() {
    let mut h = open();
    h.theme = tracetui::ui::Theme::from_config(Some(config::ThemeName::Light));
    h.draw();
    let buffer = h.terminal.backend().buffer().clone();
    // The focused tree's border and title: blue on a light background, not cyan.
    assert_eq!(buffer[(0, 0)].fg, Color::Blue);
    h.theme = tracetui::ui::Theme::from_config(Some(config::ThemeName::Mono));
    h.draw();
    let buffer = h.terminal.backend().buffer().clone();
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "mono uses no colour"
    );
    h.theme = tracetui::ui::Theme::from_config(Some(config::ThemeName::Dark));
    h.draw();
    assert_eq!(h.terminal.backend().buffer()[(0, 0)].fg, Color::Cyan);
}
