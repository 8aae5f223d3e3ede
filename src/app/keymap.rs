//! The one keymap table: it drives key dispatch and the help overlay alike.

use super::Focus;
use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies: everywhere, or only while a pane has focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Focus),
}

#[derive(Clone, Copy, Debug)]
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
    bind!("Tab", [code(KeyCode::Tab)], GLOBAL, Action::FocusNext, "focus the next pane"),
    bind!("S-Tab", [code(KeyCode::BackTab)], GLOBAL, Action::FocusPrev, "focus the previous pane"),
    bind!("[", [key('[')], GLOBAL, Action::PrevSession, "previous session"),
    bind!("]", [key(']')], GLOBAL, Action::NextSession, "next session"),
    bind!("g Home", [key('g'), code(KeyCode::Home)], GLOBAL, Action::First, "first row (top of the pane)"),
    bind!("G End", [key('G'), code(KeyCode::End)], GLOBAL, Action::Last, "last row (end of the pane)"),
    bind!("PgUp C-u", [code(KeyCode::PageUp), ctrl('u')], GLOBAL, Action::PageUp, "scroll the focused pane up a page"),
    bind!("PgDn C-d", [code(KeyCode::PageDown), ctrl('d')], GLOBAL, Action::PageDown, "scroll the focused pane down a page"),
    bind!("1-6", [key('1'), key('2'), key('3'), key('4'), key('5'), key('6')], GLOBAL, Action::Tab(0), "prompt tab (messages, context, source, style, text, files)"),
    bind!("+ =", [key('+'), key('=')], GLOBAL, Action::ZoomIn, "zoom the timeline in"),
    bind!("-", [key('-')], GLOBAL, Action::ZoomOut, "zoom the timeline out"),
    bind!("0", [key('0')], GLOBAL, Action::ZoomFit, "fit the session in the timeline"),
    bind!("<", [key('<')], GLOBAL, Action::PanLeft, "pan the timeline earlier"),
    bind!(">", [key('>')], GLOBAL, Action::PanRight, "pan the timeline later"),
    bind!("f", [key('f')], GLOBAL, Action::ToggleFollow, "follow the newest call (live) on or off"),
    bind!("/", [key('/')], GLOBAL, Action::Filter, "filter (tool: status: after: since: min: kind: or text)"),
    bind!("n", [key('n')], GLOBAL, Action::NextMatch, "next match of the filter"),
    bind!("N", [key('N')], GLOBAL, Action::PrevMatch, "previous match of the filter"),
    bind!("p", [key('p')], GLOBAL, Action::Patterns, "patterns: tool stats, sequences, slowest, failed"),
    bind!("o", [key('o')], GLOBAL, Action::Related, "the same call in the other trace (POML ↔ MLflow)"),
    bind!("!", [key('!')], GLOBAL, Action::Problems, "problems: every one, where it is; Enter goes there"),
    bind!("?", [key('?')], GLOBAL, Action::Help, "this help"),
    bind!("Esc", [code(KeyCode::Esc)], GLOBAL, Action::Back, "close an overlay, or clear the filter"),
    bind!("q C-c", [key('q'), ctrl('c')], GLOBAL, Action::Quit, "quit"),
];

/// The action for a key press in the focused pane.
pub fn lookup(event: KeyEvent, focus: Focus) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let matches = |k: &Key| {
        k.ctrl == ctrl
            && match (k.code, event.code) {
                // Shifted characters arrive as the character itself.
                (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
                (a, b) => a == b,
            }
    };
    KEYMAP
        .iter()
        .filter(|b| b.scope == Scope::Global || b.scope == Scope::Pane(focus))
        .find(|b| b.keys.iter().any(matches))
        .map(|b| match (b.action, event.code) {
            // One row of the table serves all the digit keys.
            (Action::Tab(0), KeyCode::Char(c)) => Action::Tab(c.to_digit(10).unwrap_or(1) as u8),
            (action, _) => action,
        })
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
