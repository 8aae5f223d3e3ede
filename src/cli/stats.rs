//! `tracetui stats`: the patterns view, headless.

use super::{DumpArgs, DumpFormat, finish_output, load};
use crate::analysis::stats;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: &DumpArgs) -> color_eyre::Result<ExitCode> {
    let (store, matches) = load(args)?;
    let stats = stats::compute(&store, matches.as_ref());
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = match args.format {
        DumpFormat::Json => serde_json::to_writer(&mut out, &stats)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        DumpFormat::Text => stats::to_doc(&stats)
            .plain_lines()
            .iter()
            .try_for_each(|line| writeln!(out, "{line}")),
    };
    let result = finish_output(written.and_then(|()| out.flush()));
    // The process ends here: freeing a million spans one by one would only cost time.
    std::mem::forget(store);
    result
}
