//! The UI drawn into a `TestBackend` from the real corpus: snapshots of the main screen,
//! every prompt tab and the help overlay, style checks on cells that carry meaning, and a
//! no-panic sweep over sizes down to 0x0.

mod common;

use common::Harness;
use ratatui::style::{Color, Modifier};
use std::path::PathBuf;

fn pomlruns() -> Vec<PathBuf> {
    vec![common::corpus().join("pomlruns")]
}

/// First session, third call (0003.tool_caller): ai and tool messages, tools, runtime.
fn on_tool_caller(width: u16, height: u16) -> Harness {
    let mut h = Harness::open(&pomlruns(), "pomlruns", width, height);
    h.press("jjj");
    h
}

#[test]
fn main_screen_120x40() {
    let h = on_tool_caller(120, 40);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn main_screen_80x24() {
    let h = on_tool_caller(80, 24);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn every_prompt_tab() {
    // 0009.summarizer has a stylesheet; open each tab in turn.
    let mut h = Harness::open(&pomlruns(), "pomlruns", 100, 32);
    h.press("jjjjjjjjj");
    for tab in 1..=6 {
        h.press(&tab.to_string());
        insta::assert_snapshot!(format!("tab_{tab}"), h.screen());
    }
}

#[test]
fn help_overlay() {
    let mut h = Harness::open(&pomlruns(), "pomlruns", 120, 40);
    h.press("?");
    insta::assert_snapshot!("help_120x40", h.screen());
    h.resize(80, 24);
    insta::assert_snapshot!("help_80x24", h.screen());
    h.press("jjjjjjjjjjjjjjjjjjjjjjjjjjj");
    assert!(
        h.screen().contains("next tab"),
        "scrolled to the end of the help"
    );
    h.press("x");
    assert!(
        !h.screen().contains("tracetui keys"),
        "any other key closes it"
    );
}

#[test]
fn expanded_call_shows_messages_and_files() {
    let mut h = on_tool_caller(120, 40);
    h.press("l");
    let screen = h.screen();
    for expected in [
        "system: You are TripWise",
        "tool: ← search_flights",
        ".result.json  4.4 KB",
    ] {
        assert!(screen.contains(expected), "{expected} in\n{screen}");
    }
    // Selecting the tool message scrolls the prompt to it.
    h.press("jjjj");
    let screen = h.screen();
    let prompt_top = screen.lines().nth(2).expect("a line");
    assert!(prompt_top.contains("── tool ──"), "{prompt_top}");
}

#[test]
fn navigation_between_sessions_and_the_timeline_stays_in_sync() {
    let mut h = Harness::open(&pomlruns(), "pomlruns", 120, 40);
    h.press("]j");
    assert_eq!(
        h.app.selected_span().map(|(_, id)| id.0),
        Some(0),
        "first call of the second session"
    );
    let screen = h.screen();
    assert!(screen.contains("ms · 20261121123920318408 "), "{screen}");
    // Moving in the timeline moves the tree selection.
    h.press("<Tab><Tab>");
    assert_eq!(h.app.focus, tracetui::app::Focus::Timeline);
    h.press("[");
    h.press("j");
    let before = h.app.selected();
    h.press("j");
    assert_ne!(h.app.selected(), before);
    assert!(matches!(
        h.app.selected(),
        Some(tracetui::app::Node::Span(..))
    ));
}

#[test]
fn timeline_zoom_and_pan() {
    let mut h = on_tool_caller(120, 40);
    let title = |h: &Harness| {
        h.screen()
            .lines()
            .find(|l| l.contains("Timeline ·"))
            .map(str::to_string)
            .expect("timeline title")
    };
    assert!(title(&h).contains("0–18.1s of 18.1s"), "{}", title(&h));
    h.press("++");
    assert!(title(&h).contains("2.2×"), "{}", title(&h));
    let zoomed = title(&h);
    h.press("<Tab><Tab>ll");
    assert_ne!(title(&h), zoomed, "panned");
    h.press("0");
    assert!(title(&h).contains("0–18.1s"), "{}", title(&h));
}

#[test]
fn meaning_carrying_cells_are_styled() {
    let mut h = Harness::open(&[common::corpus().join("damaged")], "damaged", 120, 40);
    let screen = h.screen();
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("0002 tool_caller"))
        .expect("broken call row");
    let x = line.chars().position(|c| c == '✗').expect("error marker") as u16;
    let cell = &h.terminal.backend().buffer()[(x, y as u16)];
    assert_eq!(cell.fg, Color::Red, "error marker is red");
    // The selected row is highlighted.
    h.press("j");
    let row = (0..120u16)
        .map(|x| h.terminal.backend().buffer()[(x, 2)].bg)
        .collect::<Vec<_>>();
    assert!(
        row[5] == Color::DarkGray,
        "selected row has the selection background"
    );
}

#[test]
fn no_color_uses_no_colors() {
    let mut h = on_tool_caller(100, 30);
    h.theme = tracetui::ui::Theme::monochrome();
    h.draw();
    let buffer = h.terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "a coloured cell: {cell:?}"
        );
    }
    assert!(
        buffer
            .content()
            .iter()
            .any(|c| c.modifier.contains(Modifier::REVERSED)),
        "the selection still shows"
    );
}

