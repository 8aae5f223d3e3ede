//! Live ingest without a terminal or a watcher: files appear as poml writes them and the
//! ingestor is told which paths changed, exactly as the watcher would tell it.

mod common;

use common::live::Live;

use serde_json::Value;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use tracetui::model::Status;
use tracetui::model::time::{NS_PER_SEC, now_ns};

/// A real call from the corpus, by file suffix.
fn corpus_call(session: &str, prefix: &str) -> Vec<(String, PathBuf)> {
    let dir = common::corpus().join("pomlruns").join(session);
    let mut files: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .expect("session")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let suffix = name.strip_prefix(prefix)?.to_string();
            suffix.starts_with('.').then(|| (suffix, e.path()))
        })
        .collect();
    files.sort_by_key(|(suffix, _)| write_rank(suffix));
    files
}

/// poml's write order (formats.md section 1); artifacts come last.
fn write_rank(suffix: &str) -> usize {
    [
        ".poml",
        ".env",
        ".source.poml",
        ".context.json",
        ".stylesheet.json",
        ".result.json",
        ".result.txt",
    ]
    .iter()
    .position(|s| *s == suffix)
    .unwrap_or(7)
}

const S1: &str = "20261121123900861020";

#[test]
fn a_call_arrives_file_by_file_in_poml_order() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut live = Live::open(root.path());
    let session = root.path().join(S1);
    fs::create_dir(&session).expect("mkdir");
    assert!(live.changed(&session).is_empty());
    assert_eq!(
        live.store.session_count(),
        1,
        "a new session folder shows at once"
    );

    for (suffix, source) in corpus_call(S1, "0003.tool_caller") {
        let target = session.join(format!("0003.tool_caller{suffix}"));
        if suffix == ".poml" {
            // poml reserves the index with an empty file first, then fills it.
            fs::write(&target, b"").expect("reserve");
            assert!(live.changed(&target).is_empty());
            let span = live
                .span("0003.tool_caller")
                .expect("shown as soon as .poml appears");
            assert_eq!(span.status, Status::Running, "marked as being written");
        }
        if suffix == ".source.poml" {
            std::os::unix::fs::symlink(fs::read_link(&source).expect("link"), &target)
                .expect("symlink");
        } else {
            fs::copy(&source, &target).expect("copy");
        }
        let problems = live.changed(&target);
        assert!(problems.is_empty(), "after {suffix}: {problems:?}");
        let span = live.span("0003.tool_caller").expect("span");
        let expected = if write_rank(&suffix) >= 5 {
            Status::Ok
        } else {
            Status::Running
        };
        assert_eq!(span.status, expected, "after {suffix}");
    }
    let json = live.json();
    let span = &json["sessions"][0]["spans"][0];
    assert_eq!(span["messages"].as_array().map(Vec::len), Some(4));
    assert_eq!(span["files"].as_array().map(Vec::len), Some(7));
    // Nothing changes once it has settled.
    assert!(live.recheck(now_ns() + 5 * NS_PER_SEC).is_empty());
    assert_eq!(
        live.span("0003.tool_caller").map(|s| s.status),
        Some(Status::Ok)
    );
}

#[test]
fn a_half_written_result_is_retried_and_never_reported() {
    let root = tempfile::tempdir().expect("tempdir");
    let session = root.path().join(S1);
    fs::create_dir(&session).expect("mkdir");
    let mut live = Live::open(root.path());
    let files = corpus_call(S1, "0001.planner");
    let result = fs::read(
        &files
            .iter()
            .find(|(s, _)| s == ".result.json")
            .expect("result")
            .1,
    )
    .expect("read");
    let poml = session.join("0001.planner.poml");
    fs::write(&poml, b"<poml/>").expect("write");
    live.changed(&poml);
    let target = session.join("0001.planner.result.json");
    for cut in [1, result.len() / 3, result.len() * 2 / 3] {
        fs::write(&target, &result[..cut]).expect("partial");
        let problems = live.changed(&target);
        assert!(problems.is_empty(), "cut at {cut}: {problems:?}");
        assert_eq!(
            live.span("0001.planner").map(|s| s.status),
            Some(Status::Running)
        );
    }
    fs::write(&target, &result).expect("complete");
    assert!(live.changed(&target).is_empty());
    assert_eq!(
        live.span("0001.planner").map(|s| s.status),
        Some(Status::Ok)
    );
    assert!(
        live.recheck(now_ns() + 5 * NS_PER_SEC).is_empty(),
        "no late report either"
    );
}

