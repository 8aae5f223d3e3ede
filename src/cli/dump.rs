//! `tracetui dump`: read the paths once and print the model.

use super::{DumpArgs, DumpFormat, finish_output, load};
use crate::ingest::Options;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: &DumpArgs) -> color_eyre::Result<ExitCode> {
    let (store, matches) = match load(args) {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        DumpFormat::Json => crate::dump::json::write(&store, matches.as_ref(), &mut out),
        DumpFormat::Text => {
            crate::dump::text::write(&store, matches.as_ref(), Options::default().zone, &mut out)
        }
    };
    finish_output(written.and_then(|()| out.flush()))
}
