//! The one keymap table: it drives key dispatch, the help overlay and the README alike. The
//! config file's `[keys]` overrides are applied to a copy of it (`Keymap`), which the app
//! dispatches through and the help overlay lists.

use super::Focus;
use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies: everywhere, or only while a pane has focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Focus),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in the help overlay.
    pub label: &'static str,
    pub scope: Scope,
    pub action: Action,
    pub help: &'static str,
}

const TREE: Scope = Scope::Pane(Focus::Tree);
const TIMELINE: Scope = Scope::Pane(Focus::Timeline);
const PROMPT: Scope = Scope::Pane(Focus::Prompt);
const GLOBAL: Scope = Scope::Global;

macro_rules! bind {
    ($label:expr, [$($k:expr),+], $scope:expr, $action:expr, $help:expr) => {
        Binding { keys: &[$($k),+], label: $label, scope: $scope, action: $action, help: $help }
    };
}

/// Pane bindings come first so they win over global ones for the same key.
#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    bind!("h ←", [key('h'), code(KeyCode::Left)], TIMELINE, Action::PanLeft, "pan earlier"),
    bind!("l →", [key('l'), code(KeyCode::Right)], TIMELINE, Action::PanRight, "pan later"),
    bind!("h ←", [key('h'), code(KeyCode::Left)], PROMPT, Action::PrevTab, "previous tab"),
    bind!("l →", [key('l'), code(KeyCode::Right)], PROMPT, Action::NextTab, "next tab"),
    bind!("h ←", [key('h'), code(KeyCode::Left)], TREE, Action::Collapse, "collapse, or go to parent"),
    bind!("l →", [key('l'), code(KeyCode::Right)], TREE, Action::Expand, "expand, or go to first child"),
    bind!("j ↓", [key('j'), code(KeyCode::Down)], GLOBAL, Action::Down, "move down (scroll in the prompt pane)"),
    bind!("k ↑", [key('k'), code(KeyCode::Up)], GLOBAL, Action::Up, "move up (scroll in the prompt pane)"),
    bind!("Enter Space", [code(KeyCode::Enter), key(' ')], GLOBAL, Action::Toggle, "expand or collapse"),
    bind!("*", [key('*')], TREE, Action::ExpandAll, "expand everything below the selection"),
    bind!("Tab", [code(KeyCode::Tab)], GLOBAL, Action::FocusNext, "focus the next pane"),
    bind!("S-Tab", [code(KeyCode::BackTab)], GLOBAL, Action::FocusPrev, "focus the previous pane"),
    bind!("[", [key('[')], GLOBAL, Action::PrevSession, "previous session"),
    bind!("]", [key(']')], GLOBAL, Action::NextSession, "next session"),
    bind!("g Home", [key('g'), code(KeyCode::Home)], GLOBAL, Action::First, "first row (top of the pane)"),
    bind!("G End", [key('G'), code(KeyCode::End)], GLOBAL, Action::Last, "last row (end of the pane)"),
    bind!("PgUp C-u", [code(KeyCode::PageUp), ctrl('u')], GLOBAL, Action::PageUp, "scroll the focused pane up a page"),
    bind!("PgDn C-d", [code(KeyCode::PageDown), ctrl('d')], GLOBAL, Action::PageDown, "scroll the focused pane down a page"),
    bind!("1-6", [key('1'), key('2'), key('3'), key('4'), key('5'), key('6')], GLOBAL, Action::Tab(0), "prompt tab by number, as the tab row names them"),
    bind!("+ =", [key('+'), key('=')], GLOBAL, Action::ZoomIn, "zoom the timeline in"),
    bind!("-", [key('-')], GLOBAL, Action::ZoomOut, "zoom the timeline out"),
    bind!("0", [key('0')], GLOBAL, Action::ZoomFit, "fit the session in the timeline"),
    bind!("<", [key('<')], GLOBAL, Action::PanLeft, "pan the timeline earlier"),
    bind!(">", [key('>')], GLOBAL, Action::PanRight, "pan the timeline later"),
    bind!("f", [key('f')], GLOBAL, Action::ToggleFollow, "follow the newest call (live) on or off"),
    bind!("/", [key('/')], GLOBAL, Action::Filter, "filter as you type (the terms are listed below)"),
    bind!("n", [key('n')], GLOBAL, Action::NextMatch, "next match: in the text (prompt pane), else the next call"),
    bind!("N", [key('N')], GLOBAL, Action::PrevMatch, "previous match: in the text, else the previous call"),
    bind!("p", [key('p')], GLOBAL, Action::Patterns, "patterns: tool stats, sequences, slowest and failed calls"),
    bind!("o", [key('o')], GLOBAL, Action::Related, "the same call in the other trace (POML ↔ MLflow)"),
    bind!("!", [key('!')], GLOBAL, Action::Problems, "problems: every one, where it is; Enter goes there"),
    bind!("m", [key('m')], GLOBAL, Action::Mark, "mark this call to compare (again on it unmarks)"),
    bind!("d", [key('d')], GLOBAL, Action::Diff, "diff the marked call against this one"),
    bind!("D", [key('D')], GLOBAL, Action::DiffPrevious, "diff this call against the same call in the previous run"),
    bind!("e", [key('e')], GLOBAL, Action::Edit, "open the call's source in $VISUAL / $EDITOR"),
    bind!("r", [key('r')], GLOBAL, Action::Rerender, "re-render the call with its context edited in $EDITOR; diff with the sent prompt"),
    bind!("R", [key('R')], GLOBAL, Action::RerenderLive, "re-render with the live prompt file on each save; diff with the sent prompt"),
    bind!("y", [key('y')], GLOBAL, Action::Copy, "copy the focused pane's text (OSC 52 clipboard)"),
    bind!("?", [key('?')], GLOBAL, Action::Help, "this help"),
    bind!("Esc", [code(KeyCode::Esc)], GLOBAL, Action::Back, "close an overlay, or clear the filter"),
    bind!("q C-c", [key('q'), ctrl('c')], GLOBAL, Action::Quit, "quit"),
];

