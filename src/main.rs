//! The tracetui binary: parse the command line and run it.

use std::process::ExitCode;
use tracetui::cli::{parse, run};

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    run(parse())
}
