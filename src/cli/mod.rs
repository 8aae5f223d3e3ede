//! The command line: `tracetui [PATH]...` opens the UI; subcommands work headless.

pub mod dump;
pub mod open;
pub mod stats;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for bad usage or a path that cannot be opened.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "tracetui",
    version,
    about = "See exactly what your LLM prompt program did: POML and PML traces in a terminal UI",
    long_about = "Opens trace folders written by Microsoft's poml package (a folder of \
                  session folders, one session, or a flat POML_TRACE folder) and PML tool-call \
                  event files (JSON Lines, JSON documents, SSE captures) as a call tree, a \
                  millisecond timeline and a prompt pane, and keeps watching them.",
    after_help = "Examples:\n  tracetui pomlruns/\n  tracetui traces/events.jsonl\n  \
                  tracetui mlruns/ --listen\n  \
                  tracetui dump pomlruns/ --format json | jq '.sessions[].id'\n  \
                  tracetui stats traces/ --filter 'status:error since:24h'",
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
    /// do not exist yet are waited for.
    pub paths: Vec<PathBuf>,
    /// Poll for changes instead of using the system's file events (network file systems,
    /// containers with a full inotify table).
    #[arg(long)]
    pub poll: bool,
    /// Receive OpenTelemetry spans over OTLP/HTTP (POST /v1/traces, JSON or protobuf, gzip
    /// or not) on this address; without a value, 127.0.0.1:4318. Works with or without
    /// PATHs. Binding beyond loopback (0.0.0.0:4318) lets other machines send spans.
    #[arg(
        long,
        value_name = "ADDR",
        num_args = 0..=1,
        default_missing_value = crate::receiver::DEFAULT_ADDR
    )]
    pub listen: Option<String>,
    /// The largest OTLP request body accepted (after decompression), in MB; larger ones are
    /// refused with 413.
    #[arg(long, value_name = "MB", default_value_t = 32, requires = "listen")]
    pub listen_max_body: u64,
    /// How much of the received spans' attributes and events is kept in memory, in MB; past
    /// it, new spans keep their name, times and status, and a problem says so.
    #[arg(long, value_name = "MB", default_value_t = 256, requires = "listen")]
    pub listen_memory: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the model the UI draws, without a UI.
    Dump(DumpArgs),
    /// Patterns in the spans: tool statistics, sequences, capabilities, slowest, failed.
    Stats(DumpArgs),
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Trace folders and event files to read.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
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

pub fn run(cli: Cli) -> color_eyre::Result<ExitCode> {
    match cli.command {
        Some(Command::Dump(args)) => dump::run(&args),
        Some(Command::Stats(args)) => stats::run(&args),
        None => open::run(cli.open),
    }
}

/// Every path must exist; the first that does not is reported and is a usage error.
pub fn check_paths(paths: &[PathBuf]) -> Result<(), ExitCode> {
    for path in paths {
        if let Err(e) = crate::ingest::discover::check_path(path) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => crate::fsread::describe(&e),
            };
            eprintln!(
                "tracetui: cannot open {}: {why}",
                crate::sanitize::label(&path.display().to_string()),
            );
            return Err(ExitCode::from(EXIT_USAGE));
        }
    }
    Ok(())
}

/// Read the paths once and, with `--filter`, find the matching spans; `Err` is the exit code
/// for bad usage (a missing path, a filter that does not parse).
pub fn load(
    args: &DumpArgs,
) -> Result<(crate::model::Store, Option<crate::analysis::Matches>), ExitCode> {
    check_paths(&args.paths)?;
    let options = crate::ingest::Options::default();
    let now = crate::model::time::now_ns();
    let filter = match &args.filter {
        Some(expr) => match crate::analysis::Filter::parse(expr, now, options.zone) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("tracetui: --filter: {}", crate::sanitize::label(&e));
                return Err(ExitCode::from(EXIT_USAGE));
            }
        },
        None => None,
    };
    let store = crate::ingest::load(&args.paths, options, now);
    let matches = filter.map(|f| {
        crate::analysis::Matches::compute(
            &store,
            &f,
            &mut crate::formats::bytes::WholeFiles::default(),
        )
    });
    Ok((store, matches))
}

/// Write everything, treating a closed pipe (`| head`) as the reader's choice.
pub fn finish_output(written: std::io::Result<()>) -> color_eyre::Result<ExitCode> {
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}