/// The action for a key press in the focused pane, with the default keys.
pub fn lookup(event: KeyEvent, focus: Focus) -> Option<Action> {
    find(
        KEYMAP.iter().map(|b| (b.scope, b.keys, b.action)),
        event,
        focus,
    )
}

fn find<'a>(
    rows: impl Iterator<Item = (Scope, &'a [Key], Action)>,
    event: KeyEvent,
    focus: Focus,
) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let matches = |k: &Key| {
        k.ctrl == ctrl
            && match (k.code, event.code) {
                // Shifted characters arrive as the character itself.
                (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
                (a, b) => a == b,
            }
    };
    rows.filter(|(scope, _, _)| *scope == Scope::Global || *scope == Scope::Pane(focus))
        .find(|(_, keys, _)| keys.iter().any(matches))
        .map(|(_, _, action)| match (action, event.code) {
            // One row of the table serves all the digit keys.
            (Action::Tab(0), KeyCode::Char(c)) => Action::Tab(c.to_digit(10).unwrap_or(1) as u8),
            (action, _) => action,
        })
}

/// One row of the keymap in use: the table's, or changed by the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub keys: Vec<Key>,
    pub label: String,
    pub scope: Scope,
    pub action: Action,
    pub help: &'static str,
}

/// The keymap in use: `KEYMAP` with the config file's overrides applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    pub rows: Vec<Row>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            rows: KEYMAP
                .iter()
                .map(|b| Row {
                    keys: b.keys.to_vec(),
                    label: b.label.to_string(),
                    scope: b.scope,
                    action: b.action,
                    help: b.help,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The default keymap with each action's keys replaced (in every row of that action);
    /// a key taken from another action is removed there. Returns what a person should know
    /// (a key moved, an action left without keys).
    pub fn with_overrides(overrides: &[(Action, Vec<Key>)]) -> (Self, Vec<String>) {
        let mut map = Self::default();
        let mut notes = Vec::new();
        for (action, keys) in overrides {
            for row in &mut map.rows {
                if row.action == *action {
                    row.keys = keys.clone();
                    row.label = keys
                        .iter()
                        .map(|k| key_name(*k))
                        .collect::<Vec<_>>()
                        .join(" ");
                } else if row.keys.iter().any(|k| keys.contains(k)) {
                    let taken: Vec<String> = row
                        .keys
                        .iter()
                        .filter(|k| keys.contains(k))
                        .map(|k| key_name(*k))
                        .collect();
                    row.keys.retain(|k| !keys.contains(k));
                    row.label = row
                        .keys
                        .iter()
                        .map(|k| key_name(*k))
                        .collect::<Vec<_>>()
                        .join(" ");
                    notes.push(format!(
                        "{} now runs {} instead of {}",
                        taken.join(" "),
                        action.name().unwrap_or("?"),
                        row.action.name().unwrap_or("a prompt tab")
                    ));
                    if row.keys.is_empty() {
                        notes.push(format!(
                            "{} has no key left",
                            row.action.name().unwrap_or("a prompt tab")
                        ));
                    }
                }
            }
        }
        map.rows.retain(|r| !r.keys.is_empty());
        (map, notes)
    }

    /// The first key bound to `action`, as the help writes it: what hints and notices name,
    /// so they follow the config file's overrides.
    pub fn first_key(&self, action: Action) -> Option<String> {
        self.rows
            .iter()
            .find(|r| r.action == action)
            .and_then(|r| r.keys.first())
            .map(|k| key_name(*k))
    }

    /// The action for a key press in the focused pane.
    pub fn lookup(&self, event: KeyEvent, focus: Focus) -> Option<Action> {
        find(
            self.rows
                .iter()
                .map(|r| (r.scope, r.keys.as_slice(), r.action)),
            event,
            focus,
        )
    }
}

/// `C-x`, `Enter`, `x`: how a key is written in the help and the config file.
pub fn key_name(key: Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Insert => "Insert".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.ctrl { format!("C-{base}") } else { base }
}

/// A key as the config file writes it: `x`, `C-x` (or `Ctrl-x`, `Ctrl+x`), `Enter`, `Esc`,
/// `Tab`, `S-Tab`, `Space`, `Up`, `Down`, `Left`, `Right`, `PgUp`, `PgDn`, `Home`, `End`,
/// `Backspace`, `Delete`, `Insert`, `F1`-`F12`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let (ctrl, rest) = [
        "C-", "c-", "Ctrl-", "ctrl-", "Ctrl+", "ctrl+", "CTRL-", "CTRL+",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p).filter(|r| !r.is_empty()))
    .map_or((false, text), |r| (true, r));
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "s-tab" | "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            f if f.starts_with('f') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("unknown key {text:?}")),
            },
            _ => return Err(format!("unknown key {text:?}")),
        },
    };
    Ok(Key { code, ctrl })
}

