//! Time values (nanoseconds since the Unix epoch) and how they are shown.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch (or a duration in nanoseconds).
pub type Nanos = i64;

pub const NS_PER_MS: i64 = 1_000_000;
pub const NS_PER_SEC: i64 = 1_000_000_000;

/// Times and durations read from traces are kept within this distance of the epoch (about
/// 146 years: 1824 to 2116). Trace files are untrusted: a timestamp of 1e300 ms must not
/// overflow later arithmetic, and with both operands inside ±2^62 any sum or difference of
/// two of them (a duration, a gap, an end from a start) fits in a `Nanos`.
pub const TIME_LIMIT: Nanos = (1 << 62) - 1;

/// `ns` moved into ±`TIME_LIMIT`.
pub fn clamp_time(ns: Nanos) -> Nanos {
    ns.clamp(-TIME_LIMIT, TIME_LIMIT)
}

/// Milliseconds, rounded toward minus infinity so that `ms(start)` never exceeds the truth.
pub fn ns_to_ms(ns: Nanos) -> i64 {
    ns.div_euclid(NS_PER_MS)
}

pub fn ms_to_ns(ms: i64) -> Nanos {
    ms.saturating_mul(NS_PER_MS)
}

/// A file time as nanoseconds; times before the epoch come out negative.
pub fn system_time_ns(t: SystemTime) -> Nanos {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

pub fn now_ns() -> Nanos {
    system_time_ns(SystemTime::now())
}

/// A steady clock on the wall clock's scale: the wall time when first asked, advanced by
/// the monotonic clock since. Live ingest judges "unchanged for a second" by it, between
/// its own reads, so a wall clock stepped by NTP or a file time from a machine whose clock
/// runs ahead cannot hold data back or let it through early.
pub fn steady_ns() -> Nanos {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ANCHOR: OnceLock<(Instant, Nanos)> = OnceLock::new();
    let (at, wall) = *ANCHOR.get_or_init(|| (Instant::now(), now_ns()));
    let elapsed = i64::try_from(at.elapsed().as_nanos()).unwrap_or(i64::MAX);
    wall.saturating_add(elapsed)
}

/// The zone wall-clock times are read and shown in. Traces name sessions in the writer's local
/// time; tests pin `Utc` so snapshots do not depend on the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Local,
    Utc,
}

impl Zone {
    /// Epoch nanoseconds of a wall-clock time in this zone (the earlier one when ambiguous).
    pub fn from_naive(self, naive: NaiveDateTime) -> Option<Nanos> {
        let utc = match self {
            Zone::Utc => Some(naive.and_utc()),
            Zone::Local => Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
        }?;
        utc.timestamp_nanos_opt()
    }

    fn format(self, ns: Nanos, fmt: &str) -> String {
        let utc = DateTime::<Utc>::from_timestamp_nanos(ns);
        match self {
            Zone::Utc => utc.format(fmt).to_string(),
            Zone::Local => utc.with_timezone(&Local).format(fmt).to_string(),
        }
    }

    /// `2026-11-21 12:39:00`
    pub fn datetime(self, ns: Nanos) -> String {
        self.format(ns, "%Y-%m-%d %H:%M:%S")
    }

    /// `12:39:00.861`
    pub fn clock_ms(self, ns: Nanos) -> String {
        self.format(ns, "%H:%M:%S%.3f")
    }

    /// `12:39:00`, short enough for a tree row.
    pub fn clock(self, ns: Nanos) -> String {
        self.format(ns, "%H:%M:%S")
    }
}

