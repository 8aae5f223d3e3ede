//! Helpers shared by the integration tests: the real corpus unpacked with its mtimes, and
//! running the real binary.
#![allow(dead_code)]

pub mod hostile;
pub mod live;
pub mod mlflow_rows;
pub mod mlflow_server;
pub mod receiver;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The corpus written by the real poml and mlflow packages, unpacked once per test binary
/// from the tarball (git does not keep the modification times the timeline is built from).
pub fn corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        unpack(&fixture("corpus-public.tar.gz"), dir.path());
        dir
    })
    .path()
    .join("public")
    .leak()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What `copy_tree` does with a symlink.
#[derive(Clone, Copy)]
pub enum Links {
    /// Copy what it points at (a copy that reads the same anywhere).
    Follow,
    /// Copy the link itself (a relative one may dangle in the copy).
    Keep,
}

/// A copy of a folder tree under `to`, folders recursively, with the files' modification
/// times (ingest takes call times from them, as from the corpus's).
pub fn copy_tree(from: &Path, to: &Path, links: Links) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() && matches!(links, Links::Keep) {
            let link = std::fs::read_link(&source).expect("read_link");
            std::os::unix::fs::symlink(link, &target).expect("symlink");
        } else if std::fs::metadata(&source).expect("metadata").is_dir() {
            copy_tree(&source, &target, links);
        } else {
            std::fs::copy(&source, &target).expect("copy");
            let meta = std::fs::metadata(&source).expect("metadata");
            let mtime = filetime::FileTime::from_last_modification_time(&meta);
            filetime::set_file_mtime(&target, mtime).expect("mtime");
        }
    }
}

/// Unpack a .tar.gz with its modification times, to the nanosecond when the archive has them
/// (POSIX/PAX `mtime` records, as `tar --format=posix` writes them): the tar crate restores
/// whole seconds only, so the exact times are set in a second pass, links included.
pub fn unpack(tarball: &Path, into: &Path) {
    let open = || {
        let file = std::fs::File::open(tarball).expect("fixture tarball");
        tar::Archive::new(flate2::read::GzDecoder::new(file))
    };
    let mut archive = open();
    archive.set_preserve_mtime(true);
    archive.set_preserve_permissions(true);
    archive.unpack(into).expect("unpack fixture");
    let mut archive = open();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let Some(mtime) = pax_mtime(&mut entry) else {
            continue;
        };
        let path = into.join(entry.path().expect("path"));
        filetime::set_symlink_file_times(&path, mtime, mtime).expect("set the exact mtime");
    }
}

/// An entry's PAX `mtime` ("1795134728.123456789"), when it has one.
fn pax_mtime<R: std::io::Read>(entry: &mut tar::Entry<'_, R>) -> Option<filetime::FileTime> {
    let extensions = entry.pax_extensions().ok()??;
    let value = extensions
        .filter_map(Result::ok)
        .find(|e| e.key() == Ok("mtime"))?
        .value()
        .ok()?
        .to_string();
    let (secs, frac) = value.split_once('.').unwrap_or((&value, ""));
    let nanos = format!("{frac:0<9}");
    Some(filetime::FileTime::from_unix_time(
        secs.parse().ok()?,
        nanos.get(..9)?.parse().ok()?,
    ))
}

/// Run a helper program (a producer, a client) to completion; it must succeed, and its
/// standard error is the failure message if it does not.
pub fn run_ok(command: &mut Command, what: &str) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn tracetui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetui"))
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run tracetui")
}

pub fn dump_json(paths: &[&Path]) -> serde_json::Value {
    dump_json_with(&[], paths)
}

/// `dump --format json` with more options (`--filter EXPR`), checked as `dump_json` does.
pub fn dump_json_with(options: &[&str], paths: &[&Path]) -> serde_json::Value {
    let mut args = vec!["dump", "--format", "json"];
    args.extend(options);
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let out = tracetui(&args);
    assert!(
        out.status.success(),
        "dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Strict>(&out.stdout).expect("dump prints JSON, no key twice");
    serde_json::from_slice(&out.stdout).expect("dump prints JSON")
}

/// JSON that refuses an object with a key twice (serde_json keeps the last silently; the
/// dump is written by a streaming writer that could repeat one).
pub struct Strict;

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element::<Strict>()?.is_some() {}
        Ok(Strict)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("the key {key:?} twice")));
            }
            map.next_value::<Strict>()?;
        }
        Ok(Strict)
    }
}

pub fn manifest() -> serde_json::Value {
    let text = std::fs::read(corpus().join("manifest.json")).expect("manifest");
    serde_json::from_slice(&text).expect("manifest is JSON")
}

/// A time after every trace in the corpus was recorded (2026-11-21 22:26 UTC).
pub const CORPUS_NOW_NS: i64 = 1_795_300_000_000_000_000;

/// Set a file's last-written time `days` before now (this machine's clock on both sides, so
/// no date or zone matters).
pub fn written_days_ago(path: &Path, days: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .expect("set the file's time");
}

