//! A trace tree built at test time with every kind of damage the issue lists (several cannot
//! live in git: symlink loops, invalid UTF-8 names, permissions, a 1 GB sparse file), next
//! to one intact session copied from the real corpus.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

/// The intact session from the real corpus (10 calls).
pub const GOOD: &str = "20261121123900861020";
/// The session folder holding the damaged calls.
pub const BAD: &str = "20261121130000000000";
/// A path named like a session folder that is a regular file.
pub const FILE_SESSION: &str = "20261121140000000000";
/// A session folder nobody may read.
pub const LOCKED: &str = "20261121150000000000";

/// Sizes of the oversized inputs (sparse: they cost no disk).
pub const HUGE_RESULT: u64 = 1 << 30;
pub const HUGE_LINE: u64 = 300 << 20;

const OK_RESULT: &str = r#"{"messages":[{"speaker":"human","content":"fine"}]}"#;

pub struct Hostile {
    pub dir: tempfile::TempDir,
}

impl Hostile {
    pub fn pomlruns(&self) -> PathBuf {
        self.dir.path().join("pomlruns")
    }

    pub fn events(&self) -> PathBuf {
        self.dir.path().join("events.jsonl")
    }
}

fn call(dir: &Path, prefix: &str, result: &[u8]) {
    fs::write(dir.join(format!("{prefix}.poml")), "<poml><p>hi</p></poml>").expect("poml");
    fs::write(dir.join(format!("{prefix}.result.json")), result).expect("result");
}

