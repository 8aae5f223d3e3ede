//! The README stays true: its key table is the keymap's, its commands exist, its schemas
//! are the output's, its screenshot is what the binary draws for its demo command.

mod common;

use common::tmux::{Tmux, binary};
use std::path::{Path, PathBuf};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.tar.gz");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
const SHOT_START: &str = "<!-- screenshot:start -->\n```\n";
const SHOT_END: &str = "```\n<!-- screenshot:end -->";

/// The quick start's demo command: `tar -xzf assets/demo.tar.gz -C assets && cargo run ...`.
fn demo_command(readme: &str) -> &str {
    readme
        .lines()
        .find(|l| l.starts_with("tar -xzf assets/demo.tar.gz -C assets && cargo run --release --"))
        .expect("the demo command")
}

/// The paths the demo command opens (`assets/demo/...`).
fn demo_paths(readme: &str) -> Vec<&str> {
    demo_command(readme)
        .split(" -- ")
        .nth(1)
        .expect("paths")
        .split(' ')
        .collect()
}

/// What the binary shows for the README's demo command in a 110x32 terminal (TZ=UTC), on
/// the first POML session's third call with its messages, and the timeline of that session.
/// The status bar's "changed N ago" counts from when the demo was read, so it reads 1.00s.
fn demo_screenshot(readme: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("assets")).expect("mkdir");
    common::unpack(Path::new(DEMO), &dir.path().join("assets"));
    let tmux = Tmux::start(110, 32, dir.path());
    let done = tmux.launch(&format!("{} {}", binary(), demo_paths(readme).join(" ")));
    // LIVE once loaded (a progress bar until then).
    tmux.wait_for("the demo loaded", |s| {
        s.lines().last().is_some_and(|l| l.contains(" LIVE "))
    });
    // Follow mode starts on the newest call, in the last of the five POML sessions: back to
    // the first one, down to its third call, open it.
    tmux.keys(&["G", "[", "[", "[", "[", "j", "j", "j", "l"]);
    let ready = |s: &str| {
        s.contains("Prompt · 0003.tool_caller")
            && s.contains("▾ 0003 tool_caller")
            && s.lines().last().is_some_and(|l| l.contains(" ago "))
    };
    let mut screen = normalize(&tmux.wait_for("the call open", ready));
    // Drawn once more the same: nothing was still on its way.
    loop {
        let again = normalize(&tmux.wait_for("the call open", ready));
        if again == screen {
            break;
        }
        screen = again;
    }
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(&done).1, 0);
    screen
}