#[test]
fn a_result_that_stays_broken_is_reported_once_settled() {
    let root = tempfile::tempdir().expect("tempdir");
    let session = root.path().join(S1);
    fs::create_dir(&session).expect("mkdir");
    let mut live = Live::open(root.path());
    let poml = session.join("0001.planner.poml");
    fs::write(&poml, b"<poml/>").expect("write");
    live.changed(&poml);
    let target = session.join("0001.planner.result.json");
    fs::write(&target, br#"{"messages": [{"speaker": "sys"#).expect("partial");
    assert!(live.changed(&target).is_empty());
    // Still inside the settle window: nothing yet.
    assert!(live.recheck(now_ns()).is_empty());
    let later = now_ns() + 2 * NS_PER_SEC;
    let problems = live.recheck(later);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("0001.planner.result.json: truncated JSON"),
        "{problems:?}"
    );
    assert_eq!(
        live.span("0001.planner").map(|s| s.status),
        Some(Status::Error)
    );
    // A call without any result, once quiet, is incomplete.
    let lone = session.join("0002.lonely.poml");
    fs::write(&lone, b"<poml/>").expect("write");
    live.changed(&lone);
    let problems = live.recheck(now_ns() + 2 * NS_PER_SEC);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("0002.lonely.result.json: missing")),
        "{problems:?}"
    );
    assert_eq!(
        live.span("0002.lonely").map(|s| s.status),
        Some(Status::Incomplete)
    );
}

#[test]
fn deleted_calls_and_sessions_leave_the_view() {
    let root = tempfile::tempdir().expect("tempdir");
    let session = root.path().join(S1);
    fs::create_dir(&session).expect("mkdir");
    for (suffix, source) in corpus_call(S1, "0001.planner")
        .into_iter()
        .chain(corpus_call(S1, "0002.tool_caller"))
        .filter(|(s, _)| s != ".source.poml")
    {
        let name = source
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.ends_with(&suffix));
        fs::copy(&source, session.join(name)).expect("copy");
    }
    let mut live = Live::open(root.path());
    assert_eq!(live.store.span_count(), 2);
    for entry in fs::read_dir(&session).expect("list").flatten() {
        if entry.file_name().as_bytes().starts_with(b"0002.") {
            fs::remove_file(entry.path()).expect("rm");
            live.changed(&entry.path());
        }
    }
    assert_eq!(live.store.span_count(), 1);
    assert!(live.span("0002.tool_caller").is_none());
    fs::remove_dir_all(&session).expect("rm -r");
    live.changed(&session);
    assert_eq!(live.store.session_count(), 0);
    // A path that was never seen and is gone is no trouble either.
    live.changed(&root.path().join("nothing/here"));
}

/// Copy `from` to `to` keeping the modification time (and symlinks as symlinks).
fn copy_like_poml(from: &Path, to: &Path) {
    let meta = fs::symlink_metadata(from).expect("lstat");
    let mtime = filetime::FileTime::from_last_modification_time(&meta);
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from).expect("link"), to).expect("symlink");
        filetime::set_symlink_file_times(to, mtime, mtime).expect("times");
    } else if meta.is_dir() {
        fs::create_dir(to).expect("mkdir");
    } else {
        fs::copy(from, to).expect("copy");
        filetime::set_file_mtime(to, mtime).expect("mtime");
    }
}

/// Every file of a folder in the order poml would have written them: by call index, then
/// poml's write order, then the rest.
fn in_write_order(dir: &Path) -> Vec<OsString> {
    let mut names: Vec<OsString> = fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort_by_key(|n| {
        let b = n.as_bytes();
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let index: u64 = std::str::from_utf8(&b[..digits])
            .ok()
            .and_then(|d| d.parse().ok())
            .unwrap_or(u64::MAX);
        let text = n.to_string_lossy();
        let rank = [
            ".result.txt",
            ".result.json",
            ".stylesheet.json",
            ".context.json",
            ".source.poml",
            ".env",
        ]
        .iter()
        .position(|s| text.ends_with(s))
        .map_or(if text.ends_with(".poml") { 0 } else { 7 }, |p| 6 - p);
        (index, rank, n.clone())
    });
    names
}