/// A duration for people: `0.4ms`, `850ms`, `1.25s`, `12.3s`, `2m03s`, `1h02m`.
pub fn format_duration(ns: Nanos) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    let ms = ns as f64 / NS_PER_MS as f64;
    let body = if ns < 10 * NS_PER_MS as u64 {
        if ns.is_multiple_of(NS_PER_MS as u64) {
            format!("{}ms", ns / NS_PER_MS as u64)
        } else {
            format!("{ms:.1}ms")
        }
    } else if ns < NS_PER_SEC as u64 {
        format!("{}ms", ns / NS_PER_MS as u64)
    } else if ns < 10 * NS_PER_SEC as u64 {
        format!("{:.2}s", ms / 1000.0)
    } else if ns < 60 * NS_PER_SEC as u64 {
        format!("{:.1}s", ms / 1000.0)
    } else {
        let secs = ns / NS_PER_SEC as u64;
        if secs < 3600 {
            format!("{}m{:02}s", secs / 60, secs % 60)
        } else if secs < 100 * 3600 {
            format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
        } else {
            format!("{}d{:02}h", secs / 86_400, (secs % 86_400) / 3600)
        }
    };
    format!("{sign}{body}")
}

/// An axis label: the shortest exact form of a tick offset (`0`, `500ms`, `1.5s`, `2m`).
pub fn format_offset(ns: Nanos) -> String {
    if ns == 0 {
        return "0".into();
    }
    let abs = ns.unsigned_abs();
    let sign = if ns < 0 { "-" } else { "" };
    let (value, unit) = if abs < NS_PER_MS as u64 {
        (abs as f64 / 1000.0, "µs")
    } else if abs < NS_PER_SEC as u64 {
        (abs as f64 / NS_PER_MS as f64, "ms")
    } else if abs < 60 * NS_PER_SEC as u64 {
        (abs as f64 / NS_PER_SEC as f64, "s")
    } else if abs < 3600 * NS_PER_SEC as u64 {
        (abs as f64 / (60 * NS_PER_SEC) as f64, "m")
    } else {
        (abs as f64 / (3600 * NS_PER_SEC) as f64, "h")
    };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{sign}{text}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamped_times_subtract_without_overflow() {
        assert_eq!(clamp_time(i64::MAX), TIME_LIMIT);
        assert_eq!(clamp_time(i64::MIN), -TIME_LIMIT);
        assert_eq!(
            clamp_time(1_700_000_000 * NS_PER_SEC),
            1_700_000_000 * NS_PER_SEC
        );
        assert!(TIME_LIMIT.checked_sub(-TIME_LIMIT).is_some());
        assert!(TIME_LIMIT.checked_add(TIME_LIMIT).is_some());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(0), "0ms");
        assert_eq!(format_duration(400_000), "0.4ms");
        assert_eq!(format_duration(33 * NS_PER_MS), "33ms");
        assert_eq!(format_duration(1_250 * NS_PER_MS), "1.25s");
        assert_eq!(format_duration(12_340 * NS_PER_MS), "12.3s");
        assert_eq!(format_duration(123 * NS_PER_SEC), "2m03s");
        assert_eq!(format_duration(3720 * NS_PER_SEC), "1h02m");
        assert_eq!(format_duration(-5 * NS_PER_MS), "-5ms");
    }

    #[test]
    fn offsets_are_short() {
        assert_eq!(format_offset(0), "0");
        assert_eq!(format_offset(500 * NS_PER_MS), "500ms");
        assert_eq!(format_offset(1_500 * NS_PER_MS), "1.5s");
        assert_eq!(format_offset(120 * NS_PER_SEC), "2m");
        assert_eq!(format_offset(250_000), "250µs");
    }

    #[test]
    fn ms_rounds_down_even_before_the_epoch() {
        assert_eq!(ns_to_ms(1_999_999), 1);
        assert_eq!(ns_to_ms(-1), -1);
    }

    #[test]
    fn utc_round_trip() {
        let naive = NaiveDateTime::parse_from_str("2026-11-21 12:39:00", "%Y-%m-%d %H:%M:%S")
            .expect("valid literal");
        let ns = Zone::Utc.from_naive(naive).expect("in range");
        assert_eq!(Zone::Utc.datetime(ns), "2026-11-21 12:39:00");
        assert_eq!(Zone::Utc.clock_ms(ns + 861 * NS_PER_MS), "12:39:00.861");
    }
}
