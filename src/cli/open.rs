//! `tracetui [PATH]...`: open the UI.

use super::{EXIT_USAGE, OpenArgs};
use crate::cli::usage::UsageError;
use std::path::PathBuf;
use std::process::ExitCode;

pub const DEFAULT_PATH: &str = "pomlruns";

pub fn run(args: OpenArgs) -> color_eyre::Result<ExitCode> {
    // Unlike `dump`, the UI waits for a path that does not exist yet (an agent about to start).
    let listen = args.listen.map(|addr| crate::receiver::ReceiverOptions {
        addr,
        max_body: args.listen_max_body << 20,
        max_memory: args.listen_memory << 20,
        max_connections: args.listen_connections.into(),
        grpc: super::listen::grpc_for(addr, args.listen_grpc),
        ..Default::default()
    });
    let paths = if args.paths.is_empty() && listen.is_some() {
        Vec::new()
    } else if args.paths.is_empty() {
        let default = PathBuf::from(DEFAULT_PATH);
        if !default.is_dir() {
            eprintln!(
                "usage: tracetui [PATH]...\n\
                 No ./{DEFAULT_PATH} here. Point tracetui at a trace folder, for example:\n  \
                 tracetui pomlruns/\n  tracetui dump pomlruns/ --format json\n\
                 See tracetui --help for more."
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        vec![default]
    } else {
        args.paths.clone()
    };
    let listen = match listen {
        Some(mut options) => {
            options.record = super::record::dir(args.record.as_deref(), args.no_record, &paths)?;
            options.retention = super::record::retention(args.record_keep, args.record_max);
            Some(options)
        }
        None => None,
    };
    let config = crate::cli::config::load(args.config.as_deref())
        .map_err(|e| UsageError::new(format!("--config {e}")))?;
    let live = crate::ingest::live::LiveOptions {
        poll: args.poll,
        server_poll: args.poll_interval,
        ..Default::default()
    };
    let options = crate::ingest::Options {
        experiment: args.experiment.clone(),
        ..Default::default()
    };
    crate::terminal::run::run(paths, options, live, config, listen)?;
    Ok(ExitCode::SUCCESS)
}