/// Replace the temporary roots in a dump so two loads of the same data compare equal.
fn normalized(mut json: Value, root: &Path) -> String {
    fn walk(v: &mut Value, root: &str) {
        match v {
            Value::String(s) => *s = s.replace(root, "<root>"),
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, root)),
            Value::Object(o) => o.values_mut().for_each(|x| walk(x, root)),
            _ => {}
        }
    }
    walk(&mut json, &root.display().to_string());
    serde_json::to_string_pretty(&json).expect("json")
}

#[test]
fn loading_at_once_and_replaying_file_by_file_give_the_same_model() {
    let corpus = common::corpus();
    for root_name in ["pomlruns", "flat_trace", "damaged", "pomlruns_mlflow"] {
        let source = corpus.join(root_name);
        let loaded = Live::open(&source);
        assert!(loaded.store.span_count() > 0, "{root_name} has calls");
        let at_once = normalized(loaded.json(), &source);

        let replay_root = tempfile::tempdir().expect("tempdir");
        // Keep the folder name: a flat folder is named after itself.
        let target = replay_root.path().join(root_name);
        fs::create_dir(&target).expect("mkdir");
        let mut live = Live::open(&target);
        let flat = fs::read_dir(&source)
            .expect("list")
            .flatten()
            .any(|e| e.file_type().is_ok_and(|t| !t.is_dir()));
        let sessions: Vec<(PathBuf, PathBuf)> = if flat {
            vec![(source.clone(), target.clone())]
        } else {
            in_write_order(&source)
                .into_iter()
                .map(|n| (source.join(&n), target.join(&n)))
                .collect()
        };
        for (from_dir, to_dir) in sessions {
            if from_dir != source {
                copy_like_poml(&from_dir, &to_dir);
                live.changed(&to_dir);
            }
            for name in in_write_order(&from_dir) {
                copy_like_poml(&from_dir.join(&name), &to_dir.join(&name));
                live.changed(&to_dir.join(&name));
            }
            // Folder mtimes change as files land; poml's are whatever they were.
            let meta = fs::metadata(&from_dir).expect("stat");
            filetime::set_file_mtime(
                &to_dir,
                filetime::FileTime::from_last_modification_time(&meta),
            )
            .expect("mtime");
        }
        let replayed = normalized(live.json(), &target);
        assert_eq!(
            at_once, replayed,
            "{root_name}: replay differs from loading at once"
        );
    }
}

#[test]
fn a_relative_root_matches_the_absolute_paths_watchers_report() {
    let cwd = std::env::current_dir().expect("cwd");
    let base = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    // Relative to the working directory, even when the target folder lies elsewhere
    // (CARGO_TARGET_DIR): up to the root, then down.
    let relative = base.path().strip_prefix(&cwd).map_or_else(
        |_| {
            let up = cwd.components().skip(1).map(|_| "..");
            let down = base.path().components().skip(1);
            up.map(std::path::PathBuf::from)
                .chain(down.map(|c| std::path::PathBuf::from(c.as_os_str())))
                .collect::<std::path::PathBuf>()
        },
        std::path::Path::to_path_buf,
    );
    assert!(relative.is_relative());
    let mut live = Live::open(&relative);
    let session = base.path().join(S1);
    fs::create_dir(&session).expect("mkdir");
    live.changed(&session);
    let poml = session.join("0001.x.poml");
    fs::write(&poml, b"<poml/>").expect("write");
    live.changed(&poml);
    assert_eq!(
        live.store.span_count(),
        1,
        "absolute event paths reach the relative root"
    );
    let json = live.json();
    let path = json["sessions"][0]["path"].as_str().expect("path");
    assert!(
        path.starts_with(&relative.display().to_string()),
        "shown as opened: {path}"
    );
}

