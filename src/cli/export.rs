//! `tracetui export --format chrome|otlp PATH...`: read the paths as `dump` does and write
//! one JSON document for other tools to stdout.

use super::{ExportArgs, ExportFormat, finish_output, load_paths};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: &ExportArgs) -> color_eyre::Result<ExitCode> {
    let (store, matches) = load_paths(
        &args.paths,
        args.filter.as_deref(),
        args.experiment.as_deref(),
    )?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = match args.format {
        ExportFormat::Chrome => crate::export::chrome::write(&store, matches.as_ref(), &mut out),
        ExportFormat::Otlp => crate::export::otlp::write(&store, matches.as_ref(), &mut out),
    };
    let result = finish_output(written.and_then(|()| out.flush()));
    // The process ends here: freeing a million spans one by one would only cost time.
    std::mem::forget(store);
    result
}