/// A "now" for a test that opens `paths`: an hour after the newest file time under them,
/// and never before the corpus was recorded. It follows the data, never falls behind it:
/// a fresh clone gives tracked fixtures the clone's time, and CI moves every file a year
/// ahead, so no fixed date can stand in for it.
pub fn now_after(paths: &[PathBuf]) -> i64 {
    fn newest(path: &Path, depth: usize) -> Option<i64> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        let own = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i64);
        let below = if meta.is_dir() && depth > 0 {
            std::fs::read_dir(path)
                .ok()?
                .filter_map(|e| e.ok())
                .filter_map(|e| newest(&e.path(), depth - 1))
                .max()
        } else {
            None
        };
        own.max(below)
    }
    let newest = paths.iter().filter_map(|p| newest(p, 8)).max();
    newest
        .map_or(CORPUS_NOW_NS, |t| t + 3600 * 1_000_000_000)
        .max(CORPUS_NOW_NS)
}

/// The real app, fed the real ingest output, drawn into a `TestBackend`.
pub struct Harness {
    pub app: tracetui::app::App,
    pub terminal: ratatui::Terminal<ratatui::backend::TestBackend>,
    pub theme: tracetui::ui::Theme,
    /// The clock the harness draws at (`now_after` the opened paths).
    pub now: i64,
}

impl Harness {
    /// Open `paths`; the status bar shows `shown_as` instead of the temporary location.
    pub fn open(paths: &[PathBuf], shown_as: &str, width: u16, height: u16) -> Self {
        Self::open_at(paths, shown_as, width, height, now_after(paths))
    }

    /// `open` with the clock at `now` (for files stamped ahead of it).
    pub fn open_at(paths: &[PathBuf], shown_as: &str, width: u16, height: u16, now: i64) -> Self {
        use tracetui::ingest::{Ingestor, Options};
        use tracetui::model::time::Zone;
        let options = Options::default();
        let mut ingestor = Ingestor::new(paths.to_vec(), options.clone());
        let mut app = tracetui::app::App::new(vec![PathBuf::from(shown_as)], Zone::Utc);
        // Snapshots start from the top, as after `g`; follow mode has its own tests.
        app.follow = false;
        // Opened a settle time ago and looked at again now, as the live view would have:
        // what was waiting to settle has.
        app.ingest(ingestor.scan(now - options.settle_ns));
        app.ingest(ingestor.recheck(now));
        let terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
            .expect("test terminal");
        let mut harness = Self {
            app,
            terminal,
            theme: tracetui::ui::Theme::colored(),
            now,
        };
        harness.draw();
        harness
    }

    pub fn draw(&mut self) {
        tracetui::terminal::run::draw(&mut self.terminal, &mut self.app, &self.theme, self.now)
            .expect("draw");
    }

    /// Press keys as a person would: `j`, `<Tab>`, `<Enter>`, `<Esc>`, `<PgDn>`...; the
    /// screen is drawn after each.
    pub fn press(&mut self, keys: &str) {
        for key in parse_keys(keys) {
            self.app.handle_key(key);
            self.draw();
        }
    }

    /// Press keys faster than frames are drawn, as the run loop sees a burst of input (it
    /// handles every queued key, then draws once).
    pub fn press_together(&mut self, keys: &str) {
        for key in parse_keys(keys) {
            self.app.handle_key(key);
        }
        self.draw();
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.draw();
    }

    /// The screen as text, one line per row.
    /// The screen row (0-based) whose text contains `needle`.
    pub fn row_of(&self, needle: &str) -> u16 {
        let screen = self.screen();
        let row = screen.lines().position(|l| l.contains(needle));
        row.unwrap_or_else(|| panic!("{needle} on screen:\n{screen}")) as u16
    }

