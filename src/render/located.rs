//! A renderer failure as a person reads it: the error's name and message, and where in the
//! prompt it points. The CLI is node's: an uncaught error prints a code excerpt, then
//! `ReadError: message`, a stack, and the error's fields (`startIndex: 54,`); the indices
//! are JavaScript string offsets (UTF-16 units) into the prompt with CRLF made LF.

/// What the renderer said went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// `ReadError: Image file not found: ...` (not sanitized).
    pub message: String,
    /// 1-based line and column in the prompt, when the renderer gave an offset.
    pub at: Option<(usize, usize)>,
}

impl Located {
    /// `message (line 3, column 5)`.
    pub fn describe(&self) -> String {
        match self.at {
            Some((line, column)) => format!("{} (line {line}, column {column})", self.message),
            None => self.message.clone(),
        }
    }
}

/// Read the renderer's standard error; `source` is the prompt text it was given.
pub fn parse(stderr: &str, source: &str) -> Located {
    let message = stderr
        .lines()
        .find(|l| is_error_line(l))
        .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("the renderer failed and said nothing")
        .trim()
        .to_string();
    // The top-level error's own fields are indented by two; its cause's by more.
    let start = stderr.lines().find_map(|l| {
        l.strip_prefix("  startIndex: ")
            .and_then(|v| v.trim_end_matches(',').trim().parse::<usize>().ok())
    });
    Located {
        message,
        at: start.map(|i| line_column(source, i)),
    }
}

/// `TypeError: ...` at the start of a line.
fn is_error_line(line: &str) -> bool {
    let Some((name, rest)) = line.split_once(": ") else {
        return false;
    };
    !rest.is_empty()
        && name.ends_with("Error")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The 1-based line and column (in characters) of UTF-16 offset `index` into `source` as
/// the renderer saw it (CRLF as LF); past the end, the end.
pub fn line_column(source: &str, index: usize) -> (usize, usize) {
    let text = source.replace("\r\n", "\n");
    let (mut line, mut column, mut units) = (1, 1, 0);
    for c in text.chars() {
        if units >= index {
            break;
        }
        units += c.len_utf16();
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_error_with_offset() {
        let stderr = "/x/cli.js:265087\n        return new ReadError(...);\n               ^\n\n\
                      ReadError: name is not defined\n    at eval (x)\n  severity: 'error',\n  \
                      startIndex: 18,\n  endIndex: 31,\n  [cause]: ReferenceError: name is not defined\n    \
                      startIndex: 99,\n}\n\nNode.js v24.19.0\n";
        let source = "<poml>\n  <p>Hello {{ name }}</p>\n</poml>\n";
        let located = parse(stderr, source);
        assert_eq!(located.message, "ReadError: name is not defined");
        assert_eq!(located.at, Some((2, 12)));
        assert_eq!(
            located.describe(),
            "ReadError: name is not defined (line 2, column 12)"
        );
    }

    #[test]
    fn offsets_count_utf16_and_crlf_as_lf() {
        assert_eq!(line_column("a😀b\r\nc", 3), (1, 3));
        assert_eq!(line_column("a😀b\r\nc", 5), (2, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn no_error_line_takes_the_last_words() {
        let located = parse("something odd\nexit\n\n", "");
        assert_eq!(located.message, "exit");
        assert_eq!(located.at, None);
    }
}
