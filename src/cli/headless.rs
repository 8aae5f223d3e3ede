//! What the headless commands share: their paths checked and read once (with the
//! filter's matches), and their output finished.

use super::DumpArgs;
use crate::cli::usage::UsageError;
use crate::model::time::Zone;
use std::path::PathBuf;
use std::process::ExitCode;

/// Every path must exist and open (a tracking server must answer, with the experiment
/// asked for); the first that does not is a usage error.
pub fn check_paths(paths: &[PathBuf], experiment: Option<&str>) -> Result<(), UsageError> {
    for path in paths {
        if crate::ingest::mlflow_server::is_server(path) {
            crate::ingest::mlflow_server::check(path, experiment)
                .map_err(|e| UsageError::new(format!("cannot read {e}")))?;
            continue;
        }
        if let Err(e) = crate::ingest::discover::check_path(path) {
            return Err(UsageError::new(format!(
                "cannot open {}: {}",
                path.display(),
                crate::cli::usage::reason(&e)
            )));
        }
    }
    Ok(())
}

/// Read the paths once and, with `--filter`, find the matching spans; `Err` is bad usage (a
/// path that cannot be opened, a filter that does not parse).
pub fn load(
    args: &DumpArgs,
) -> Result<(crate::model::Store, Option<crate::analysis::Matches>), UsageError> {
    load_paths(
        &args.paths,
        args.filter.as_deref(),
        args.experiment.as_deref(),
    )
}

/// `load` for any command's paths and filter.
pub fn load_paths(
    paths: &[PathBuf],
    filter: Option<&str>,
    experiment: Option<&str>,
) -> Result<(crate::model::Store, Option<crate::analysis::Matches>), UsageError> {
    check_paths(paths, experiment)?;
    let options = crate::ingest::Options {
        experiment: experiment.map(String::from),
        ..Default::default()
    };
    let now = crate::model::time::now_ns();
    // Dates in a filter are the user's, in their zone.
    let filter = filter
        .map(|expr| crate::analysis::Filter::parse(expr, now, Zone::Local))
        .transpose()
        .map_err(|e| UsageError::new(format!("--filter: {e}")))?;
    let store = crate::ingest::load(paths, options, now);
    let matches = filter.map(|f| {
        crate::analysis::Matches::compute(
            &store,
            &f,
            &mut crate::formats::bytes::WholeFiles::default(),
        )
    });
    Ok((store, matches))
}

/// Write everything, treating a closed pipe (`| head`) as the reader's choice; any other
/// failure (a full disk) is the surroundings', said plainly.
pub fn finish_output(written: std::io::Result<()>) -> color_eyre::Result<ExitCode> {
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(UsageError::new(format!(
            "cannot write the output: {}",
            crate::cli::usage::reason(&e)
        ))
        .into()),
    }
}
