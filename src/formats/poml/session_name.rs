//! Session folder names: `set_trace` names them `YYYYMMDDHHMMSSffffff` in local time.

use crate::model::time::{Nanos, Zone};
use chrono::NaiveDateTime;

pub fn is_session_name(name: &str) -> bool {
    name.len() == 20 && name.bytes().all(|b| b.is_ascii_digit())
}

/// The start time a session folder's name states, if it is one.
pub fn parse(name: &str, zone: Zone) -> Option<Nanos> {
    if !is_session_name(name) {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(name, "%Y%m%d%H%M%S%6f").ok()?;
    zone.from_naive(naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_trace_names() {
        let ns = parse("20261121123900861020", Zone::Utc).expect("valid name");
        assert_eq!(Zone::Utc.clock_ms(ns), "12:39:00.861");
        assert_eq!(ns % 1_000, 0);
        assert_eq!((ns / 1_000) % 1_000_000, 861_020);
    }

    #[test]
    fn rejects_other_names() {
        assert_eq!(parse("flat_trace", Zone::Utc), None);
        assert_eq!(parse("20261399123900861020", Zone::Utc), None);
        assert_eq!(parse("2026112112390086102", Zone::Utc), None);
    }
}
