//! The README stays true: its key table is the keymap's, its commands exist, its schemas
//! are the output's.

mod common;

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
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
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let ci =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    let test_command = readme
        .lines()
        .skip_while(|l| !l.starts_with("# Run the whole test suite"))
        .nth(1)
        .expect("the test command");
    assert!(ci.contains(test_command), "CI runs `{test_command}`");
    let run = readme
        .lines()
        .find(|l| l.starts_with("tar -xzf assets/demo.tar.gz -C assets && cargo run --release --"))
        .expect("the demo command");
    // Every path the demo command opens is in the archive it unpacks.
    let archive = std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.tar.gz"))
        .expect("assets/demo.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let entries: Vec<String> = tar
        .entries()
        .expect("entries")
        .map(|e| {
            let e = e.expect("entry");
            e.path().expect("path").to_string_lossy().into_owned()
        })
        .collect();
    let opened: Vec<&str> = run
        .split(" -- ")
        .nth(1)
        .expect("paths")
        .split(' ')
        .collect();
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
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
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
