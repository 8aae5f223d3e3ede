//! A located problem: which file (and where in it) and what is wrong.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The file, and where useful the position in it (`events.jsonl:12`, `0002.x.result.json`).
    pub location: Box<str>,
    pub message: Box<str>,
}

impl Problem {
    pub fn new(location: impl Into<Box<str>>, message: impl Into<Box<str>>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}
