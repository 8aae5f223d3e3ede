//! Everything a person can ask the app to do; keys and the mouse map onto these.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    /// Close the help overlay or the topmost thing open.
    Back,
    Up,
    Down,
    Collapse,
    Expand,
    /// Open the selected node and everything below it.
    ExpandAll,
    Toggle,
    FocusNext,
    FocusPrev,
    PrevSession,
    NextSession,
    First,
    Last,
    PageUp,
    PageDown,
    /// Pick a prompt tab by its number (1-based; 0 only in the keymap table, for "the digit").
    Tab(u8),
    NextTab,
    PrevTab,
    ZoomIn,
    ZoomOut,
    ZoomFit,
    PanLeft,
    PanRight,
    /// Follow mode on or off.
    ToggleFollow,
    /// Edit the filter.
    Filter,
    NextMatch,
    PrevMatch,
    /// The patterns view (tool statistics, sequences, slowest, failed).
    Patterns,
    /// The problems view: every problem, where it is; Enter goes there.
    Problems,
    /// Mark the selected call for comparison (again: unmark).
    Mark,
    /// Compare the marked call with the selected one.
    Diff,
    /// Compare the selected call with the same call in the previous run.
    DiffPrevious,
    /// Open the selected call's source in the editor.
    Edit,
    /// Copy the focused pane's text to the clipboard (OSC 52).
    Copy,
    /// Re-render the call with its context edited in the editor, and diff with the recorded.
    Rerender,
    /// Re-render the call with its live prompt file, again on each save, and diff.
    RerenderLive,
    /// Go to the same call as the other side recorded it (POML call ↔ MLflow span).
    Related,
}

/// Every action that can be bound to keys, by the name the config file uses.
pub const NAMED: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("help", Action::Help),
    ("back", Action::Back),
    ("up", Action::Up),
    ("down", Action::Down),
    ("collapse", Action::Collapse),
    ("expand", Action::Expand),
    ("expand-all", Action::ExpandAll),
    ("toggle", Action::Toggle),
    ("focus-next", Action::FocusNext),
    ("focus-prev", Action::FocusPrev),
    ("prev-session", Action::PrevSession),
    ("next-session", Action::NextSession),
    ("first", Action::First),
    ("last", Action::Last),
    ("page-up", Action::PageUp),
    ("page-down", Action::PageDown),
    ("next-tab", Action::NextTab),
    ("prev-tab", Action::PrevTab),
    ("zoom-in", Action::ZoomIn),
    ("zoom-out", Action::ZoomOut),
    ("zoom-fit", Action::ZoomFit),
    ("pan-left", Action::PanLeft),
    ("pan-right", Action::PanRight),
    ("follow", Action::ToggleFollow),
    ("filter", Action::Filter),
    ("next-match", Action::NextMatch),
    ("prev-match", Action::PrevMatch),
    ("patterns", Action::Patterns),
    ("problems", Action::Problems),
    ("mark", Action::Mark),
    ("diff", Action::Diff),
    ("diff-previous", Action::DiffPrevious),
    ("edit", Action::Edit),
    ("copy", Action::Copy),
    ("rerender", Action::Rerender),
    ("rerender-live", Action::RerenderLive),
    ("related", Action::Related),
];

impl Action {
    /// The config file's name for this action (`Tab(n)` has none: digits pick tabs).
    pub fn name(self) -> Option<&'static str> {
        NAMED.iter().find(|(_, a)| *a == self).map(|(n, _)| *n)
    }

    pub fn from_name(name: &str) -> Option<Action> {
        NAMED.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
    }
}

impl Action {
    /// Moving the selection by hand pauses follow mode.
    pub fn moves_selection(self, focus: super::Focus) -> bool {
        match self {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => focus != super::Focus::Prompt,
            Action::Collapse
            | Action::Expand
            | Action::ExpandAll
            | Action::Toggle
            | Action::PrevSession
            | Action::NextSession
            | Action::NextMatch
            | Action::PrevMatch
            | Action::Related => true,
            _ => false,
        }
    }
}
