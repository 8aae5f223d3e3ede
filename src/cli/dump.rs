//! `tracetui dump`: read the paths once and print the model.

use super::{DumpArgs, DumpFormat, check_paths};
use crate::ingest::{self, Options};
use crate::model::time::now_ns;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: &DumpArgs) -> color_eyre::Result<ExitCode> {
    if let Err(code) = check_paths(&args.paths) {
        return Ok(code);
    }
    let options = Options::default();
    let store = ingest::load(&args.paths, options, now_ns());
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        DumpFormat::Json => crate::dump::json::write(&store, &mut out),
        DumpFormat::Text => crate::dump::text::write(&store, options.zone, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}
