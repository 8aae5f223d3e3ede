//! The real binary in tmux over hostile traces: content holding title changes, clear-screen,
//! cursor moves, hyperlinks and bidi overrides is walked call by call and tab by tab, and
//! the title, the layout and the keys stay the app's; and a whole session of use leaves
//! the opened folders exactly as they were.

mod common;

use common::hostile::{self, Hostile};
use common::tmux::{Tmux, binary};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// The frame is the app's: the tree's top border starts the first line, its right border
/// runs down to its bottom corner, and the status bar is the last line.
fn assert_layout(screen: &str) {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    assert_eq!(lines.len(), HEIGHT as usize, "{screen}");
    let top = &lines[0];
    assert!(
        matches!(top.first(), Some('┏' | '┌'))
            && top.iter().collect::<String>().contains("Calls ·"),
        "{screen}"
    );
    let corner = top
        .iter()
        .position(|&c| c == '┓' || c == '┐')
        .unwrap_or_else(|| panic!("tree pane's corner in\n{screen}"));
    let bottom = lines
        .iter()
        .position(|l| matches!(l.first(), Some('┗' | '└')))
        .unwrap_or_else(|| panic!("tree pane's bottom in\n{screen}"));
    for (y, line) in lines.iter().enumerate().take(bottom).skip(1) {
        assert!(
            matches!(line.get(corner), Some('┃' | '│')),
            "row {y}: the tree's right border moved\n{screen}"
        );
    }
    let status: String = lines[HEIGHT as usize - 1].iter().collect();
    assert!(status.contains("problems (!)"), "{screen}");
}

fn open(h: &Hostile) -> (Tmux, String) {
    let tmux = Tmux::start(WIDTH, HEIGHT, h.dir.path());
    // A title of our own first, to see whether anything changes it.
    tmux.shell("printf '\\033]2;before-tracetui\\033\\\\'");
    assert_eq!(
        tmux.title(),
        "before-tracetui",
        "tmux takes titles from programs"
    );
    let done = tmux.launch(&format!("{} pomlruns events.jsonl mlruns", binary()));
    tmux.wait_for("the first load", |s| s.contains(" LIVE "));
    (tmux, done)
}

#[test]
fn hostile_content_never_drives_the_terminal() {
    let h = hostile::build();
    let (tmux, done) = open(&h);
    let check = |what: &str| {
        let screen = tmux.screen();
        assert_layout(&screen);
        assert_eq!(tmux.title(), "before-tracetui", "{what}:\n{screen}");
    };
    // Walk every row from the top: expand it (or step into it), show each tab, move on.
    // Damage done by an escape sequence stays on screen until the cells are drawn again,
    // so checking between batches catches it.
    tmux.keys(&["g"]);
    let step = ["l", "1", "2", "3", "4", "5", "6", "j"];
    for batch in 0..30 {
        let keys: Vec<&str> = step.iter().copied().cycle().take(step.len() * 8).collect();
        tmux.keys(&keys);
        std::thread::sleep(std::time::Duration::from_millis(100));
        check(&format!("walk, batch {batch}"));
    }
    // The hostile texts themselves, found with the filter, on every tab.
    for (find, shown) in [
        (
            "escapes",
            "␛]0;pwned␇␛[2J␛[10;10H␛]8;;http://evil␛\\link␛]8;;␛\\ <U+202E>gnp.exe",
        ),
        ("owned", "␛]2;owned␇␛[H␛[2J"),
        ("mlflow-pwned", "␛]0;mlflow-pwned␇evil"),
    ] {
        // (Not Esc to clear the old filter: Esc and the next key in one read are Alt+key.)
        tmux.keys(&["/", "C-u", find, "Enter", "n", "1"]);
        tmux.wait_for(shown, |s| s.contains(shown));
        check(find);
        for tab in ["2", "3", "4", "5", "6", "1"] {
            tmux.keys(&[tab]);
            check(find);
        }
    }
    // Still the app's keys: the problems view, help, quit.
    tmux.keys(&["!"]);
    tmux.wait_for("problems view", |s| s.contains("Problems ·"));
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("tracetui keys"));
    tmux.keys(&["q"]);
    let (_, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0);
    assert_eq!(tmux.title(), "before-tracetui");
    hostile::unlock(&h);
}

#[test]
fn a_session_of_use_changes_nothing_on_disk() {
    let h = hostile::build();
    common::unpack(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.tar.gz"),
        h.dir.path(),
    );
    let before = hostile::fingerprint(h.dir.path());
    let tmux = Tmux::start(WIDTH, HEIGHT, h.dir.path());
    let done = tmux.launch(&format!(
        "{} pomlruns events.jsonl demo/pomlruns demo/pml",
        binary()
    ));
    tmux.wait_for("the first load", |s| s.contains(" LIVE "));
    // Everything a person does: move, expand, every tab, zoom, filter, patterns, problems.
    for keys in [
        &["g", "l", "j", "l", "1", "2", "3", "4", "5", "6"][..],
        &[
            "]", "l", "j", "j", "Enter", "Tab", "j", "Tab", "+", "-", "0", "<", ">",
        ],
        &[
            "/", "s", "t", "a", "t", "u", "s", ":", "e", "r", "r", "o", "r", "Enter", "n", "N",
        ],
        &["p", "j", "p", "!", "j", "Enter", "f", "G", "?", "Escape"],
        // Compare: mark, diff, step through changes, copy, close; the previous run's; copy
        // from each pane.
        &["g", "j", "m", "j", "d", "n", "N", "]", "y", "Escape"],
        &["D", "y", "Escape"],
        &["Tab", "y", "Tab", "y", "Tab", "y", "m"],
    ] {
        tmux.keys(keys);
        tmux.wait_for("the app", |s| s.contains("Calls ·"));
    }
    tmux.keys(&["q"]);
    let (_, code) = tmux.wait_exit(&done);
    assert_eq!(code, 0);
    let after = hostile::fingerprint(h.dir.path());
    let changed: Vec<_> = before
        .iter()
        .filter(|(path, line)| after.get(*path) != Some(line))
        .map(|(path, _)| path.display().to_string())
        .chain(
            after
                .keys()
                .filter(|p| !before.contains_key(*p))
                .map(|p| format!("new: {}", p.display())),
        )
        .collect();
    assert!(changed.is_empty(), "tracetui changed {changed:?}");
    assert!(before.len() > 100, "the fingerprint covers the trees");
    hostile::unlock(&h);
}