pub fn build() -> Hostile {
    // Always under /tmp: paths show in snapshots, so their length must not vary with $TMPDIR.
    let dir = tempfile::Builder::new()
        .tempdir_in("/tmp")
        .expect("tempdir");
    let root = dir.path().join("pomlruns");
    fs::create_dir(&root).expect("pomlruns");
    let corpus = super::corpus().join("pomlruns").join(GOOD);
    super::copy_tree(&corpus, &root.join(GOOD), super::Links::Follow);

    let bad = root.join(BAD);
    fs::create_dir(&bad).expect("bad session");
    call(
        &bad,
        "0001.truncated",
        br#"{"messages":[{"speaker":"human","content":"cut he"#,
    );
    call(&bad, "0002.empty", b"");
    call(
        &bad,
        "0003.binary",
        &[0x00, 0xff, 0x13, 0x37, 0x1b, 0x5b, 0x32, 0x4a, 0x00],
    );
    call(
        &bad,
        "0004.badutf8",
        b"{\"messages\":[{\"speaker\":\"human\",\"content\":\"caf\xe9\"}]}",
    );
    // A name that is not UTF-8.
    let mut name = b"0005.caf\xe9".to_vec();
    name.extend_from_slice(b".poml");
    fs::write(bad.join(std::ffi::OsStr::from_bytes(&name)), "<poml/>").expect("odd name");
    let mut result = b"0005.caf\xe9".to_vec();
    result.extend_from_slice(b".result.json");
    fs::write(bad.join(std::ffi::OsStr::from_bytes(&result)), OK_RESULT).expect("odd result");
    // Dangling symlink and a loop.
    fs::write(bad.join("0006.dangling.poml"), "<poml/>").expect("poml");
    symlink(
        bad.join("nowhere.json"),
        bad.join("0006.dangling.result.json"),
    )
    .expect("symlink");
    call(&bad, "0007.loop", OK_RESULT.as_bytes());
    symlink(
        bad.join("0007.loop.context.json"),
        bad.join("0007.loop.context.json"),
    )
    .expect("loop");
    call(&bad, "0008.locked", OK_RESULT.as_bytes());
    // Nesting far past serde_json's recursion limit.
    let deep = format!(
        "{{\"messages\":[{{\"speaker\":\"human\",\"content\":{}{}}}]}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    call(&bad, "0009.deep", deep.as_bytes());
    // A 1 GB result.json: valid start, then a hole.
    call(
        &bad,
        "0010.huge",
        br#"{"messages":[{"speaker":"human","content":"#,
    );
    let huge = fs::OpenOptions::new()
        .write(true)
        .open(bad.join("0010.huge.result.json"))
        .expect("huge");
    huge.set_len(HUGE_RESULT).expect("sparse");
    // An image whose base64 does not decode, and hostile text.
    call(
        &bad,
        "0011.badimage",
        br#"{"messages":[{"speaker":"human","content":[{"type":"image/png","base64":"!!!not base64@@"}]}]}"#,
    );
    call(
        &bad,
        "0012.escapes",
        "{\"messages\":[{\"speaker\":\"ai\",\"content\":\"\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[10;10H\\u001b]8;;http://evil\\u001b\\\\link\\u001b]8;;\\u001b\\\\ \\u202egnp.exe\"}]}".as_bytes(),
    );
    // A folder named like a call file.
    fs::create_dir(bad.join("0013.folder.result.json")).expect("folder");
    fs::write(bad.join("0013.folder.poml"), "<poml/>").expect("poml");

    // A session "folder" that is a file, and one nobody may read.
    fs::write(root.join(FILE_SESSION), "not a folder").expect("file session");
    let locked_dir = root.join(LOCKED);
    fs::create_dir(&locked_dir).expect("locked");
    call(&locked_dir, "0001.secret", OK_RESULT.as_bytes());

    // A folder symlink back up the tree: discovery must not go round it forever.
    symlink(&root, root.join("loop")).expect("folder loop");

    write_events(&dir.path().join("events.jsonl"));
    write_mlflow(&dir.path().join("mlruns"));
    // Written an hour "ago", so nothing counts as still being written.
    age(&bad, 1_795_262_400);
    age(&locked_dir, 1_795_262_400);
    // Unreadable file and folder (root reads them anyway: tests then run the binary as
    // another user).
    let locked = bad.join("0008.locked.result.json");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    fs::set_permissions(&locked_dir, fs::Permissions::from_mode(0o000)).expect("chmod");
    // Others (the unprivileged user the tests switch to under root) may enter.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    Hostile { dir }
}

/// PML events: good ones around a line that is not JSON, one with no id, one nested past
/// the recursion limit, a line of hundreds of MB (a hole of NULs) and hostile text.
fn write_events(path: &Path) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = fs::File::create(path).expect("events");
    let ok = |id: &str, t: u64| {
        format!(
            r#"{{"id":"{id}","type":"tool_call","timestamp":{t},"duration_ms":5,"root_id":"r1","tool":{{"server":"fs","name":"read"}},"input":{{"path":"a"}},"status":"success"}}"#
        )
    };
    writeln!(f, "{}", ok("t1", 1_700_000_000_000)).expect("write");
    writeln!(f, "{{not json").expect("write");
    writeln!(f, r#"{{"type":"tool_call","timestamp":1700000000010}}"#).expect("write");
    writeln!(
        f,
        r#"{{"id":"deep","type":"tool_call","timestamp":1700000000020,"root_id":"r1","input":{}{}}}"#,
        "[".repeat(50_000),
        "]".repeat(50_000)
    )
    .expect("write");
    let at = f.stream_position().expect("position");
    f.seek(SeekFrom::Start(at + HUGE_LINE)).expect("seek");
    writeln!(f).expect("write");
    writeln!(
        f,
        r#"{{"id":"t2","type":"tool_call","timestamp":1700000000030,"duration_ms":5,"root_id":"r1","tool":{{"server":"fs","name":"read"}},"output":"\u001b]2;owned\u0007\u001b[H\u001b[2J","status":"success"}}"#
    )
    .expect("write");
    writeln!(f, "{}", ok("t3", 1_700_000_000_040)).expect("write");
}

/// Give every entry of `dir` (symlinks themselves, not their targets) an mtime of `secs`
/// plus its position, so calls keep their order.
fn age(dir: &Path, secs: i64) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for (i, path) in entries.iter().enumerate() {
        let t = filetime::FileTime::from_unix_time(secs + i as i64, 0);
        filetime::set_symlink_file_times(path, t, t).expect("mtime");
    }
}

