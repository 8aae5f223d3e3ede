//! Every seed and crash reproducer under `tests/fixtures/fuzz/<target>/` run through its fuzz
//! target, so what the fuzzer once found stays fixed in every `cargo test`.

use std::path::Path;

fn run(target: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no seeds in {}", dir.display());
    for path in entries {
        let data = std::fs::read(&path).expect("read seed");
        let outcome = std::panic::catch_unwind(|| f(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name), super::$name);
            }
        )*
    };
}

targets!(
    sanitize,
    pml_lines,
    pml_sse,
    pml_document,
    poml_result,
    poml_names,
    poml_call,
    sniff,
    tail,
    filter,
    otlp_batch,
    mlflow_trace,
    mlflow_rest,
    receiver_proto,
);
