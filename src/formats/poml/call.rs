//! One POML call: its files, times, status and problems, and a summary of its prompt.

use super::folder::{CallGroup, EntryKind};
use super::names;
use super::parts;
use super::result::PomlResult;
use crate::formats::json;
use crate::model::time::Nanos;
use crate::model::{CallFile, LinkInfo, Payload, PomlCall, Problem, SpanKind, SpanRecord, Status};
use crate::untrusted::fsread;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;
use std::sync::Arc;

/// result.json files above this are not parsed; a prefix is shown as text instead.
pub const PARSE_LIMIT: u64 = 64 << 20;
const SMALL_FILE_LIMIT: u64 = 1 << 20;

/// What building a call (or an MLflow trace) needs to know besides its files.
#[derive(Clone, Copy, Debug)]
pub struct BuildContext {
    pub now_ns: Nanos,
    /// Seen changing within the settle time, with more writes possible: a missing or
    /// unparsable file is "being written", not a problem (`ingest::settle`).
    pub young: bool,
    /// When tracetui first saw the files as they are now.
    pub seen_since_ns: Nanos,
}

pub fn build_call(dir: &Arc<Path>, group: &CallGroup<'_>, ctx: BuildContext) -> SpanRecord {
    let key = names::lossy(&group.prefix);
    let name = names::call_name(&group.prefix)
        .map(|n| names::lossy(names::bytes(&n)))
        .unwrap_or_default();
    let mut record = SpanRecord::new(key, SpanKind::PomlCall, name);
    record.index = Some(group.index);

    let mut files: Vec<CallFile> = group
        .files
        .iter()
        .map(|(entry, suffix)| CallFile {
            name: entry.name.clone(),
            suffix: names::lossy(suffix).into(),
            size: entry.size,
            mtime_ns: entry.mtime_ns,
            link: (entry.kind == EntryKind::Symlink).then(|| link_info(&dir.join(&entry.name))),
        })
        .collect();
    files.sort_by(|a, b| {
        (names::suffix_rank(&a.suffix), &a.suffix).cmp(&(names::suffix_rank(&b.suffix), &b.suffix))
    });
    record.start_ns = files.iter().map(|f| f.mtime_ns).min();
    record.end_ns = files.iter().map(|f| f.mtime_ns).max();
    let young = ctx.young;

    let mut call = PomlCall {
        dir: dir.clone(),
        prefix: OsString::from_vec(group.prefix.clone()),
        files,
        source_path: None,
        prompt: None,
    };
    let mut problems = Vec::new();
    let location = |suffix: &str| format!("{}{suffix}", names::lossy(&group.prefix));

    if let Some(env) = call.file(".env") {
        match fsread::read_prefix(&call.path_of(env), SMALL_FILE_LIMIT) {
            Ok(p) => call.source_path = source_path(&p.bytes),
            Err(e) => problems.push(Problem::new(location(".env"), fsread::describe(&e))),
        }
    }
    for file in call.files.iter().filter(|f| f.link.is_some()) {
        if let Some(LinkInfo {
            dangling: false, ..
        }) = &file.link
        {
            continue;
        }
        // A dangling source link is normal (poml's temp files); other link errors are not.
        if let Err(e) = fs::metadata(call.path_of(file))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            problems.push(Problem::new(location(&file.suffix), fsread::describe(&e)));
        }
    }
    for suffix in [".context.json", ".stylesheet.json"] {
        let Some(file) = call.file(suffix) else {
            continue;
        };
        let checked = fsread::read_prefix(&call.path_of(file), PARSE_LIMIT)
            .map_err(|e| fsread::describe(&e))
            .and_then(|p| {
                if p.truncated() {
                    Ok(())
                } else {
                    json::validate(&p.bytes)
                }
            });
        if let Err(message) = checked
            && !young
        {
            problems.push(Problem::new(location(suffix), message));
        }
    }

    record.status = match call.file(".result.json") {
        None if young => Status::Running,
        None => {
            problems.push(Problem::new(
                location(".result.json"),
                "missing: the render failed or the process stopped before writing it",
            ));
            Status::Incomplete
        }
        Some(file) => match read_result(&call.path_of(file)) {
            Ok(result) => {
                let mut summary = result.summary();
                summary.usage = reported_usage(&call);
                call.prompt = Some(summary);
                for (i, content) in result.contents().enumerate() {
                    for e in parts::image_problems(content) {
                        let which = if result.chat {
                            format!("message {}: ", i + 1)
                        } else {
                            String::new()
                        };
                        problems.push(Problem::new(location(".result.json"), which + &e));
                    }
                }
                Status::Ok
            }
            Err(_) if young => Status::Running,
            Err(message) => {
                problems.push(Problem::new(location(".result.json"), message));
                Status::Error
            }
        },
    };
    for file in call.files.iter().filter(|f| is_error_artifact(&f.suffix)) {
        let first = fsread::read_prefix(&call.path_of(file), 4096)
            .map(|p| first_line(&p.bytes))
            .unwrap_or_else(|e| fsread::describe(&e));
        problems.push(Problem::new(location(&file.suffix), first));
        record.status = Status::Error;
    }

    if std::str::from_utf8(&group.prefix).is_err() {
        problems.push(Problem::new(
            location(""),
            format!(
                "file name is not UTF-8: {} (shown with \u{fffd})",
                names::escaped(&group.prefix)
            ),
        ));
    }
    // One broken file can be reported by two checks (a symlink loop: as a link, then read).
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    record.problems = problems;
    record.payload = Payload::Poml(Box::new(call));
    record
}