#[test]
fn no_panic_at_any_size_down_to_zero() {
    let mut h = on_tool_caller(120, 40);
    h.press("l");
    for (w, ht) in (0..=130u16)
        .step_by(7)
        .flat_map(|w| (0..=45u16).step_by(5).map(move |h| (w, h)))
    {
        h.resize(w, ht);
        for keys in ["j", "6", "?", "<Esc>", "+", "<Tab>", "<PgDn>", "G", "k"] {
            h.press(keys);
        }
    }
    for (w, ht) in [(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 1)] {
        h.resize(w, ht);
        h.press("jl1?");
    }
}

#[test]
fn the_run_loop_drives_the_app_from_events() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use tracetui::app::event::AppEvent;
    use tracetui::ingest::{Ingestor, Options};
    use tracetui::model::time::Zone;

    let options = Options::default();
    let now = common::now_after(&pomlruns());
    let updates = Ingestor::new(pomlruns(), options).scan(now);
    let (tx, rx) = std::sync::mpsc::channel();
    tx.send(AppEvent::Ingested(updates)).expect("send");
    for c in ['j', 'j', 'l', '2', 'q'] {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        tx.send(AppEvent::Key(key)).expect("send");
    }
    let mut app = tracetui::app::App::new(vec!["pomlruns".into()], Zone::Utc);
    app.follow = false;
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    let theme = tracetui::ui::Theme::colored();
    tracetui::terminal::run::run_loop(&mut terminal, &mut app, &rx, &theme, || now)
        .expect("runs until q");
    assert!(app.should_quit);
    assert_eq!(app.prompt.tab, 1, "the second tab: Context for a POML call");
    // The loop quit before drawing the last events; draw what it left.
    tracetui::terminal::run::draw(&mut terminal, &mut app, &theme, now).expect("draw");
    let text = app.prompt.text();
    assert!(
        text.contains("\"request\": \"Plan my trip to Lisbon"),
        "the context of 0002: {text}"
    );
}

