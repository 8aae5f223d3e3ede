//! `tracetui diff` on the real corpus: identical calls and runs exit 0 and print nothing,
//! a changed prompt exits 1 with a unified diff naming the section, errors exit 2, and
//! untrusted text in the diff reaches the terminal escaped.

mod common;

use std::path::{Path, PathBuf};

const SESSION: &str = "pomlruns/20261121123900861020";

fn corpus(rel: &str) -> String {
    common::corpus().join(rel).display().to_string()
}

fn diff(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    let out = common::tracetui(&all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the first session, to change without touching the corpus.
fn copy_session() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let to = dir.path().join("20261121123900861020");
    common::copy_tree(&common::corpus().join(SESSION), &to, common::Links::Keep);
    (dir, to)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn a_call_against_itself_is_identical() {
    let call = corpus(&format!("{SESSION}/0003.tool_caller"));
    let (code, out, err) = diff(&[&call, &call]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // The index alone and a file of the call name the same call.
    let by_index = corpus(&format!("{SESSION}/0003"));
    let by_file = corpus(&format!("{SESSION}/0003.tool_caller.result.json"));
    let (code, out, err) = diff(&[&by_index, &by_file]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn two_different_calls_print_a_unified_diff_and_exit_1() {
    let old = corpus(&format!("{SESSION}/0002.tool_caller"));
    let new = corpus(&format!("{SESSION}/0003.tool_caller"));
    let (code, out, err) = diff(&[&old, &new]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("diff ") && lines[0].ends_with("0003.tool_caller"),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "+38 −0 in messages, +40 −1 in context; source, tools, runtime unchanged"
    );
    assert!(lines[2].starts_with("--- ") && lines[2].ends_with("0002.tool_caller messages"));
    assert!(lines[3].starts_with("+++ ") && lines[3].ends_with("0003.tool_caller messages"));
    assert_eq!(lines[4], "@@ -6,3 +6,41 @@");
    assert!(out.contains("\n+→ tool call search_flights  id call_pF65EZksoS2lUlTLGVLUliVC\n"));
    assert!(out.contains("\n-  \"rounds\": []\n"), "{out}");
    // Not a terminal: no colour unless asked.
    assert!(!out.contains('\x1b'));
    let (_, coloured, _) = diff(&["--color", "always", &old, &new]);
    assert!(coloured.contains("\x1b[32m+→ tool call"), "{coloured}");
    // Less context, smaller hunks.
    let (_, tight, _) = diff(&["-U", "0", &old, &new]);
    assert!(tight.contains("\n@@ -8,0 +9,38 @@\n"), "{tight}");
}

#[test]
fn runs_compared_call_by_call() {
    let (_dir, copy) = copy_session();
    let original = corpus(SESSION);
    let copy_s = copy.display().to_string();
    let (code, out, err) = diff(&[&original, &copy_s]);
    assert_eq!((code, out.as_str()), (0, ""), "a copy is identical: {err}");

    // One word of one call's context changes, and one call is gone.
    edit(
        &copy.join("0004.tool_caller.context.json"),
        "Lisbon",
        "Porto",
    );
    for entry in std::fs::read_dir(&copy).expect("dir") {
        let entry = entry.expect("entry");
        if entry.file_name().to_string_lossy().starts_with("0010.") {
            std::fs::remove_file(entry.path()).expect("rm");
        }
    }
    let (code, out, err) = diff(&[&original, &copy_s]);
    assert_eq!(code, 1, "{err}");
    let diffs: Vec<&str> = out.lines().filter(|l| l.starts_with("diff ")).collect();
    assert_eq!(diffs.len(), 1, "{out}");
    assert!(diffs[0].ends_with("0004.tool_caller"), "{out}");
    assert!(
        out.contains("in context; messages, source, tools, runtime unchanged"),
        "{out}"
    );
    assert!(out.contains("\n+") && out.contains("Porto"), "{out}");
    assert!(out.contains("only in old: "), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("only in old: ") && l.ends_with("0010.chat"))
    );
    assert_eq!(
        out.lines().last(),
        Some("1 of 9 matched calls differ; 1 only in old, 0 only in new")
    );
}

#[test]
fn untrusted_text_is_escaped() {
    let (_dir, copy) = copy_session();
    edit(
        &copy.join("0001.planner.result.json"),
        "You are TripWise",
        "You are \\u001b]0;pwned\\u0007\\u001b[2JTripWise",
    );
    let (code, out, _) = diff(&[
        &corpus(&format!("{SESSION}/0001.planner")),
        &copy.join("0001.planner").display().to_string(),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("␛]0;pwned␇␛[2JTripWise"), "{out}");
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
}

#[test]
fn errors_exit_2() {
    let call = corpus(&format!("{SESSION}/0003.tool_caller"));
    let (code, _, err) = diff(&[&call, &corpus(&format!("{SESSION}/0999.nothing"))]);
    assert_eq!(code, 2);
    assert!(err.contains("no such call"), "{err}");
    let (code, _, err) = diff(&[&corpus("pomlruns"), &corpus(SESSION)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds 4 sessions: give one session folder"),
        "{err}"
    );
    let (code, _, err) = diff(&[&call, &corpus(SESSION)]);
    assert_eq!(code, 2);
    assert!(err.contains("compare a call with a call"), "{err}");
    let (code, _, _) = diff(&[&call]);
    assert_eq!(code, 2, "usage error");
}

#[test]
fn mlflow_traces_compared_span_by_span() {
    let traces = "mlruns/803886266053338597/traces";
    let a = corpus(&format!("{traces}/tr-80e3ff883adbed565035e04c88d0a2bd"));
    let b = corpus(&format!("{traces}/tr-a35ee92e9e2d55d855a4287f27cf8f17"));
    let (code, out, err) = diff(&[&a, &a]);
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "a trace against itself: {err}"
    );

    let (code, out, err) = diff(&[&a, &b]);
    assert_eq!(code, 1, "{err}");
    // Spans are named by name and id, paired by name; the per-run trace id is no difference.
    assert!(
        out.contains("› make_plan ") && out.contains(" input\n"),
        "{out}"
    );
    assert!(
        out.contains("; attributes unchanged"),
        "spans that differ only in the request id have the same attributes: {out}"
    );
    assert!(!out.contains("mlflow.traceRequestId"), "{out}");
    // A real attribute difference still shows (a tool that failed logs at another level).
    assert!(out.contains("+  \"mlflow.spanLogLevel\": 40"), "{out}");
}

/// A file holding several sessions (PML events here) is compared one session a side,
/// named after `#`; without one, the error says how and names some.
#[test]
fn one_session_of_a_file_holding_several() {
    let events = common::fixture("pml/documented.jsonl")
        .display()
        .to_string();
    let (code, _, err) = diff(&[&events, &events]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "holds 2 sessions: name one as {events}#SESSION (exec_1, exec_2)"
        )),
        "{err}"
    );
    let (code, out, err) = diff(&[&format!("{events}#exec_1"), &format!("{events}#exec_1")]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // Two sessions differ; a prefix must name one of them.
    let (code, out, _) = diff(&[&format!("{events}#exec_1"), &format!("{events}#exec_2")]);
    assert_eq!(code, 1, "{out}");
    let (code, _, err) = diff(&[&format!("{events}#exec_1"), &format!("{events}#exec_")]);
    assert_eq!(code, 2);
    assert!(err.contains("2 sessions begin exec_"), "{err}");
    let (code, _, err) = diff(&[&format!("{events}#exec_1"), &format!("{events}#nope")]);
    assert_eq!(code, 2);
    assert!(err.contains("no session nope"), "{err}");
}