    pub fn screen(&self) -> String {
        let buffer = self.terminal.backend().buffer();
        let area = buffer.area;
        (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `j<Tab><Enter>` as key events.
fn parse_keys(keys: &str) -> Vec<ratatui::crossterm::event::KeyEvent> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut out = Vec::new();
    let mut rest = keys;
    while let Some(c) = rest.chars().next() {
        let (code, len) = if c == '<' {
            let end = rest.find('>').expect("closed key name");
            let code = match &rest[1..end] {
                "Tab" => KeyCode::Tab,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "PgDn" => KeyCode::PageDown,
                "PgUp" => KeyCode::PageUp,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                other => panic!("unknown key {other}"),
            };
            (code, end + 1)
        } else {
            (KeyCode::Char(c), c.len_utf8())
        };
        out.push(KeyEvent::new(code, KeyModifiers::NONE));
        rest = &rest[len..];
    }
    out
}

/// A Python that can `import poml`: `$TRACETUI_POML_PYTHON`, else a virtual environment made
/// once under the target folder (`pip install poml`; it runs offline once installed).
pub fn poml_python() -> PathBuf {
    python_with("TRACETUI_POML_PYTHON", "poml-venv", &["poml==0.0.8"])
}

/// A Python with the real `mlflow` (its SQL store is the default since 3.x):
/// `$TRACETUI_MLFLOW_PYTHON`, else a venv under target/ (installed once per run).
pub fn mlflow_python() -> PathBuf {
    python_with("TRACETUI_MLFLOW_PYTHON", "mlflow-venv", &["mlflow==3.17.2"])
}

/// A Python with the real `openai` client and OpenInference's instrumentation of it (and
/// the OpenTelemetry SDK): `$TRACETUI_OPENINFERENCE_PYTHON`, else a venv under target/.
pub fn openinference_python() -> PathBuf {
    python_with(
        "TRACETUI_OPENINFERENCE_PYTHON",
        "openinference-venv",
        &[
            "openai==2.8.1",
            "openinference-instrumentation-openai==0.1.66",
            "openinference-instrumentation==0.1.72",
            "openinference-semantic-conventions==0.1.42",
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-http==1.45.2",
        ],
    )
}

/// A Python with the real `openai` client and `opentelemetry-instrumentation-openai-v2`,
/// which can put a call's content in log records (GenAI events), with the SDK and its
/// OTLP/HTTP exporters: `$TRACETUI_OPENAI_V2_PYTHON`, else a venv under target/. The
/// GenAI utilities are pinned: 1.2 and later dropped the module this release imports.
pub fn openai_v2_python() -> PathBuf {
    python_with(
        "TRACETUI_OPENAI_V2_PYTHON",
        "openai-v2-venv",
        &[
            "openai==2.8.1",
            "opentelemetry-instrumentation-openai-v2==2.4b0",
            "opentelemetry-util-genai==1.1b0",
            "opentelemetry-instrumentation==0.66b2",
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-http==1.45.2",
        ],
    )
}

/// The same client with release 2.1 of the instrumentation, which writes the older
/// per-message events (`gen_ai.user.message`, `gen_ai.choice`, ...) through the Events API
/// that SDK 1.40 removed, so with SDK 1.39.1: `$TRACETUI_OPENAI_V2_LEGACY_PYTHON`, else a
/// venv under target/.
pub fn openai_v2_legacy_python() -> PathBuf {
    python_with(
        "TRACETUI_OPENAI_V2_LEGACY_PYTHON",
        "openai-v2-legacy-venv",
        &[
            "openai==2.8.1",
            "opentelemetry-instrumentation-openai-v2==2.1b0",
            "opentelemetry-instrumentation==0.60b1",
            "opentelemetry-sdk==1.39.1",
            "opentelemetry-exporter-otlp-proto-http==1.39.1",
        ],
    )
}

/// A Python with the OpenTelemetry SDK and its OTLP/HTTP exporter:
/// `$TRACETUI_OTEL_PYTHON`, else a virtual environment made once under the target folder.
pub fn otel_python() -> PathBuf {
    python_with(
        "TRACETUI_OTEL_PYTHON",
        "otel-venv",
        &[
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-http==1.45.2",
        ],
    )
}

/// A Python with OpenLLMetry's OpenAI instrumentation (Traceloop's
/// `opentelemetry-instrumentation-openai`, 0.49: the last to write `gen_ai.prompt.N.*`).
pub fn openllmetry_python() -> PathBuf {
    python_with(
        "TRACETUI_OPENLLMETRY_PYTHON",
        "openllmetry-venv",
        &[
            "openai==2.8.1",
            "opentelemetry-instrumentation-openai==0.49.8",
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-common==1.45.2",
        ],
    )
}

/// A Python with LangChain (core and its OpenAI chat model) instrumented by OpenInference:
/// the heaviest producer, installed once per target folder.
pub fn langchain_python() -> PathBuf {
    python_with(
        "TRACETUI_LANGCHAIN_PYTHON",
        "langchain-venv",
        &[
            "openai==2.8.1",
            "langchain-core==1.8.3",
            "langchain-openai==1.1.9",
            "openinference-instrumentation-langchain==0.1.80",
            "openinference-instrumentation==0.1.72",
            "openinference-semantic-conventions==0.1.42",
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-common==1.45.2",
        ],
    )
}

/// A Python with the OpenTelemetry SDK and its OTLP/gRPC exporter (grpcio): the protocol
/// many SDKs and Collectors default to.
pub fn otel_grpc_python() -> PathBuf {
    python_with(
        "TRACETUI_OTEL_GRPC_PYTHON",
        "otel-grpc-venv",
        &[
            "opentelemetry-sdk==1.45.2",
            "opentelemetry-exporter-otlp-proto-grpc==1.45.2",
        ],
    )
}

fn python_with(env: &str, venv: &str, packages: &[&str]) -> PathBuf {
    if let Some(python) = std::env::var_os(env) {
        return PathBuf::from(python);
    }
    // Tests of one binary run on threads: one sets the venv up while the others wait.
    static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(venv);
    let python = venv.join("bin/python");
    let ready = venv.join(".ready");
    if !ready.exists() {
        let run = |cmd: &mut Command| {
            let out = cmd.output().expect("run python");
            assert!(
                out.status.success(),
                "setting up {packages:?} failed ({cmd:?}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        run(Command::new(&python)
            .args(["-m", "pip", "install", "-q"])
            .args(packages));
        std::fs::write(&ready, b"").expect("mark ready");
    }
    python
}