#[test]
fn an_in_flight_call_grows_with_the_clock() {
    use tracetui::ingest::{Ingestor, Options};
    use tracetui::model::time::{NS_PER_SEC, Zone, now_ns};
    let dir = tempfile::tempdir().expect("tempdir");
    // Not a timestamp name: the session starts at its first file, whatever the clock says.
    let session = dir.path().join("session");
    std::fs::create_dir(&session).expect("mkdir");
    std::fs::write(session.join("0001.done.poml"), "<poml/>").expect("poml");
    std::fs::write(
        session.join("0001.done.result.json"),
        r#"{"messages":[{"speaker":"human","content":"hi"}]}"#,
    )
    .expect("result");
    std::fs::write(session.join("0002.writing.poml"), "").expect("reserved");
    // The session's start, not the clock after writing (a loaded machine puts time between).
    let first = std::fs::metadata(session.join("0001.done.poml"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let start = first
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_else(|_| now_ns());
    let options = Options::default();
    let mut app = tracetui::app::App::new(vec![dir.path().to_path_buf()], Zone::Utc);
    app.ingest(Ingestor::new(vec![dir.path().to_path_buf()], options).scan(start));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    let theme = tracetui::ui::Theme::colored();
    let screen = |terminal: &ratatui::Terminal<ratatui::backend::TestBackend>| {
        let buffer = terminal.backend().buffer();
        (0..30u16)
            .map(|y| {
                (0..100u16)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
    };
    // The ▶ tip of the in-flight bar, as (column, row).
    let tip = |lines: &[String]| {
        lines.iter().enumerate().find_map(|(y, l)| {
            l.contains("0002 writing")
                .then(|| l.chars().position(|c| c == '▶').map(|x| (x, y)))?
        })
    };
    tracetui::terminal::run::draw(&mut terminal, &mut app, &theme, start + NS_PER_SEC)
        .expect("draw");
    let early = screen(&terminal);
    tracetui::terminal::run::draw(&mut terminal, &mut app, &theme, start + 20 * NS_PER_SEC)
        .expect("draw");
    let late = screen(&terminal);
    let title = |lines: &[String]| {
        lines
            .iter()
            .find(|l| l.contains("Timeline ·"))
            .cloned()
            .expect("title")
    };
    assert!(title(&early).contains("of 1.00s"), "{}", title(&early));
    assert!(
        title(&late).contains("of 20.0s"),
        "the session grows with the clock: {}",
        title(&late)
    );
    let (early_x, _) = tip(&early).expect("a growing bar early");
    let (late_x, _) = tip(&late).expect("a growing bar later");
    assert_eq!(early_x, late_x, "the tip stays at the leading edge");
    // The finished call shrinks against the longer axis.
    let done_cells = |lines: &[String]| {
        lines
            .iter()
            .find(|l| l.contains("0001 done"))
            .map(|l| l.matches('█').count())
            .expect("row")
    };
    assert!(done_cells(&late) <= done_cells(&early));
    assert!(
        late.iter().any(|l| l.contains("writing…")),
        "the tree marks it as being written"
    );
}

/// A call that starts at the session's last instant (here a one-call session, its call
/// made three seconds after the folder was named) is drawn as a tick on the timeline, in
/// view, not as an off-screen ▸; so is the last call of a longer session.
#[test]
fn a_call_at_the_sessions_last_instant_has_a_visible_tick() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("20261121123900000000");
    std::fs::create_dir(&session).expect("mkdir");
    for suffix in [".poml", ".result.json"] {
        let file = session.join(format!("0001.only{suffix}"));
        std::fs::write(
            &file,
            r#"{"messages":[{"speaker":"human","content":"hi"}]}"#,
        )
        .expect("write");
        // 2026-11-21 12:39:03 UTC: three seconds after the name.
        let t = filetime::FileTime::from_unix_time(1_795_264_743, 0);
        filetime::set_file_mtime(&file, t).expect("mtime");
    }
    let mut h = common::Harness::open(&[dir.path().to_path_buf()], "runs", 120, 40);
    h.press("j");
    let screen = h.screen();
    let row = screen
        .lines()
        .rfind(|l| l.contains("0001 only"))
        .expect("the call's timeline row");
    assert!(!row.contains('▸'), "off the edge:\n{screen}");
    assert!(row.contains('█'), "no tick:\n{screen}");
    // `0` (fit) keeps it in view.
    h.press("<Tab><Tab>0");
    let screen = h.screen();
    let row = screen
        .lines()
        .rfind(|l| l.contains("0001 only"))
        .expect("row");
    assert!(row.contains('█') && !row.contains('▸'), "{screen}");
}

/// `o` on a call with nothing related says so, rather than doing nothing.
#[test]
fn o_with_nothing_related_says_so() {
    let mut h = common::Harness::open(&pomlruns(), "pomlruns", 160, 40);
    h.press("jo");
    let screen = h.screen();
    assert!(screen.contains("Nothing related"), "{screen}");
}
