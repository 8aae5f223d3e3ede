//! The command line: `tracetui [PATH]...` opens the UI; subcommands work headless.

mod args;
pub mod config;
pub mod diff;
pub mod dump;
pub mod export;
mod headless;
pub mod listen;
pub mod open;
mod record;
pub mod render;
pub mod stats;
pub mod usage;

pub use crate::cli::usage::EXIT_USAGE;
pub use args::*;
pub use headless::{check_paths, finish_output, load, load_paths};

use std::process::ExitCode;

/// The command line with the long help's closing sections (keys, config file, exit codes),
/// built from the same tables the app uses.
pub fn command() -> clap::Command {
    use clap::CommandFactory as _;
    Cli::command().after_long_help(long_help())
}

/// Parse the process's arguments (`--help` included, with `long_help`).
pub fn parse() -> Cli {
    use clap::FromArgMatches as _;
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn long_help() -> String {
    use crate::app::Focus;
    use crate::app::keymap::{KEYMAP, Scope};
    let mut out = format!("{EXAMPLES}\n\nKeys (? shows them in the app):\n");
    for b in KEYMAP {
        let scope = match b.scope {
            Scope::Global => "",
            Scope::Pane(Focus::Tree) => " (call tree)",
            Scope::Pane(Focus::Timeline) => " (timeline)",
            Scope::Pane(Focus::Prompt) => " (prompt pane)",
        };
        out.push_str(&format!("  {:<12} {}{scope}\n", b.label, b.help));
    }
    out.push_str(
        "  In the diff view: n/N or ]/[ next/previous change, j/k scroll, y copy, Esc close.\n\
         Mouse: click selects rows, tabs and timeline bars; the wheel scrolls the pane under it.\n\n\
         Config file: $XDG_CONFIG_HOME/tracetui/config.toml, else ~/.config/tracetui/config.toml\n\
         (or --config PATH). Mistakes in it are reported in the status bar and ignored.\n  \
         theme = \"dark\"          # dark | light | mono; unset: mono when NO_COLOR is set\n  \
         [keys]                  # an action's keys, replacing its defaults everywhere\n  \
         quit = [\"q\", \"C-c\"]\n  \
         diff = \"v\"\n\
         Actions: ",
    );
    let names: Vec<&str> = crate::app::action::NAMED.iter().map(|(n, _)| *n).collect();
    out.push_str(&names.join(", "));
    out.push_str(
        ".\nKey names: x, C-x, Enter, Esc, Tab, S-Tab, Space, Up, Down, Left, Right, PgUp, PgDn,\n\
         Home, End, Backspace, Delete, Insert, F1-F12.\n\n\
         Environment: VISUAL or EDITOR (e opens the call's source, r a copy of its context),\n\
         TRACETUI_POML (the POML renderer for r, R and render), NO_COLOR, XDG_CONFIG_HOME,\n\
         XDG_STATE_HOME (where --listen records), XDG_CACHE_HOME (node's compile cache for the\n\
         renderer; NODE_COMPILE_CACHE of your own is used instead).\n\n\
         Exit status: 0 success; 2 bad usage, a path that cannot be read, or surroundings\n\
         tracetui cannot work in (no terminal, an address in use); tracetui diff: 0\n\
         identical, 1 different, 2 error; tracetui render --diff and --all: 0 unchanged,\n\
         1 changed, 2 error. Anything else is a bug: please report it.",
    );
    out
}

pub fn run(cli: Cli) -> color_eyre::Result<ExitCode> {
    match cli.command {
        Some(Command::Dump(args)) => dump::run(&args),
        Some(Command::Stats(args)) => stats::run(&args),
        Some(Command::Diff(args)) => diff::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Render(args)) => render::run(&args),
        Some(Command::Completions { shell }) => {
            // Into memory first: clap_complete panics when its writer fails (`> /dev/full`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "tracetui", &mut script);
            finish_output(std::io::Write::write_all(&mut std::io::stdout(), &script))
        }
        None => open::run(cli.open),
    }
}
