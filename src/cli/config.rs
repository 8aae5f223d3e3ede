//! The config file: `$XDG_CONFIG_HOME/tracetui/config.toml` (else
//! `~/.config/tracetui/config.toml`, or `--config PATH`). It sets the theme and overrides
//! keys:
//!
//! ```toml
//! theme = "light"            # dark | light | mono
//! [keys]
//! quit = ["x", "C-c"]        # an action's keys, replaced in every pane it applies to
//! diff = "v"
//! ```
//!
//! Nothing in it stops the app: an unknown setting, a bad value or a broken file is a
//! warning (shown in the status bar at start) and the default is used.

use crate::app::Action;
use crate::app::keymap::{Key, parse_key};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    Mono,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Where it was read from, if a file was read.
    pub path: Option<PathBuf>,
    /// `None`: not set, so `NO_COLOR` decides between dark and mono.
    pub theme: Option<ThemeName>,
    pub keys: Vec<(Action, Vec<Key>)>,
    /// What was wrong with the file; each was ignored.
    pub warnings: Vec<String>,
}

/// Where the config file is looked for without `--config`.
pub fn default_path() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        // The XDG spec: a relative value is invalid and must be ignored.
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".config"))
    })?;
    Some(base.join("tracetui").join("config.toml"))
}

/// Read the config: `explicit` must exist (it is an error otherwise); the default file may
/// be missing (defaults then).
pub fn load(explicit: Option<&Path>) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return Ok(Config::default()),
        },
    };
    // The user named this file: "no such file", not the "vanished" of a file once listed.
    let bytes = crate::untrusted::fsread::read_prefix(&path, 1 << 20)
        .map_err(|e| format!("{}: {}", path.display(), crate::cli::usage::reason(&e)))?;
    let text = String::from_utf8_lossy(&bytes.bytes);
    let mut config = parse(&text);
    for w in &mut config.warnings {
        *w = format!("{}: {w}", path.display());
    }
    config.path = Some(path);
    Ok(config)
}

pub fn parse(text: &str) -> Config {
    let mut config = Config::default();
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let message = e.message().to_string();
            let at = e
                .span()
                .map(|s| {
                    format!(
                        "line {}: ",
                        text[..s.start.min(text.len())].lines().count().max(1)
                    )
                })
                .unwrap_or_default();
            config
                .warnings
                .push(format!("{at}{message} (the file was ignored)"));
            return config;
        }
    };
    for (key, value) in &table {
        match key.as_str() {
            "theme" => match value.as_str() {
                Some("dark") => config.theme = Some(ThemeName::Dark),
                Some("light") => config.theme = Some(ThemeName::Light),
                Some("mono" | "no-color" | "none") => config.theme = Some(ThemeName::Mono),
                _ => config.warnings.push(format!(
                    "theme = {}: expected \"dark\", \"light\" or \"mono\"",
                    match value.as_str() {
                        Some(s) => format!("{s:?}"),
                        None => format!("a {}", value.type_str()),
                    }
                )),
            },
            "keys" => match value.as_table() {
                Some(keys) => keys_table(keys, &mut config),
                None => config.warnings.push("keys: expected a [keys] table".into()),
            },
            other => config.warnings.push(format!(
                "unknown setting {other:?} (expected theme or [keys])"
            )),
        }
    }
    config
}

fn keys_table(keys: &toml::Table, config: &mut Config) {
    for (name, value) in keys {
        let Some(action) = Action::from_name(name) else {
            config.warnings.push(format!(
                "[keys] {name}: no such action (one of: {})",
                crate::app::action::NAMED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        let texts: Vec<&str> = match value {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
            _ => Vec::new(),
        };
        if texts.is_empty() {
            config.warnings.push(format!(
                "[keys] {name}: expected a key or a list of keys, such as \"x\" or [\"x\", \"C-x\"]"
            ));
            continue;
        }
        let mut parsed = Vec::new();
        for text in texts {
            match parse_key(text) {
                Ok(k) => parsed.push(k),
                Err(e) => config.warnings.push(format!("[keys] {name}: {e}")),
            }
        }
        if !parsed.is_empty() {
            config.keys.push((action, parsed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_and_keys() {
        let c = parse("theme = \"light\"\n[keys]\nquit = [\"x\", \"C-q\"]\ndiff = \"v\"\n");
        assert_eq!(c.theme, Some(ThemeName::Light));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.keys.len(), 2);
        assert_eq!(c.keys[0].0, Action::Quit);
        assert_eq!(
            c.keys[0].1,
            vec![parse_key("x").expect("x"), parse_key("C-q").expect("C-q")]
        );
        assert_eq!(c.keys[1], (Action::Diff, vec![parse_key("v").expect("v")]));
    }

    #[test]
    fn mistakes_are_warnings_not_failures() {
        let c = parse(
            "theme = \"solarized\"\ncolour = 1\n[keys]\nfly = \"f\"\nquit = \"hyper\"\nhelp = 3\n",
        );
        assert_eq!(c.theme, None);
        assert!(c.keys.is_empty());
        let w = c.warnings.join("\n");
        assert!(
            w.contains("theme = \"solarized\": expected \"dark\", \"light\" or \"mono\""),
            "{w}"
        );
        assert!(w.contains("unknown setting \"colour\""), "{w}");
        assert!(
            w.contains("[keys] fly: no such action (one of: quit, help"),
            "{w}"
        );
        assert!(w.contains("[keys] quit: unknown key \"hyper\""), "{w}");
        assert!(
            w.contains("[keys] help: expected a key or a list of keys"),
            "{w}"
        );
        let broken = parse("theme = \n");
        assert_eq!(broken.warnings.len(), 1);
        assert!(
            broken.warnings[0].starts_with("line 1: "),
            "{:?}",
            broken.warnings
        );
        assert!(broken.warnings[0].ends_with("(the file was ignored)"));
    }

    #[test]
    fn an_explicit_file_must_exist() {
        let err = load(Some(Path::new("/nonexistent/tracetui.toml"))).expect_err("missing");
        assert_eq!(err, "/nonexistent/tracetui.toml: no such file or directory");
    }
}
