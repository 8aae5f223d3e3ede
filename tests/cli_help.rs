//! The command line documents itself: `--help` names every command, key, action and the
//! config file; completions come from clap for each shell; a `--config` that cannot be read
//! is a usage error.

mod common;

use tracetui::app::action::NAMED;
use tracetui::app::keymap::KEYMAP;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::tracetui(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_documents_everything() {
    let (code, help, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for command in ["dump", "stats", "diff", "export", "completions"] {
        assert!(
            help.contains(&format!("  {command} ")),
            "{command} in\n{help}"
        );
    }
    for b in KEYMAP {
        assert!(
            help.contains(&format!("  {:<12} {}", b.label, b.help)),
            "{} in help",
            b.label
        );
    }
    for (name, _) in NAMED {
        assert!(help.contains(name), "action {name}");
    }
    for needle in [
        "$XDG_CONFIG_HOME/tracetui/config.toml",
        "theme = \"dark\"",
        "[keys]",
        "--config",
        "NO_COLOR",
        "VISUAL or EDITOR",
        "tracetui diff: 0\nidentical, 1 different, 2 error",
        "tracetui export --format chrome",
    ] {
        assert!(help.contains(needle), "{needle} in\n{help}");
    }
    let (_, diff_help, _) = run(&["diff", "--help"]);
    assert!(
        diff_help.contains("Exit status: 0 when identical"),
        "{diff_help}"
    );
    let (_, export_help, _) = run(&["export", "--help"]);
    assert!(
        export_help.contains("chrome") && export_help.contains("otlp"),
        "{export_help}"
    );
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_tracetui()"),
        ("zsh", "#compdef tracetui"),
        ("fish", "complete -c tracetui"),
    ] {
        let (code, script, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["export", "diff", "completions", "chrome", "otlp"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let (code, _, _) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn an_unreadable_config_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(&[
        "--config",
        "/nonexistent/tracetui.toml",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/tracetui.toml"), "{err}");
}

#[test]
fn listen_limits_out_of_range_are_usage_errors() {
    // 0 refused every request; 2^44 MiB wrapped to 0 bytes when made bytes (<< 20).
    for (flag, value) in [
        ("--listen-max-body", "0"),
        ("--listen-max-body", "4097"),
        ("--listen-max-body", "17592186044416"),
        ("--listen-memory", "0"),
        ("--listen-memory", "17592186044416"),
        ("--listen-connections", "0"),
        ("--listen-connections", "5000"),
    ] {
        let (code, _, err) = run(&["--listen", "127.0.0.1:0", flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(
            err.contains(flag) && err.contains(&format!("{value} is not in 1..=")),
            "{flag} {value}: {err}"
        );
    }
    // The bounds themselves are taken.
    for args in [
        ["--listen-max-body", "1", "--listen-memory", "1"],
        ["--listen-max-body", "4096", "--listen-connections", "4096"],
    ] {
        let mut argv = vec!["tracetui", "--listen"];
        argv.extend(args);
        let parsed = tracetui::cli::command().try_get_matches_from(argv);
        assert!(parsed.is_ok(), "{args:?}: {parsed:?}");
    }
    let (_, help, _) = run(&["--help"]);
    assert!(help.contains("--listen-max-body <MiB>"), "{help}");
    assert!(help.contains("--listen-connections <N>"), "{help}");
}