/// MLflow traces: info that is not YAML, spans that are not JSON, a span name that is an
/// escape sequence, and one good trace.
fn write_mlflow(root: &Path) {
    let trace = |id: &str, info: &str, spans: Option<&str>| {
        let dir = root.join("1").join("traces").join(id);
        fs::create_dir_all(dir.join("artifacts")).expect("mkdir");
        fs::write(dir.join("trace_info.yaml"), info).expect("info");
        if let Some(spans) = spans {
            fs::write(dir.join("artifacts").join("traces.json"), spans).expect("spans");
        }
        let old = filetime::FileTime::from_unix_time(1_795_262_400, 0);
        for f in ["trace_info.yaml", "artifacts/traces.json"] {
            let _ = filetime::set_file_mtime(dir.join(f), old);
        }
    };
    fs::create_dir_all(root.join("1")).expect("mkdir");
    fs::write(root.join("1").join("meta.yaml"), "name: hostile\n").expect("meta");
    trace("tr-badyaml", "trace_id: [unclosed\n  : :\n", None);
    trace(
        "tr-badjson",
        "trace_id: tr-badjson\nstate: OK\n",
        Some("{\"spans\": [{\"span_id\": "),
    );
    trace(
        "tr-escapes",
        "trace_id: tr-escapes\nstate: OK\n",
        Some(
            r#"{"spans": [{"trace_id": "AAAAAAAAAAAAAAAAAAAAAA==", "span_id": "AAAAAAAAAAE=", "parent_span_id": null,
            "name": "\u001b]0;mlflow-pwned\u0007evil", "start_time_unix_nano": 1795262400000000000,
            "end_time_unix_nano": 1795262400100000000, "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""},
            "attributes": {"mlflow.spanType": "\"LLM\"", "mlflow.spanInputs": "{\"messages\": [{\"role\": \"user\", \"content\": \"\\u001b[2Jhi\"}]}"}}]}"#,
        ),
    );
}

/// Make everything removable again (the temp dir's drop cannot enter a 000 folder).
pub fn unlock(h: &Hostile) {
    let _ = fs::set_permissions(h.pomlruns().join(LOCKED), fs::Permissions::from_mode(0o755));
}

/// Everything observable about a tree without following links: type, permissions, size,
/// inode, modification and change times, and a hash of each regular file's bytes (files
/// past 64 MB by their times alone: the change time moves on any write anyway).
pub fn fingerprint(root: &Path) -> std::collections::BTreeMap<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).expect("lstat");
        let mut line = format!(
            "mode {:o} size {} ino {} mtime {}.{} ctime {}.{}",
            meta.mode(),
            meta.size(),
            meta.ino(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        );
        if meta.is_dir() {
            // Root may enter a 000 folder; anyone else is refused and records that.
            match fs::read_dir(&path) {
                Ok(entries) => stack.extend(entries.map(|e| e.expect("entry").path())),
                Err(e) => line.push_str(&format!(" unlistable {}", e.kind())),
            }
        } else if meta.is_file() && meta.size() <= 64 << 20 {
            match fs::read(&path) {
                Ok(bytes) => {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    bytes.hash(&mut h);
                    line.push_str(&format!(" hash {:x}", h.finish()));
                }
                Err(e) => line.push_str(&format!(" unreadable {}", e.kind())),
            }
        } else if meta.file_type().is_symlink() {
            let target = fs::read_link(&path).expect("readlink");
            line.push_str(&format!(" -> {}", target.display()));
        }
        out.insert(path, line);
    }
    out
}