#[test]
fn event_files_appended_in_small_chunks_give_the_same_model() {
    use std::io::Write;
    for name in [
        "documented.jsonl",
        "sandbox.jsonl",
        "stream.sse",
        "traces.json",
    ] {
        let source = common::fixture(&format!("pml/{name}"));
        let bytes = fs::read(&source).expect("fixture");

        let whole_dir = tempfile::tempdir().expect("tempdir");
        let whole = whole_dir.path().join(name);
        fs::write(&whole, &bytes).expect("write");
        let mut at_once = Live::open(whole_dir.path());
        at_once.recheck(now_ns() + 10 * NS_PER_SEC);
        assert!(at_once.store.span_count() > 0, "{name} has spans");

        let grow_dir = tempfile::tempdir().expect("tempdir");
        let grown = grow_dir.path().join(name);
        let mut live = Live::open(grow_dir.path());
        let mut file = fs::File::create(&grown).expect("create");
        for chunk in bytes.chunks(7) {
            file.write_all(chunk).expect("append");
            file.flush().expect("flush");
            let problems = live.changed(&grown);
            // Only the deliberately broken line may ever be reported.
            assert!(
                problems.iter().all(|p| p.contains("documented.jsonl:7:")),
                "{name}: a partial write was reported: {problems:?}"
            );
        }
        live.recheck(now_ns() + 10 * NS_PER_SEC);
        assert_eq!(
            normalized(at_once.json(), whole_dir.path()),
            normalized(live.json(), grow_dir.path()),
            "{name}: appending in chunks differs from reading at once"
        );
    }
}

#[test]
fn truncated_and_rotated_event_files_are_read_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    let line = |id: &str| {
        format!(
            r#"{{"id":"{id}","type":"tool_call","timestamp":1700000000000,"duration_ms":5,"root_id":"r","tool":"fs:read"}}"#
        ) + "\n"
    };
    fs::write(&path, line("a") + &line("b")).expect("write");
    let mut live = Live::open(dir.path());
    assert_eq!(live.store.span_count(), 2);
    // Truncated and rewritten: only what is on disk now.
    fs::write(&path, line("c")).expect("truncate");
    live.changed(&path);
    let keys: Vec<String> = live.json()["sessions"][0]["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(keys, ["c"]);
    // Rotated: renamed away (still in the folder, so still shown) and a new file started.
    fs::rename(&path, dir.path().join("events-1.jsonl")).expect("rotate");
    live.changed(&path);
    live.changed(&dir.path().join("events-1.jsonl"));
    fs::write(&path, line("d")).expect("new file");
    live.changed(&path);
    let mut keys: Vec<String> = live.json()["sessions"]
        .as_array()
        .expect("s")
        .iter()
        .flat_map(|s| {
            s["spans"]
                .as_array()
                .expect("spans")
                .iter()
                .map(|x| x["id"].as_str().expect("id").to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["c", "d"],
        "the rotated file's span and the new one's"
    );
}

/// The Collector's file exporter rotates inside the watched folder: `events.jsonl` renamed
/// to `events-1.jsonl`, a new `events.jsonl` begun, the same trace going on in it. Whether
/// the watcher reports both names in one batch or one at a time, in either order, the
/// session keeps every span, and every span's body reads from the file that now holds it.
#[test]
fn rotation_inside_a_watched_folder_keeps_every_span() {
    let line = |i: usize| {
        format!(
            r#"{{"id":"s{i}","type":"tool_call","timestamp":{},"duration_ms":5,"root_id":"r","tool":"fs:read","input":{{"n":{i}}}}}"#,
            1_700_000_000_000u64 + i as u64
        ) + "\n"
    };
    type Report = fn(&mut Live, &Path, &Path);
    let reports: [(&str, Report); 3] = [
        ("one batch", |live, new, old| {
            live.changed_all(&[new.to_path_buf(), old.to_path_buf()], now_ns());
        }),
        ("new name first", |live, new, old| {
            live.changed(old);
            live.changed(new);
        }),
        ("old name first", |live, new, old| {
            live.changed(new);
            live.changed(old);
        }),
    ];
    for (how, report) in reports {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        fs::write(&path, (0..200).map(line).collect::<String>()).expect("write");
        let mut live = Live::open(dir.path());
        assert_eq!(live.store.span_count(), 200);
        let rotated = dir.path().join("events-1.jsonl");
        fs::rename(&path, &rotated).expect("rotate");
        fs::write(&path, line(200)).expect("new file");
        report(&mut live, &path, &rotated);
        let json = live.json();
        let spans = json["sessions"][0]["spans"].as_array().expect("spans");
        assert_eq!(spans.len(), 201, "{how}");
        assert_eq!(json["sessions"].as_array().map(Vec::len), Some(1), "{how}");
        for span in spans {
            let n: usize = span["id"].as_str().expect("id")[1..].parse().expect("n");
            let file = if n < 200 { &rotated } else { &path };
            assert_eq!(span["file"], file.display().to_string(), "{how}: s{n}");
            assert_eq!(span["input"]["n"], n, "{how}: s{n} reads its own body");
        }
    }
}
