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
    /// Go to the same call as the other side recorded it (POML call ↔ MLflow span).
    Related,
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