/// The key table as Markdown, for the README (a test keeps the two identical).
pub fn markdown_table() -> String {
    let mut out = String::from("| keys | where | does |\n|---|---|---|\n");
    let order = [
        Scope::Global,
        Scope::Pane(Focus::Tree),
        Scope::Pane(Focus::Timeline),
        Scope::Pane(Focus::Prompt),
    ];
    let rows = order
        .iter()
        .flat_map(|scope| KEYMAP.iter().filter(move |b| b.scope == *scope));
    for b in rows.filter(|b| !b.help.is_empty()) {
        let scope = match b.scope {
            Scope::Global => "anywhere",
            Scope::Pane(Focus::Tree) => "call tree",
            Scope::Pane(Focus::Timeline) => "timeline",
            Scope::Pane(Focus::Prompt) => "prompt pane",
        };
        let keys: Vec<String> = b.label.split(' ').map(|k| format!("`{k}`")).collect();
        out.push_str(&format!("| {} | {scope} | {} |\n", keys.join(" "), b.help));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_keys_and_take_them_from_others() {
        let x = parse_key("x").expect("x");
        let j = parse_key("j").expect("j");
        let (map, notes) = Keymap::with_overrides(&[(Action::Quit, vec![x, j])]);
        let press = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(map.lookup(press('x'), Focus::Tree), Some(Action::Quit));
        assert_eq!(map.lookup(press('j'), Focus::Tree), Some(Action::Quit));
        assert_eq!(
            map.lookup(press('q'), Focus::Tree),
            None,
            "q no longer quits"
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(ctrl_c, Focus::Tree), None);
        let down = map
            .rows
            .iter()
            .find(|r| r.action == Action::Down)
            .expect("down");
        assert_eq!(down.label, "↓");
        assert_eq!(notes, vec!["j now runs quit instead of down"]);
        let quit = map
            .rows
            .iter()
            .find(|r| r.action == Action::Quit)
            .expect("quit");
        assert_eq!(quit.label, "x j");
        assert_eq!(Keymap::with_overrides(&[]).0, Keymap::default());
    }

    #[test]
    fn key_names_parse_and_print() {
        for (text, shown) in [
            ("x", "x"),
            ("C-x", "C-x"),
            ("Ctrl+k", "C-k"),
            ("enter", "Enter"),
            ("S-Tab", "S-Tab"),
            ("PgDn", "PgDn"),
            ("F5", "F5"),
            ("Space", "Space"),
            ("Up", "↑"),
        ] {
            assert_eq!(key_name(parse_key(text).expect(text)), shown);
        }
        assert!(parse_key("F13").is_err());
        assert!(parse_key("hyper").is_err());
        assert!(parse_key("").is_err());
    }

    fn press(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn pane_bindings_win_over_global_ones() {
        let h = press(KeyCode::Char('h'), KeyModifiers::NONE);
        assert_eq!(lookup(h, Focus::Tree), Some(Action::Collapse));
        assert_eq!(lookup(h, Focus::Timeline), Some(Action::PanLeft));
        assert_eq!(lookup(h, Focus::Prompt), Some(Action::PrevTab));
    }

    #[test]
    fn control_keys_and_shifted_characters() {
        let c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(c, Focus::Tree), Some(Action::Quit));
        let plain_c = press(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(lookup(plain_c, Focus::Tree), None);
        let big_g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(big_g, Focus::Tree), Some(Action::Last));
        let question = press(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(question, Focus::Prompt), Some(Action::Help));
        let four = press(KeyCode::Char('4'), KeyModifiers::NONE);
        assert_eq!(lookup(four, Focus::Timeline), Some(Action::Tab(4)));
    }

    #[test]
    fn every_binding_has_help_and_keys_are_not_shadowed() {
        for (i, b) in KEYMAP.iter().enumerate() {
            assert!(!b.help.is_empty(), "{:?} needs help text", b.action);
            // A key bound twice in the same scope would never reach the second binding.
            for later in &KEYMAP[i + 1..] {
                let same_scope = later.scope == b.scope;
                let shared = later
                    .keys
                    .iter()
                    .any(|k| b.keys.iter().any(|j| j.code == k.code && j.ctrl == k.ctrl));
                assert!(
                    !(same_scope && shared),
                    "{:?} shadows {:?}",
                    b.action,
                    later.action
                );
            }
        }
    }
}