/// Trailing blanks cut, and the status bar's time since the last change made constant.
fn normalize(screen: &str) -> String {
    let mut out = String::new();
    for line in screen.trim_end().lines() {
        let line = match (line.find(" changed "), line.find(" ago ")) {
            (Some(a), Some(b)) if a < b => {
                format!("{} changed 1.00s{}", &line[..a], &line[b..])
            }
            _ => line.to_string(),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn readme_screenshot_is_what_the_binary_draws() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let start = readme.find(SHOT_START).expect("screenshot start marker") + SHOT_START.len();
    let end = readme.find(SHOT_END).expect("screenshot end marker");
    let screen = demo_screenshot(&readme);
    if std::env::var_os("TRACETUI_UPDATE_README").is_some() {
        let updated = format!("{}{screen}{}", &readme[..start], &readme[end..]);
        std::fs::write(README, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        &readme[start..end],
        screen,
        "regenerate with: bash assets/demo_src/screenshot.sh"
    );
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let start = readme
        .find("<!-- keys:start -->\n")
        .expect("keys start marker")
        + 20;
    let end = readme.find("<!-- keys:end -->").expect("keys end marker");
    assert_eq!(
        &readme[start..end],
        tracetui::app::keymap::markdown_table(),
        "regenerate with: scripts/update-readme-keys"
    );
}

#[test]
fn readme_commands_are_the_ones_ci_runs() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let ci =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    let test_command = readme
        .lines()
        .skip_while(|l| !l.starts_with("# Run the whole test suite"))
        .nth(1)
        .expect("the test command");
    assert!(ci.contains(test_command), "CI runs `{test_command}`");
    // Every path the demo command opens is in the archive it unpacks.
    let archive = std::fs::File::open(DEMO).expect("assets/demo.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let entries: Vec<String> = tar
        .entries()
        .expect("entries")
        .map(|e| {
            let e = e.expect("entry");
            e.path().expect("path").to_string_lossy().into_owned()
        })
        .collect();
    let opened = demo_paths(&readme);
    assert!(!opened.is_empty());
    for path in opened {
        let inside = path.strip_prefix("assets/").expect("a path under assets/");
        assert!(
            entries.iter().any(|e| e.trim_end_matches('/') == inside),
            "{inside} is not in assets/demo.tar.gz"
        );
    }
}

#[test]
fn readme_names_every_config_action() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let section = readme
        .split("## Config file")
        .nth(1)
        .expect("a Config file section");
    for (name, _) in tracetui::app::action::NAMED {
        assert!(
            section
                .split_whitespace()
                .any(|w| w.trim_matches(|c| c == '`' || c == '.') == *name),
            "the README's config section lists the action {name}"
        );
    }
}

/// The README's `stats --format json` example has exactly the fields the real output has,
/// table by table.
#[test]
fn readme_stats_schema_matches_the_output() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let block = readme
        .split("<!-- stats-schema:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- stats-schema:end -->").next())
        .expect("the stats schema block");
    let json: String = block
        .lines()
        .filter(|l| !l.starts_with("```"))
        .map(|l| l.split("//").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let documented: serde_json::Value = serde_json::from_str(&json).expect("the block is JSON");
    let fixtures = common::fixture("pml");
    let out = common::tracetui(&["stats", "--format", "json", &fixtures.to_string_lossy()]);
    assert!(out.status.success(), "{out:?}");
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats json");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&documented), keys(&real));
    let mut compared = 0;
    for table in keys(&real) {
        let (Some(doc_row), Some(real_row)) = (documented[&table].get(0), real[&table].get(0))
        else {
            continue;
        };
        assert_eq!(keys(doc_row), keys(real_row), "the fields of {table}");
        compared += 1;
    }
    assert!(compared >= 4, "the fixtures fill most tables: {real}");
}

/// Every key `dump --format json` writes for the corpus's POML, MLflow and PML traces is in
/// the README's schema, and the schema names no key the output lacks.
#[test]
fn readme_dump_schema_names_the_output_keys() {
    fn keys(value: &serde_json::Value, into: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    into.insert(k.clone());
                    // Trace content, in the shapes its writers chose: not the schema's.
                    const CONTENT: &[&str] = &[
                        "input",
                        "output",
                        "error",
                        "attributes",
                        "content",
                        "arguments",
                        "context",
                        "stylesheet",
                        "runtime",
                        "schema",
                        "tools",
                        "parameters",
                    ];
                    if !CONTENT.contains(&k.as_str()) {
                        keys(v, into);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
            _ => {}
        }
    }
    let readme = std::fs::read_to_string(README).expect("README.md");
    let section = readme
        .split("## `dump --format json`")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the dump section");
    let block = section
        .split("```jsonc")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("its schema block");
    // The block is JSON once its `//` comments (outside strings) are gone.
    let json: String = block
        .lines()
        .map(|line| {
            let mut in_string = false;
            let mut prev = ' ';
            let mut end = line.len();
            for (i, c) in line.char_indices() {
                if c == '"' && prev != '\\' {
                    in_string = !in_string;
                }
                if !in_string && c == '/' && prev == '/' {
                    end = i - 1;
                    break;
                }
                prev = c;
            }
            &line[..end]
        })
        .collect::<Vec<_>>()
        .join("\n");
    let schema: serde_json::Value = serde_json::from_str(&json).expect("the schema is JSON");
    let mut documented = std::collections::BTreeSet::new();
    keys(&schema, &mut documented);
    let corpus = common::corpus();
    let mut real = std::collections::BTreeSet::new();
    for paths in [
        vec![corpus.join("pomlruns")],
        vec![corpus.join("mlruns")],
        vec![corpus.join("pomlruns_mlflow"), corpus.join("mlruns")],
        vec![common::fixture("pml")],
    ] {
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        keys(&common::dump_json(&refs), &mut real);
    }
    // `matched` is written with --filter only.
    let pml = common::fixture("pml");
    keys(
        &common::dump_json_with(&["--filter", "status:error"], &[pml.as_path()]),
        &mut real,
    );
    let undocumented: Vec<&String> = real.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "dump writes keys the README does not name: {undocumented:?}"
    );
    let stale: Vec<&String> = documented.difference(&real).collect();
    assert!(
        stale.is_empty(),
        "the README names keys dump never wrote here: {stale:?}"
    );
}
