//! Colours and emphasis, by meaning. Three themes: dark (the default), light (for light
//! terminal backgrounds: the pale colours swapped for darker ones), and mono, where meaning
//! is carried by bold, reverse and underline alone (the default when `NO_COLOR` is set).

use crate::detail::doc::{Speaker, Tone};
use crate::model::Status;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// Colours for a light background.
    pub light: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !no_color,
            light: false,
        }
    }

    /// The config file's theme; when it sets none, `NO_COLOR` decides (a user's own
    /// setting overrides `NO_COLOR`, as no-color.org asks).
    pub fn from_config(name: Option<crate::cli::config::ThemeName>) -> Self {
        use crate::cli::config::ThemeName;
        match name {
            Some(ThemeName::Dark) => Self::colored(),
            Some(ThemeName::Light) => Self::light(),
            Some(ThemeName::Mono) => Self::monochrome(),
            None => Self::from_env(),
        }
    }

    pub fn colored() -> Self {
        Self {
            color: true,
            light: false,
        }
    }

    pub fn light() -> Self {
        Self {
            color: true,
            light: true,
        }
    }

    pub fn monochrome() -> Self {
        Self {
            color: false,
            light: false,
        }
    }

    /// A colour as this theme draws it: on a light background the pale ones are too faint.
    fn c(&self, color: Color) -> Color {
        if !self.light {
            return color;
        }
        match color {
            Color::Yellow => Color::Blue,
            Color::Cyan => Color::Blue,
            Color::Gray | Color::White => Color::Black,
            Color::Green => Color::Green,
            other => other,
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(self.c(color))
        } else {
            Style::new()
        }
    }

    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Plain => Style::new(),
            Tone::Heading => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Tone::Dim | Tone::Gutter => self.dim(),
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
            Speaker::Tool if self.light => Color::Magenta,
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

    /// A match of the filter's words in the prompt pane; `current` is the one `n` went to.
    pub fn search_hit(&self, current: bool) -> Style {
        match (self.color, current) {
            (true, true) => Style::new()
                .bg(Color::Yellow)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::new().bg(Color::Yellow).fg(Color::Black),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, false) => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn selected(&self) -> Style {
        if self.color && self.light {
            Style::new()
                .bg(Color::Gray)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        } else if self.color {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(self.c(Color::Cyan)),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.dim(),
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        let base = Style::new().add_modifier(Modifier::BOLD);
        if focused && self.color {
            base.fg(self.c(Color::Cyan))
        } else {
            base
        }
    }

    pub fn active_tab(&self) -> Style {
        if self.color && self.light {
            Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        } else if self.color {
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
