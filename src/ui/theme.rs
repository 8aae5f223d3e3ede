//! Colours and emphasis, by meaning. With NO_COLOR set, meaning is carried by bold,
//! reverse and underline alone.

use crate::detail::doc::{Speaker, Tone};
use crate::model::Status;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    pub fn colored() -> Self {
        Self { color: true }
    }

    pub fn monochrome() -> Self {
        Self { color: false }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Plain => Style::new(),
            Tone::Heading => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Tone::Dim => self.dim(),
            Tone::Key => self.fg(Color::Cyan),
            Tone::Code => self.fg(Color::Gray),
            Tone::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Warn => self.fg(Color::Yellow),
            // Without colour, added lines are bold and removed ones crossed out: the `+`/`-`
            // sign says it too.
            Tone::Added if self.color => self.fg(Color::Green),
            Tone::Added => Style::new().add_modifier(Modifier::BOLD),
            Tone::Removed if self.color => self.fg(Color::Red),
            Tone::Removed => Style::new().add_modifier(Modifier::CROSSED_OUT),
            Tone::Speaker(s) => self.speaker(s).add_modifier(Modifier::BOLD),
        }
    }

    pub fn speaker(&self, speaker: Speaker) -> Style {
        self.fg(match speaker {
            Speaker::System => Color::Magenta,
            Speaker::Human => Color::Green,
            Speaker::Ai => Color::Cyan,
            Speaker::Tool => Color::Yellow,
            Speaker::Other => Color::White,
        })
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn status(&self, status: Status) -> Style {
        match status {
            Status::Ok => self.fg(Color::Green),
            Status::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Incomplete => self.fg(Color::Yellow),
            Status::Running => self.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    /// The bar colour in the timeline.
    pub fn bar(&self, status: Status) -> Style {
        match status {
            Status::Ok => self.fg(Color::Blue),
            other => self.status(other),
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.dim(),
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        let base = Style::new().add_modifier(Modifier::BOLD);
        if focused && self.color {
            base.fg(Color::Cyan)
        } else {
            base
        }
    }

    pub fn active_tab(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}