/// Parse a result file, refusing to load one too large to show anyway.
pub fn read_result(path: &Path) -> Result<PomlResult, String> {
    PomlResult::parse(&read_parsable(path)?)
}

/// The model's reply from the call's `.response.json`: `None` without one, else the reply
/// or why it cannot be read (a file too large to parse, not JSON, an unknown shape).
pub fn read_reply(call: &PomlCall) -> Option<Result<crate::formats::reply::Reply, String>> {
    let file = call.file(RESPONSE)?;
    let read = || {
        let value = json::parse(&read_parsable(&call.path_of(file))?)?;
        crate::formats::reply::from_response(&value)
    };
    Some(read())
}

/// The artifact holding the provider's response to the call.
pub const RESPONSE: &str = ".response.json";

/// A whole file, if it is not too large to parse.
fn read_parsable(path: &Path) -> Result<Vec<u8>, String> {
    let prefix = fsread::read_prefix(path, PARSE_LIMIT).map_err(|e| fsread::describe(&e))?;
    if prefix.truncated() {
        return Err(format!(
            "too large to parse ({}; the limit is {})",
            fsread::human_size(prefix.len),
            fsread::human_size(PARSE_LIMIT)
        ));
    }
    Ok(prefix.bytes)
}

/// Response artifacts larger than this are not read for their usage.
const USAGE_FILE_LIMIT: u64 = 1 << 20;

/// What the provider reported using, from the first JSON artifact (`.response.json`,
/// `.reply.json`, ...) that carries a usage object.
fn reported_usage(call: &PomlCall) -> Option<crate::model::Usage> {
    call.files
        .iter()
        .filter(|f| {
            names::is_artifact(&f.suffix)
                && f.suffix.ends_with(".json")
                && f.size <= USAGE_FILE_LIMIT
        })
        .find_map(|f| {
            let bytes = fsread::read_prefix(&call.path_of(f), USAGE_FILE_LIMIT).ok()?;
            let value = json::parse(&bytes.bytes).ok()?;
            crate::formats::usage::from_response(&value)
        })
}

fn link_info(path: &Path) -> LinkInfo {
    LinkInfo {
        target: fs::read_link(path).unwrap_or_default(),
        dangling: fs::metadata(path).is_err(),
    }
}

/// `SOURCE_PATH=` from a `.env` file's bytes.
pub fn source_path(env: &[u8]) -> Option<Box<str>> {
    String::from_utf8_lossy(env)
        .lines()
        .find_map(|l| l.strip_prefix("SOURCE_PATH="))
        .map(|p| p.trim_end_matches('\r').into())
}

/// `.error.txt` and friends: artifacts that say the call failed.
fn is_error_artifact(suffix: &str) -> bool {
    names::is_artifact(suffix)
        && suffix
            .trim_start_matches('.')
            .split('.')
            .next()
            .is_some_and(|stem| stem.eq_ignore_ascii_case("error"))
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    line.unwrap_or("failed (empty error file)")
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_error_artifacts() {
        assert_eq!(
            source_path(b"SOURCE_PATH=/p/a.poml\n").as_deref(),
            Some("/p/a.poml")
        );
        assert_eq!(source_path(b"OTHER=1\n"), None);
        assert!(is_error_artifact(".error.txt"));
        assert!(!is_error_artifact(".response.json"));
        assert!(!is_error_artifact(".errors_seen.json"));
        assert_eq!(
            first_line(b"\n  RuntimeError: boom\nmore"),
            "RuntimeError: boom"
        );
    }
}
