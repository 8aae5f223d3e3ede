//! The command line's arguments, as clap parses them: `tracetui [PATH]...` and each
//! subcommand's, with the value parsers they use.

use super::{listen, record};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub(super) const EXAMPLES: &str = "Examples:\n  tracetui pomlruns/\n  tracetui traces/events.jsonl\n  \
                        tracetui mlruns/ --listen\n  \
                        tracetui dump pomlruns/ --format json | jq '.sessions[].id'\n  \
                        tracetui stats traces/ --filter 'status:error since:24h'\n  \
                        tracetui diff golden/20261121123900861020 pomlruns/20261122091500123456\n  \
                        tracetui export --format chrome pomlruns/ > trace.json\n  \
                        tracetui render --all golden/20261121123900861020 --source-dir prompts/\n  \
                        tracetui completions bash > ~/.local/share/bash-completion/completions/tracetui";

/// `--listen-max-body` at most, in MiB: a body is held in memory whole.
const MAX_LISTEN_MIB: u64 = 4096;
/// `--listen-memory` at most, in MiB (1 TiB); any bound keeps `<< 20` from wrapping.
const MAX_LISTEN_MEMORY_MIB: u64 = 1 << 20;

#[derive(Debug, Parser)]
#[command(
    name = "tracetui",
    version,
    about = "See exactly what your LLM prompt program did: POML and PML traces in a terminal UI",
    long_about = "Opens trace folders written by Microsoft's poml package (a folder of \
                  session folders, one session, or a flat POML_TRACE folder) and PML tool-call \
                  event files (JSON Lines, JSON documents, SSE captures), MLflow trace stores \
                  and OpenTelemetry OTLP/JSON files (or spans received with --listen) as a \
                  call tree, a millisecond timeline and a prompt pane, and keeps watching them.",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub open: OpenArgs,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Trace folders and event files to open and watch; without one, ./pomlruns. Paths that
    /// do not exist yet are waited for. An MLflow tracking server is a URL
    /// (http://HOST:PORT), an MLflow SQL store a path or sqlite:///PATH.
    #[arg(value_parser = trace_path)]
    pub paths: Vec<PathBuf>,
    /// Only this MLflow experiment (its name or id) of a tracking server or SQL store.
    #[arg(long, value_name = "NAME|ID")]
    pub experiment: Option<String>,
    /// How often a tracking server is asked what changed: 2s, 500ms, or seconds.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = poll_interval)]
    pub poll_interval: std::time::Duration,
    /// Poll for changes instead of using the system's file events (network file systems,
    /// containers with a full inotify table).
    #[arg(long)]
    pub poll: bool,
    /// The config file to read instead of $XDG_CONFIG_HOME/tracetui/config.toml (or
    /// ~/.config/tracetui/config.toml); --help says what it holds.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Receive OpenTelemetry spans and GenAI log records over OTLP/HTTP (POST /v1/traces and
    /// /v1/logs, JSON or protobuf, gzip or not) on this address: HOST:PORT, or :PORT or PORT for 127.0.0.1; without a value,
    /// 127.0.0.1:4318. Works with or without PATHs. Binding beyond loopback (0.0.0.0:4318)
    /// lets other machines send spans.
    #[arg(
        long,
        value_name = "ADDR",
        num_args = 0..=1,
        default_missing_value = crate::receiver::DEFAULT_ADDR,
        value_parser = listen::parse_addr
    )]
    pub listen: Option<std::net::SocketAddr>,
    /// The largest OTLP request body accepted (after decompression), in MiB, 1 to 4096;
    /// larger ones are refused with 413.
    #[arg(
        long,
        value_name = "MiB",
        default_value_t = 32,
        value_parser = clap::value_parser!(u64).range(1..=MAX_LISTEN_MIB),
        requires = "listen"
    )]
    pub listen_max_body: u64,
    /// With --no-record, or when the recording cannot be written: how much of the received
    /// spans' attributes and events is kept in memory, in MiB, 1 to 1048576; past it, new
    /// spans keep their name, times and status, and a problem says so.
    #[arg(
        long,
        value_name = "MiB",
        default_value_t = 256,
        value_parser = clap::value_parser!(u64).range(1..=MAX_LISTEN_MEMORY_MIB),
        requires = "listen"
    )]
    pub listen_memory: u64,
    /// How many OTLP clients are served at once, 1 to 4096; one more is told to retry (503)
    /// and closed.
    #[arg(
        long,
        value_name = "N",
        default_value_t = crate::receiver::DEFAULT_CONNECTIONS,
        value_parser = clap::value_parser!(u16).range(1..=4096),
        requires = "listen"
    )]
    pub listen_connections: u16,
    /// Also receive OTLP over gRPC (TraceService) on this address: HOST:PORT, :PORT or
    /// PORT as for --listen, or `off`. By default --listen's host on port 4317 (a port the
    /// system chooses when --listen's is 0); if that is taken, the status bar says so.
    #[arg(
        long,
        value_name = "ADDR|off",
        value_parser = listen::parse_grpc,
        requires = "listen"
    )]
    pub listen_grpc: Option<listen::Grpc>,
    /// Record what is received in DIR (made if missing, only you can read it): one OTLP/JSON
    /// file per run, a new one every 256 MiB; earlier runs are removed as --record-keep and
    /// --record-max say. Bodies are read back from it when shown, not
    /// held in memory, and `tracetui FILE` reopens it later. By default
    /// $XDG_STATE_HOME/tracetui/received (~/.local/state/tracetui/received).
    #[arg(
        long,
        value_name = "DIR",
        requires = "listen",
        conflicts_with = "no_record"
    )]
    pub record: Option<PathBuf>,
    /// Record nothing: received bodies are kept in memory, up to --listen-memory.
    #[arg(long, requires = "listen")]
    pub no_record: bool,
    /// When a recording begins, earlier ones in its folder last written more than DAYS ago
    /// are removed (never one another tracetui is still writing); `off` keeps them.
    #[arg(
        long,
        value_name = "DAYS|off",
        default_value = "7",
        value_parser = record::keep_days,
        requires = "listen",
        conflicts_with = "no_record"
    )]
    pub record_keep: record::Bound,
    /// When a recording begins, the oldest earlier ones are removed while the folder holds
    /// more than this many MiB; `off` lets it grow.
    #[arg(
        long,
        value_name = "MiB|off",
        default_value = "2048",
        value_parser = record::max_mib,
        requires = "listen",
        conflicts_with = "no_record"
    )]
    pub record_max: record::Bound,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the model the UI draws, without a UI.
    Dump(DumpArgs),
    /// Patterns in the spans: tool statistics, sequences, capabilities, slowest, failed.
    Stats(DumpArgs),
    /// Compare two calls, or two runs call by call (exit 0 identical, 1 different, 2 error).
    #[command(
        long_about = "Compare two calls, or two runs call by call: messages by speaker, context, \
                      .poml source, stylesheet, tools, output schema and runtime parameters \
                      (for event spans: input, output and error), as a unified diff.\n\n\
                      OLD and NEW are each a call (its prefix, e.g. \
                      pomlruns/20261121123900861020/0003.planner, the index alone, or any of \
                      its files) or a session folder (calls paired by index and name).\n\n\
                      Exit status: 0 when identical (nothing is printed), 1 when they differ \
                      (the diff is printed), 2 on error. Keep a run as a golden copy and check \
                      new runs against it in CI.",
        after_help = "Examples:\n  tracetui diff pomlruns/A/0003.planner pomlruns/B/0003.planner\n  \
                      tracetui diff golden/20261121123900861020 pomlruns/20261122091500123456"
    )]
    Diff(DiffArgs),
    /// Export for other tools: Chrome trace JSON (Perfetto, chrome://tracing) or OTLP/JSON.
    #[command(
        long_about = "Export the spans for other tools, as one JSON document on stdout.\n\n\
                      chrome: Chrome trace event JSON, opened by Perfetto (ui.perfetto.dev) and \
                      chrome://tracing: one process per session, a complete event per finished \
                      span (microseconds from the earliest start), lanes for overlapping spans, \
                      spans still open as instant events; kind, status, ids and tokens in args.\n\n\
                      otlp: OpenTelemetry OTLP/JSON, {\"resourceSpans\": [...]} with one \
                      resource per session; ids derived from the trace's keys by a stable hash \
                      unless the trace has OpenTelemetry ids of its own.",
        after_help = "Examples:\n  tracetui export --format chrome pomlruns/ > trace.json\n  \
                      tracetui export --format otlp traces/events.jsonl --filter status:error"
    )]
    Export(ExportArgs),
    /// Re-render a traced POML call with the real renderer and compare with what was sent
    /// (exit 0 unchanged, 1 changed, 2 error).
    #[command(
        long_about = "Re-render a traced POML call with the real renderer (poml-cli from the \
                      poml package: --poml CMD, else $TRACETUI_POML, else poml-cli on PATH, else \
                      python3 -m poml), with edited context values or another prompt file, and \
                      compare with the messages the trace recorded. The render runs on a scratch \
                      copy in a private temporary folder; nothing is written into the trace.\n\n\
                      CALL is a call's prefix (pomlruns/<session>/0003.planner, the index alone, \
                      or any of its files). Relative paths in the prompt (<document src>, <img \
                      src>) resolve beside SOURCE_PATH if it exists, else beside the .source.poml \
                      link's target, else in the trace folder; the output says which.\n\n\
                      --all RUN re-renders every call of a run with today's prompt files (the \
                      live ones behind .source.poml, or by name in --source-dir) and lists which \
                      calls' prompts changed: a golden test for prompt edits.\n\n\
                      Exit status with --diff or --all: 0 unchanged, 1 changed, 2 error (a render \
                      that fails, a call with no recorded result to compare with); without, 0 \
                      when the render succeeds.",
        after_help = "Examples:\n  tracetui render pomlruns/20261121123900861020/0003.planner --diff\n  \
                      tracetui render pomlruns/A/0001.planner --set traveler.name='Bruno Lima' --diff\n  \
                      tracetui render pomlruns/A/0001.planner --source --format json\n  \
                      tracetui render --all golden/20261121123900861020 --source-dir prompts/"
    )]
    Render(RenderArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    #[command(after_help = "Install, for example:\n  \
                      tracetui completions bash > ~/.local/share/bash-completion/completions/tracetui\n  \
                      tracetui completions zsh > ~/.zfunc/_tracetui   (with fpath+=~/.zfunc)\n  \
                      tracetui completions fish > ~/.config/fish/completions/tracetui.fish")]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Trace folders and event files to read (an MLflow tracking server's URL too).
    #[arg(required = true, value_parser = trace_path)]
    pub paths: Vec<PathBuf>,
    /// Only this MLflow experiment (its name or id) of a tracking server or SQL store.
    #[arg(long, value_name = "NAME|ID")]
    pub experiment: Option<String>,
    /// What to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Only spans matching this filter, and their ancestors (the dump's filter language).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Chrome trace event JSON (Perfetto, chrome://tracing).
    Chrome,
    /// OpenTelemetry OTLP/JSON.
    Otlp,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older side: a call (pomlruns/<session>/0003.planner), a session folder, or one
    /// session of a file or store holding several (events.jsonl#exec_1, mlruns#tr-1a2b).
    pub old: PathBuf,
    /// The newer side, of the same kind.
    pub new: PathBuf,
    /// Lines of context around each change.
    #[arg(long, short = 'U', default_value_t = crate::compare::diff::CONTEXT, value_name = "LINES")]
    pub context: usize,
    /// Colour the diff: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The call: its prefix (pomlruns/<session>/0003.planner), the index alone, or any of
    /// its files.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub call: Option<PathBuf>,
    /// Re-render every call of this run (a session folder, or a flat trace folder).
    #[arg(long, value_name = "RUN")]
    pub all: Option<PathBuf>,
    /// With --all: take each call's prompt file from this folder, by the name it had.
    #[arg(long, value_name = "DIR", requires = "all")]
    pub source_dir: Option<PathBuf>,
    /// Render with this context file instead of the recorded one.
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    pub context: Option<PathBuf>,
    /// Replace one context value: JSON, or a string when it is not valid JSON; dotted names
    /// for nested keys (traveler.name=Ana). May be repeated.
    #[arg(long = "set", value_name = "NAME=VALUE", conflicts_with = "all")]
    pub set: Vec<String>,
    /// Render this prompt file instead of the recorded source; without FILE, the live one
    /// behind the call's .source.poml link.
    #[arg(long, value_name = "FILE", num_args = 0..=1, conflicts_with = "all")]
    pub source: Option<Option<PathBuf>>,
    /// Output format: the rendered messages as text, or JSON (messages as in .result.json).
    #[arg(long, value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
    /// Print a diff against the recorded messages; exit 0 unchanged, 1 changed, 2 error.
    #[arg(long)]
    pub diff: bool,
    /// The renderer command (e.g. "python3 -m poml"), instead of $TRACETUI_POML or poml-cli.
    #[arg(long, value_name = "CMD")]
    pub poml: Option<String>,
    /// Colour the diff: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour standard output: `auto` when it is a terminal and NO_COLOR is unset
    /// or empty.
    pub fn enabled(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                use std::io::IsTerminal as _;
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Trace folders and event files to read (an MLflow tracking server's URL too).
    #[arg(required = true, value_parser = trace_path)]
    pub paths: Vec<PathBuf>,
    /// Only this MLflow experiment (its name or id) of a tracking server or SQL store.
    #[arg(long, value_name = "NAME|ID")]
    pub experiment: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
    /// Only spans matching this filter (and, in dump, their ancestors), e.g.
    /// "tool:github:create_issue", "status:error since:24h", "after:read_file", "min:50ms".
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// A readable tree with times.
    Text,
    /// The JSON schema in the README.
    Json,
}

/// A path as given, or an MLflow tracking URI for a SQL store (`sqlite:///mlflow.db`,
/// `sqlite:////abs/mlflow.db`) as the database file it names.
pub fn trace_path(arg: &str) -> Result<PathBuf, String> {
    match arg.strip_prefix("sqlite:///") {
        Some("") => Err("a sqlite:/// URI names no database file".into()),
        Some(path) => Ok(PathBuf::from(path)),
        // A tracking server's URL stays as typed; a trailing slash would only be cut later.
        None if arg.starts_with("http://") || arg.starts_with("https://") => {
            // The URL is shown (status bar, session paths): a password in it would be too.
            let authority = arg.split("://").nth(1).and_then(|r| r.split('/').next());
            if authority.is_some_and(|a| a.contains('@')) {
                return Err("credentials in the URL would be shown on screen; set \
                            MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or \
                            MLFLOW_TRACKING_TOKEN) instead"
                    .into());
            }
            Ok(PathBuf::from(arg.trim_end_matches('/')))
        }
        None => Ok(PathBuf::from(arg)),
    }
}

/// `--poll-interval`: `2s`, `500ms`, or a number of seconds; 100ms at least.
pub fn poll_interval(arg: &str) -> Result<std::time::Duration, String> {
    let (number, scale) = match arg.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => (arg.strip_suffix('s').unwrap_or(arg), 1.0),
    };
    let secs = number
        .trim()
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|s| s.is_finite() && (0.1..=3600.0).contains(s))
        .ok_or("a duration from 100ms to 3600s, e.g. 2s or 500ms")?;
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_server_urls_as_paths() {
        assert_eq!(
            trace_path("http://mlflow:5000/").ok(),
            Some(PathBuf::from("http://mlflow:5000"))
        );
        assert!(trace_path("https://ana:secret@mlflow.example.com").is_err());
        assert!(trace_path("https://mlflow.example.com/a@b").is_ok());
        assert_eq!(
            poll_interval("500ms").ok(),
            Some(std::time::Duration::from_millis(500))
        );
        assert_eq!(
            poll_interval("2").ok(),
            Some(std::time::Duration::from_secs(2))
        );
        assert!(poll_interval("0s").is_err() && poll_interval("soon").is_err());
    }
}
