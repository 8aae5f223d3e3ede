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
    if store.session_count() == 0 && store.problems().next().is_none() {
        // An empty answer on stdout is still the answer; say why on stderr.
        eprintln!(
            "tracetui: no traces found in {} (POML trace folders, PML or OTLP event files, MLflow stores)",
            args.paths
                .iter()
                .map(|p| crate::untrusted::sanitize::label(&p.display().to_string()).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // The process ends here: freeing a million spans one by one would only cost time.
    std::mem::forget(store);
    result
}
