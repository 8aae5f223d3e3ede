//! The command line: `tracetui [PATH]...` opens the UI; subcommands work headless.

pub mod dump;
pub mod open;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for bad usage or a path that cannot be opened.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "tracetui",
    version,
    about = "See exactly what your LLM prompt program did: POML traces in a terminal UI",
    long_about = "Opens trace folders written by Microsoft's poml package (a folder of \
                  session folders, one session, or a flat POML_TRACE folder) as a call tree, a \
                  millisecond timeline and a prompt pane.",
    after_help = "Examples:\n  tracetui pomlruns/\n  tracetui dump pomlruns/ --format json | jq '.sessions[].id'",
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
    /// Trace folders to open and watch; without one, ./pomlruns. Paths that do not exist yet
    /// are waited for.
    pub paths: Vec<PathBuf>,
    /// Poll for changes instead of using the system's file events (network file systems,
    /// containers with a full inotify table).
    #[arg(long)]
    pub poll: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the model the UI draws, without a UI.
    Dump(DumpArgs),
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Trace folders to read.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
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
