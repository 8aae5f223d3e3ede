//! Call file names: `NNNN[.name].<suffix>`, where names may hold dots and bytes that are not
//! UTF-8, indexes may pass 9999, and the suffix is known only once the `.poml` file is seen.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// poml's own files, in the order it writes them.
pub const STANDARD_SUFFIXES: [&str; 7] = [
    ".poml",
    ".env",
    ".source.poml",
    ".context.json",
    ".stylesheet.json",
    ".result.json",
    ".result.txt",
];

/// Where a suffix sorts in a call's file list: standard files in write order, then artifacts.
pub fn suffix_rank(suffix: &str) -> usize {
    STANDARD_SUFFIXES
        .iter()
        .position(|s| *s == suffix)
        .unwrap_or(STANDARD_SUFFIXES.len())
}

pub fn is_artifact(suffix: &str) -> bool {
    suffix_rank(suffix) == STANDARD_SUFFIXES.len()
}

/// The leading call index of a file name: ASCII digits followed by `.` (or the end).
pub fn index_digits(name: &[u8]) -> Option<&[u8]> {
    let digits = name.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    match name.get(digits) {
        Some(b'.') => Some(&name[..digits]),
        _ => None,
    }
}

pub fn parse_index(digits: &[u8]) -> Option<u64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The call prefix a `.poml` or `.source.poml` file declares, using poml's own rule
/// (`^(\d{4}.*?)(?:\.source)?\.poml$`): `0001.a.b.poml` -> `0001.a.b`,
/// `0001.a.source.poml` -> `0001.a`.
pub fn declared_prefix(name: &[u8]) -> Option<&[u8]> {
    index_digits(name)?;
    let stem = name.strip_suffix(b".poml")?;
    Some(stem.strip_suffix(b".source").unwrap_or(stem))
}

/// Split a file name into (prefix, suffix) given the prefixes known for its index; without one,
/// guess from poml's standard suffixes, else attach it to the bare index.
pub fn split<'a>(name: &'a [u8], known: &[&[u8]]) -> (&'a [u8], &'a [u8]) {
    let best = known
        .iter()
        .filter(|p| name.len() > p.len() && name.starts_with(p) && name[p.len()] == b'.')
        .max_by_key(|p| p.len());
    if let Some(prefix) = best {
        return name.split_at(prefix.len());
    }
    for suffix in STANDARD_SUFFIXES.iter().skip(1) {
        if let Some(prefix) = name.strip_suffix(suffix.as_bytes())
            && index_digits(name).is_some_and(|d| d.len() <= prefix.len())
        {
            return name.split_at(prefix.len());
        }
    }
    let digits = index_digits(name).map_or(0, <[u8]>::len);
    name.split_at(digits)
}

/// The call name: the prefix without its index (`None` for a bare `0001`).
pub fn call_name(prefix: &[u8]) -> Option<OsString> {
    let digits = index_digits(prefix).map_or(prefix.len(), <[u8]>::len);
    let rest = prefix.get(digits + 1..)?;
    (!rest.is_empty()).then(|| OsString::from_vec(rest.to_vec()))
}

/// A name for ids and display: bytes that are not UTF-8 become U+FFFD, as every tool that
/// reads these traces shows them.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A name with every byte that is not UTF-8 as `\xNN`: what a problem message shows, so
/// the real name can be found (two names differing only there look alike with U+FFFD).
pub fn escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

pub fn bytes(name: &OsStr) -> &[u8] {
    name.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_utf8_show_their_bytes() {
        assert_eq!(lossy(b"0005.caf\xe9"), "0005.caf\u{fffd}");
        assert_eq!(escaped(b"0005.caf\xe9"), "0005.caf\\xe9");
        assert_eq!(escaped("0006.café".as_bytes()), "0006.café");
        assert_ne!(escaped(b"a\xff"), escaped(b"a\xfe"));
    }

    #[test]
    fn index_needs_digits_then_a_dot() {
        assert_eq!(index_digits(b"0003.planner.poml"), Some(&b"0003"[..]));
        assert_eq!(index_digits(b"10000.x.poml"), Some(&b"10000"[..]));
        assert_eq!(index_digits(b"notes.md"), None);
        assert_eq!(index_digits(b"0003"), None);
        assert_eq!(index_digits(b"2026abc.poml"), None);
        assert_eq!(parse_index(b"10000"), Some(10000));
    }

    #[test]
    fn prefixes_follow_poml() {
        assert_eq!(declared_prefix(b"0001.poml"), Some(&b"0001"[..]));
        assert_eq!(
            declared_prefix(b"0001.my.file.poml"),
            Some(&b"0001.my.file"[..])
        );
        assert_eq!(declared_prefix(b"0001.x.source.poml"), Some(&b"0001.x"[..]));
        assert_eq!(declared_prefix(b"0001.x.result.json"), None);
    }

    #[test]
    fn split_prefers_the_longest_known_prefix() {
        let known: [&[u8]; 2] = [b"0001.a", b"0001.a.b"];
        assert_eq!(
            split(b"0001.a.b.result.json", &known),
            (&b"0001.a.b"[..], &b".result.json"[..])
        );
        assert_eq!(
            split(b"0001.a.reply.txt", &known),
            (&b"0001.a"[..], &b".reply.txt"[..])
        );
        // No .poml seen: a standard suffix still tells where the name ends.
        assert_eq!(
            split(b"0099.x.result.json", &[]),
            (&b"0099.x"[..], &b".result.json"[..])
        );
        assert_eq!(
            split(b"0021.response.json", &[]),
            (&b"0021"[..], &b".response.json"[..])
        );
    }

    #[test]
    fn names() {
        assert_eq!(call_name(b"0001"), None);
        assert_eq!(call_name(b"0001.my.file"), Some("my.file".into()));
        assert_eq!(suffix_rank(".env"), 1);
        assert!(is_artifact(".response.json"));
        assert!(!is_artifact(".result.txt"));
    }
}
