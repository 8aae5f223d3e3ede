//! Copying through the terminal: an OSC 52 sequence asks the terminal (or tmux, with
//! `set-clipboard on`) to put base64-encoded text on the clipboard, which works over SSH and
//! needs no clipboard tool. Building it is kept apart from writing it, so it is tested.

use base64::Engine as _;

/// Text beyond this is not sent: terminals cap OSC 52 payloads (xterm and tmux at around a
/// megabyte and less), and a cut copy is better than none.
pub const MAX_BYTES: usize = 512 * 1024;

/// The escape sequence that sets the clipboard to `text`, and whether `text` had to be cut
/// to `MAX_BYTES` (at a character boundary).
pub fn osc52(text: &str) -> (String, bool) {
    let mut end = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    // `c`: the clipboard selection; BEL ends it (every terminal that knows OSC 52 takes it).
    (format!("\x1b]52;c;{encoded}\x07"), end < text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_is_base64_between_the_osc_markers() {
        let (seq, cut) = osc52("héllo\n\x1b[2J");
        assert_eq!(seq, "\x1b]52;c;aMOpbGxvChtbMko=\x07");
        assert!(!cut);
        // Nothing from the text reaches the terminal raw: only base64's alphabet inside.
        let inner = &seq[7..seq.len() - 1];
        assert!(
            inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
        let big = "é".repeat(MAX_BYTES);
        let (seq, cut) = osc52(&big);
        assert!(cut);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&seq[7..seq.len() - 1])
            .expect("base64");
        assert!(decoded.len() <= MAX_BYTES);
        assert!(
            String::from_utf8(decoded).is_ok(),
            "cut at a character boundary"
        );
    }
}
