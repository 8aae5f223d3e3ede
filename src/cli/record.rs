//! `--record DIR`, `--no-record` and how long recordings are kept (`--record-keep`,
//! `--record-max`): where the receiver's recording goes, settled before the UI starts. A
//! folder the user named must be usable (else exit 2); the default one that is not becomes a
//! problem in the UI, and bodies are held in memory.

use crate::cli::usage::{UsageError, reason};
use crate::receiver::retention::Retention;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A limit, or `off` for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound(pub Option<u64>);

fn bound(arg: &str, max: u64, what: &str) -> Result<Bound, String> {
    if arg.eq_ignore_ascii_case("off") {
        return Ok(Bound(None));
    }
    arg.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .map(|n| Bound(Some(n)))
        .ok_or_else(|| format!("{what} from 1 to {max}, or off"))
}

/// `--record-keep`: whole days, or `off`.
pub fn keep_days(arg: &str) -> Result<Bound, String> {
    bound(arg, 36_500, "a number of days")
}

/// `--record-max`: MiB, or `off`.
pub fn max_mib(arg: &str) -> Result<Bound, String> {
    bound(arg, 1 << 30, "a number of MiB")
}

/// What the two flags keep.
pub fn retention(keep_days: Bound, max_mib: Bound) -> Retention {
    Retention {
        keep: keep_days.0.map(|d| Duration::from_secs(d * 24 * 3600)),
        max_total: max_mib.0.map(|m| m << 20),
    }
}

/// The recording's folder, or `None` to hold bodies in memory.
pub fn dir(
    record: Option<&Path>,
    no_record: bool,
    opened: &[PathBuf],
) -> Result<Option<PathBuf>, UsageError> {
    if no_record {
        return Ok(None);
    }
    let Some(dir) = record
        .map(Path::to_path_buf)
        .or_else(crate::receiver::recording::default_dir)
    else {
        return Ok(None);
    };
    if record.is_some() {
        crate::untrusted::private_files::create_dir_all(&dir).map_err(|e| {
            UsageError::new(format!(
                "cannot record in {}: {}",
                dir.display(),
                reason(&e)
            ))
            .hint("Give --record a folder you can write, or --no-record to keep spans in memory.")
        })?;
    }
    // Inside an opened folder, the recording would be watched and read a second time.
    match crate::untrusted::private_files::inside(&dir, opened) {
        None => Ok(Some(dir)),
        Some(_) if record.is_none() => Ok(None),
        Some(p) => Err(UsageError::new(format!(
            "--record {} is inside {}, which is opened: its spans would be read twice",
            dir.display(),
            p.display()
        ))
        .hint("Record somewhere else, or give --no-record.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_flags() {
        assert_eq!(keep_days("7"), Ok(Bound(Some(7))));
        assert_eq!(keep_days("OFF"), Ok(Bound(None)));
        assert!(keep_days("0").is_err() && keep_days("7d").is_err() && keep_days("-1").is_err());
        assert_eq!(max_mib("2048"), Ok(Bound(Some(2048))));
        assert!(max_mib("2GiB").is_err());
        let r = retention(Bound(Some(2)), Bound(None));
        assert_eq!(r.keep, Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(r.max_total, None);
        assert_eq!(
            retention(Bound(Some(7)), Bound(Some(2048))),
            Retention::default(),
            "the flags' defaults are the receiver's"
        );
    }

    #[test]
    fn a_named_folder_is_made_and_used() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let want = tmp.path().join("rec/here");
        let got = dir(Some(&want), false, &[]).expect("usable");
        assert_eq!(got.as_deref(), Some(&*want));
        assert!(want.is_dir());
    }

    #[test]
    fn no_record_records_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        assert_eq!(dir(Some(tmp.path()), true, &[]).expect("fine"), None);
    }

    #[test]
    fn a_folder_inside_an_opened_one_is_refused_when_named() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let inside = tmp.path().join("runs/received");
        let err = dir(Some(&inside), false, &[tmp.path().join("runs")]).expect_err("refused");
        assert!(err.to_string().contains("read twice"), "{err}");
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_a_usage_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").expect("write");
        let err = dir(Some(&file.join("rec")), false, &[]).expect_err("refused");
        assert!(err.to_string().starts_with("cannot record in"), "{err}");
    }
}
