//! The tracetui binary: parse the command line and run it.

use clap::Parser as _;
use std::process::ExitCode;
use tracetui::cli::{Cli, run};

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    run(Cli::parse())
}
