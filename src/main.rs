//! The tracetui binary: parse the command line and run it.

use std::io::Write as _;
use std::process::ExitCode;
use tracetui::cli::usage::{self, EXIT_USAGE};
use tracetui::cli::{parse, run};

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    match run(parse()) {
        // Bad usage or surroundings: a line or two, plain, since nothing here is a bug to
        // locate; anything else keeps color-eyre's report.
        Err(report) => match usage::find(&report) {
            Some(error) => {
                let mut stderr = std::io::stderr().lock();
                for line in error.lines() {
                    let _ = writeln!(stderr, "{line}");
                }
                Ok(ExitCode::from(EXIT_USAGE))
            }
            None => Err(report),
        },
        done => done,
    }
}
