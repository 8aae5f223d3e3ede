//! Session folder names: `set_trace` names them `YYYYMMDDHHMMSSffffff` in the local time
//! of the machine that wrote them, which a viewer cannot know. The name is an id and a sort
//! key; where its time is used, the writer's UTC offset is inferred from the folder's first
//! call file, whose time is absolute.

use crate::model::time::{NS_PER_SEC, Nanos};
use chrono::NaiveDateTime;

pub fn is_session_name(name: &str) -> bool {
    name.len() == 20 && name.bytes().all(|b| b.is_ascii_digit())
}

/// The wall-clock time a session folder's name states, in no zone, if it is one.
pub fn parse(name: &str) -> Option<NaiveDateTime> {
    if !is_session_name(name) {
        return None;
    }
    NaiveDateTime::parse_from_str(name, "%Y%m%d%H%M%S%6f").ok()
}

/// The UTC offsets zones use, in minutes (half and quarter hours included), in order.
const OFFSETS_MIN: [i64; 39] = [
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -120, -60, 0, 60, 120,
    180, 210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765,
    780, 825, 840,
];
/// A file's time may read a little earlier than the name made just before it: file systems
/// keep coarse times (whole seconds in a copied or unpacked trace).
const SLACK_S: i64 = 60;

/// A name's time placed on the absolute time line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub start_ns: Nanos,
    /// The writer's offset from UTC, in seconds, as inferred.
    pub offset_s: i64,
}

/// Place a name's wall-clock time by its first call file's time: the folder is made before
/// its first call, so the writer's offset is the smallest zone offset that puts the name
/// at or before that file (give or take a minute of coarse file times). `None` when no
/// zone's offset does.
pub fn place(named: NaiveDateTime, first_file_ns: Nanos) -> Option<Placed> {
    let as_utc = named.and_utc().timestamp_nanos_opt()?;
    let ahead = as_utc.checked_sub(first_file_ns)? - SLACK_S * NS_PER_SEC;
    if ahead < (OFFSETS_MIN[0] - 60) * 60 * NS_PER_SEC {
        // More than an hour before the westernmost zone could say.
        return None;
    }
    let offset_s = OFFSETS_MIN
        .iter()
        .map(|m| m * 60)
        .find(|&s| s * NS_PER_SEC >= ahead)?;
    Some(Placed {
        start_ns: as_utc.checked_sub(offset_s * NS_PER_SEC)?,
        offset_s,
    })
}

/// `UTC+09:00`, `UTC-03:30`, `UTC+00:00`.
pub fn offset_text(offset_s: i64) -> String {
    let sign = if offset_s < 0 { '-' } else { '+' };
    let minutes = offset_s.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::Zone;

    fn name(text: &str) -> NaiveDateTime {
        parse(text).expect("valid name")
    }

    /// The name's time read as if it were UTC, plus `s` seconds.
    fn utc_plus(text: &str, s: i64) -> Nanos {
        name(text)
            .and_utc()
            .timestamp_nanos_opt()
            .expect("in range")
            + s * NS_PER_SEC
    }

    #[test]
    fn parses_set_trace_names() {
        let named = name("20261121123900861020");
        assert_eq!(named.format("%H:%M:%S%.6f").to_string(), "12:39:00.861020");
    }

    #[test]
    fn rejects_other_names() {
        assert_eq!(parse("flat_trace"), None);
        assert_eq!(parse("20261399123900861020"), None);
        assert_eq!(parse("2026112112390086102"), None);
    }

    #[test]
    fn the_writers_zone_comes_from_the_first_file() {
        let text = "20261121213900861020";
        // Written in Tokyo (UTC+9): the first call 3 s after the folder, in UTC.
        let first = utc_plus(text, -9 * 3600 + 3);
        let placed = place(name(text), first).expect("a real zone");
        assert_eq!(placed.offset_s, 9 * 3600);
        assert_eq!(Zone::Utc.clock_ms(placed.start_ns), "12:39:00.861");
        assert_eq!(offset_text(placed.offset_s), "UTC+09:00");
        // New York in winter (UTC-5), the first call ten minutes later.
        let placed = place(name(text), utc_plus(text, 5 * 3600 + 600)).expect("a real zone");
        assert_eq!(offset_text(placed.offset_s), "UTC-05:00");
        // India (UTC+5:30), and UTC itself.
        let placed = place(name(text), utc_plus(text, -5 * 3600 - 1800 + 1)).expect("zone");
        assert_eq!(offset_text(placed.offset_s), "UTC+05:30");
        let placed = place(name(text), utc_plus(text, 0)).expect("zone");
        assert_eq!(placed.offset_s, 0);
    }

    #[test]
    fn coarse_file_times_just_before_the_name_do_not_shift_the_zone() {
        let text = "20261121123900861020";
        // A whole-second file time, 0.86 s before the name says.
        let first = utc_plus(text, 0) - 861_020_000;
        assert_eq!(place(name(text), first).map(|p| p.offset_s), Some(0));
    }

    #[test]
    fn a_late_first_call_keeps_a_real_zone() {
        let text = "20261121123900861020";
        // Twenty minutes to the first call in UTC: UTC, not a zone 15 minutes off.
        assert_eq!(
            place(name(text), utc_plus(text, 1200)).map(|p| p.offset_s),
            Some(0)
        );
    }

    #[test]
    fn no_real_zone_no_place() {
        let text = "20261121123900861020";
        assert_eq!(place(name(text), utc_plus(text, -20 * 3600)), None);
        assert_eq!(place(name(text), utc_plus(text, 13 * 3600)), None);
        assert_eq!(place(name(text), i64::MIN), None);
    }
}
