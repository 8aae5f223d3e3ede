//! Writes large, realistic trace sets for the benchmarks.
//!
//! cargo run --release --example gen_traces -- poml OUT_DIR [--sessions 20] [--calls 500]
//! cargo run --release --example gen_traces -- pml OUT_FILE [--events 1000000]
//! cargo run --release --example gen_traces -- otlp OUT_FILE [--spans 1000000]
//!
//! POML: session folders of calls copied from the real corpus (its calls cycled, renumbered,
//! with mtimes spaced like a running agent's). PML: documented-shape JSON Lines of nested
//! executions (capabilities with tool calls, written children first as they finish, a few
//! percent errors, realistic input and output payloads).

use std::path::Path;

#[path = "../benches/support/gen.rs"]
mod generate;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: gen_traces poml OUT_DIR [--sessions N] [--calls N] | pml OUT_FILE [--events N] | otlp OUT_FILE [--spans N]"
        );
        std::process::exit(2);
    };
    match kind.as_str() {
        "poml" => generate::poml(
            Path::new(out),
            arg(&args, "--sessions", 20),
            arg(&args, "--calls", 500),
        ),
        "pml" => generate::pml(Path::new(out), arg(&args, "--events", 1_000_000)),
        "otlp" => generate::otlp(Path::new(out), arg(&args, "--spans", 1_000_000)),
        _ => {
            eprintln!("unknown kind {kind}");
            std::process::exit(2);
        }
    }
}
