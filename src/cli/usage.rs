//! Mistakes in how tracetui was run, and surroundings it cannot work in (an address in use,
//! no terminal, a config file that is not there): said in a line or two, exit 2. A bug is
//! anything else, and keeps color-eyre's full report.

use std::fmt;

/// Exit code for bad usage or a path that cannot be opened.
pub const EXIT_USAGE: u8 = 2;

/// What was wrong, and perhaps what to do instead. Travels inside a `color_eyre::Report`
/// (so `?` carries it through code that also returns real failures); `main` finds it there
/// by downcasting and prints it plainly instead of the report.
#[derive(Debug)]
pub struct UsageError {
    what: String,
    hint: Option<String>,
}

impl UsageError {
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            hint: None,
        }
    }

    /// A second line: what to try instead.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The lines to print, each one line whatever the text held (paths and OS messages can
    /// carry newlines and escapes).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "tracetui: {}",
            crate::untrusted::sanitize::label(&self.what)
        )];
        if let Some(hint) = &self.hint {
            lines.push(crate::untrusted::sanitize::label(hint).into_owned());
        }
        lines
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for UsageError {}

/// A usage error inside `report`, if that is what it is.
pub fn find(report: &color_eyre::Report) -> Option<&UsageError> {
    report.downcast_ref::<UsageError>()
}

pub use crate::untrusted::fsread::reason;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_inside_a_report_even_with_context() {
        use color_eyre::eyre::WrapErr as _;
        let report: color_eyre::Report = UsageError::new("bad").hint("try good").into();
        assert_eq!(
            find(&report).map(UsageError::lines),
            Some(vec!["tracetui: bad".to_string(), "try good".to_string()])
        );
        let wrapped = Err::<(), _>(UsageError::new("inner"))
            .wrap_err("outer")
            .expect_err("an error");
        assert_eq!(find(&wrapped).map(|u| u.to_string()), Some("inner".into()));
        let bug = color_eyre::eyre::eyre!("a bug");
        assert!(find(&bug).is_none());
    }

    #[test]
    fn one_line_each_whatever_the_text() {
        let lines = UsageError::new("a\nb\x1b[31m").hint("c\nd").lines();
        assert_eq!(lines.len(), 2);
        assert!(
            lines
                .iter()
                .all(|l| !l.contains('\n') && !l.contains('\x1b'))
        );
    }

    #[test]
    fn reasons_in_words() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            reason(&Error::from(ErrorKind::NotFound)),
            "no such file or directory"
        );
        assert_eq!(
            reason(&Error::from(ErrorKind::AddrInUse)),
            "the address is already in use"
        );
        assert_eq!(
            reason(&Error::from(ErrorKind::PermissionDenied)),
            "permission denied"
        );
        assert_eq!(
            reason(&Error::from_raw_os_error(libc::ENOSPC)),
            "no space left on device"
        );
    }
}
