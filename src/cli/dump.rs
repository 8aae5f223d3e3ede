//! `tracetui dump`: read the paths once and print the model.

use super::{DumpArgs, DumpFormat, finish_output, load};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: &DumpArgs) -> color_eyre::Result<ExitCode> {
    let (store, matches) = load(args)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = match args.format {
        DumpFormat::Json => crate::dump::json::write(&store, matches.as_ref(), &mut out),
        DumpFormat::Text => crate::dump::text::write(&store, matches.as_ref(), &mut out),
    };
    let result = finish_output(written.and_then(|()| out.flush()));
    // The process ends here: freeing a million spans one by one would only cost time.
    std::mem::forget(store);
    result
}
