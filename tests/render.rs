//! `tracetui render` with the real renderer (poml-cli of the pinned poml package): every
//! corpus call re-renders to exactly its recorded result, `--set` and `--source` change what
//! they should, `--diff` and `--all` exit 0/1/2, a broken prompt is located, a missing
//! renderer is one line, and nothing is ever written into the trace.

mod common;

use common::hostile::fingerprint;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `poml-cli` beside the test venv's Python (the console script the package installs).
fn poml_cli() -> PathBuf {
    let python = common::poml_python();
    let cli = python.parent().expect("venv bin").join("poml-cli");
    assert!(cli.is_file(), "{} is not there", cli.display());
    cli
}

/// Where node's compile cache goes in these tests: under the target folder, shared by every
/// run, never in the home folder.
fn test_cache_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("render-cache-home")
}

fn render(args: &[&str]) -> Output {
    render_with(args, &[("XDG_CACHE_HOME", test_cache_home().as_os_str())])
}

fn render_with(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tracetui"));
    command
        .arg("render")
        .args(args)
        .env("TRACETUI_POML", poml_cli())
        .env_remove("POML_TRACE")
        .env_remove("NODE_COMPILE_CACHE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run tracetui render")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The corpus in a folder of this test's own (links kept: the relative ones resolve into
/// the copy's workspace).
fn corpus_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::unpack(&common::fixture("corpus-public.tar.gz"), dir.path());
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

#[test]
fn every_corpus_call_rerenders_to_exactly_its_recorded_result() {
    let dir = corpus_copy();
    let public = dir.path().join("public");
    let before = fingerprint(&public);
    let mut runs: Vec<PathBuf> = vec![public.join("flat_trace")];
    for root in ["pomlruns", "pomlruns_mlflow"] {
        let mut sessions: Vec<PathBuf> = std::fs::read_dir(public.join(root))
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        sessions.sort();
        runs.extend(sessions);
    }
    let (mut unchanged, mut failed) = (0, Vec::new());
    for run in &runs {
        let out = render(&["--all", &run.display().to_string(), "--format", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
        for call in doc["calls"].as_array().expect("calls") {
            let label = call["call"].as_str().expect("call");
            match call["verdict"].as_str() {
                Some("unchanged") => {
                    // Checked here too, independently of the verdict: the same JSON value.
                    let recorded = read_json(Path::new(&format!("{label}.result.json")));
                    for key in ["messages", "schema", "tools", "runtime"] {
                        assert_eq!(call.get(key), recorded.get(key), "{label}: {key}");
                    }
                    unchanged += 1;
                }
                _ => failed.push((label.to_string(), call.clone())),
            }
        }
    }
    assert_eq!(unchanged, 51, "every reproducible call, {failed:?}");
    // The one call whose render failed when it was traced (a date the prompt formats
    // arrived as a string) fails again, located in the prompt; never "unchanged".
    assert_eq!(failed.len(), 1, "{failed:?}");
    let (label, call) = &failed[0];
    assert!(label.ends_with("0015.reminder"), "{label}");
    assert_eq!(call["verdict"], "error");
    assert!(
        call["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("toISOString is not a function")),
        "{call}"
    );
    assert_eq!(call["error"]["line"], 3, "{call}");
    assert_eq!(
        fingerprint(&public),
        before,
        "nothing written into the corpus"
    );
}

#[test]
fn an_unchanged_call_exits_0_with_its_recorded_messages() {
    let dir = corpus_copy();
    let session = dir.path().join("public/pomlruns/20261121123900861020");
    let before = fingerprint(&session);
    let call = session.join("0006.receipt_reader").display().to_string();
    let out = render(&[&call, "--diff"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));

    // Any of the call's files names it; JSON carries the messages as result.json has them,
    // where paths resolved (SOURCE_PATH is another machine's: the link's target) and the
    // renderer's version.
    let out = render(&[&format!("{call}.context.json"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let recorded = read_json(&session.join("0006.receipt_reader.result.json"));
    assert_eq!(doc["messages"], recorded["messages"]);
    assert_eq!(doc["verdict"], "unchanged");
    assert_eq!(doc["paths_resolve_against"]["kind"], "source-link");
    assert!(
        doc["paths_resolve_against"]["dir"]
            .as_str()
            .is_some_and(|d| d.ends_with("workspace/prompts")),
        "{doc}"
    );
    assert_eq!(doc["renderer"]["version"], "0.0.8");
    assert_eq!(
        fingerprint(&session),
        before,
        "nothing written into the trace"
    );
}

#[test]
fn node_keeps_its_compiled_code_in_our_cache_unless_told_otherwise() {
    let dir = corpus_copy();
    let call = dir
        .path()
        .join("public/pomlruns/20261121123900861020/0006.receipt_reader")
        .display()
        .to_string();
    let files_in = |d: &Path| walk_count(d);
    let cache_home = tempfile::tempdir().expect("tempdir");
    let ours = cache_home.path().join("tracetui/node-compile-cache");
    let out = render_with(
        &[&call, "--diff"],
        &[("XDG_CACHE_HOME", cache_home.path().as_os_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        files_in(&ours) > 0,
        "node wrote its cache in {}",
        ours.display()
    );
    // Started warm, the render is the same.
    let again = render_with(
        &[&call, "--diff"],
        &[("XDG_CACHE_HOME", cache_home.path().as_os_str())],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    // A cache the user named is theirs: used, and ours is not made.
    let theirs = tempfile::tempdir().expect("tempdir");
    let other_home = tempfile::tempdir().expect("tempdir");
    let out = render_with(
        &[&call, "--diff"],
        &[
            ("XDG_CACHE_HOME", other_home.path().as_os_str()),
            ("NODE_COMPILE_CACHE", theirs.path().as_os_str()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(files_in(theirs.path()) > 0);
    assert!(!other_home.path().join("tracetui").exists());
}

/// Files anywhere under `dir` (0 when it is not there).
fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                let path = e.path();
                if path.is_dir() { walk_count(&path) } else { 1 }
            })
            .sum()
    })
}

#[test]
fn a_render_ended_by_a_signal_leaves_no_scratch_copy() {
    use std::os::unix::fs::PermissionsExt;
    let dir = corpus_copy();
    let call = dir
        .path()
        .join("public/pomlruns/20261121123900861020/0006.receipt_reader");
    // A renderer that takes its time: the signal comes while the scratch copy is in use.
    let slow = dir.path().join("slow-renderer");
    std::fs::write(&slow, "#!/bin/sh\nsleep 30\n").expect("write");
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracetui"))
        .arg("render")
        .arg(&call)
        .env("TRACETUI_POML", &slow)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start tracetui render");
    let scratch = || walk_count(&tmp);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while scratch() == 0 {
        assert!(std::time::Instant::now() < deadline, "no scratch copy made");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let ended = child.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(ended.signal(), Some(15), "ended by SIGTERM: {ended:?}");
    assert_eq!(scratch(), 0, "the scratch copy is gone");
}

#[test]
fn set_changes_one_value_and_the_diff_shows_it() {
    let dir = corpus_copy();
    let call = dir
        .path()
        .join("public/pomlruns/20261121123900861020/0001.planner")
        .display()
        .to_string();
    let out = render(&[
        &call,
        "--set",
        "traveler.name=Bruno Lima",
        "--diff",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    assert!(diff.contains("\n-name: Ana Souza\n"), "{diff}");
    assert!(diff.contains("\n+name: Bruno Lima\n"), "{diff}");
    assert!(diff.contains("+1 −1 in messages"), "{diff}");
    assert!(
        !text(&out.stderr).contains("note:"),
        "a value that was there: {}",
        text(&out.stderr)
    );

    // A name the context did not have (a typo, often) is added, and said so.
    let out = render(&[&call, "--set", "traveler.nmae=Bruno", "--diff"]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("--set traveler.nmae: the recorded context had no such value; added"),
        "{}",
        text(&out.stderr)
    );

    // A JSON value is taken as JSON.
    let out = render(&[
        &call,
        "--set",
        "traveler.languages=[\"fr\"]",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["verdict"], "changed");
    let rendered = doc["messages"].to_string();
    assert!(
        rendered.contains("- fr") && !rendered.contains("- pt"),
        "{rendered}"
    );
}

#[test]
fn a_broken_prompt_is_an_error_located_in_it() {
    let dir = corpus_copy();
    let public = dir.path().join("public");
    let prompt = dir.path().join("planner.poml");
    let original =
        std::fs::read_to_string(public.join("workspace/prompts/planner.poml")).expect("prompt");
    let line = original
        .lines()
        .position(|l| l.contains("{{"))
        .expect("a {{ line")
        + 1;
    let broken = original.replacen("{{", "{{ no_such_value.x + ", 1);
    std::fs::write(&prompt, broken).expect("write");
    let call = public.join("pomlruns/20261121123900861020/0001.planner");
    let prompt_arg = prompt.display().to_string();
    let out = render(&[
        &call.display().to_string(),
        "--source",
        &prompt_arg,
        "--diff",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{prompt_arg}:{line}:")) && err.contains("no_such_value"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn golden_run_reports_which_prompts_changed() {
    let dir = corpus_copy();
    let public = dir.path().join("public");
    // Today's prompts in a checkout of their own, with the data their relative paths name.
    let workspace = dir.path().join("checkout");
    common::copy_tree(&public.join("workspace"), &workspace, common::Links::Follow);
    let prompts = workspace.join("prompts");
    let run = public.join("pomlruns/20261121123956698654");
    let run_arg = run.display().to_string();
    let prompts_arg = prompts.display().to_string();
    let before = fingerprint(&public);

    let out = render(&["--all", &run_arg, "--source-dir", &prompts_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let report = text(&out.stdout);
    assert!(
        report.ends_with("7 calls: 7 unchanged, 0 changed, 0 not reproduced\n"),
        "{report}"
    );

    let chat = prompts.join("chat.poml");
    let edited = std::fs::read_to_string(&chat)
        .expect("read")
        .replacen("friendly", "terse", 1);
    std::fs::write(&chat, edited).expect("edit");
    let out = render(&[
        "--all",
        &run_arg,
        "--source-dir",
        &prompts_arg,
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("changed    0007.chat"), "{report}");
    assert!(report.contains("unchanged  0001.translator"), "{report}");
    assert!(
        report.contains("+You are TripWise, a terse assistant."),
        "{report}"
    );
    assert!(
        report.ends_with("7 calls: 6 unchanged, 1 changed, 0 not reproduced\n"),
        "{report}"
    );
    assert_eq!(fingerprint(&public), before, "nothing written into the run");
}

#[test]
fn a_trace_written_now_by_real_poml_round_trips() {
    let python = common::poml_python();
    let work = tempfile::tempdir().expect("tempdir");
    let prompts = work.path().join("prompts");
    std::fs::create_dir(&prompts).expect("mkdir");
    std::fs::write(prompts.join("notes.txt"), "Bring the passport.\n").expect("doc");
    std::fs::write(
        prompts.join("trip.poml"),
        "<poml>\n  <role>Travel helper for {{ name }}</role>\n  <task>{{ trip.nights }} nights in {{ trip.city }}</task>\n  \
         <cp caption=\"Notes\"><document src=\"notes.txt\" /></cp>\n  <list><item for=\"i in items\">{{ i }}</item></list>\n</poml>\n",
    )
    .expect("prompt");
    let traces = work.path().join("traces");
    let status = Command::new(&python)
        .arg(common::fixture("render/writer.py"))
        .arg(&traces)
        .arg(prompts.join("trip.poml"))
        .current_dir(work.path())
        .status()
        .expect("run poml");
    assert!(status.success());
    let session = std::fs::read_dir(&traces)
        .expect("traces")
        .next()
        .expect("a session")
        .expect("entry")
        .path();
    let before = fingerprint(&traces);
    let call = session.join("0001.trip").display().to_string();
    let out = render(&[&call, "--format", "json", "--diff"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    // SOURCE_PATH is on this machine: the document beside it is found from the copy.
    assert_eq!(doc["paths_resolve_against"]["kind"], "SOURCE_PATH");
    assert!(
        doc["messages"].to_string().contains("Bring the passport."),
        "{doc}"
    );
    assert_eq!(
        doc["messages"],
        read_json(Path::new(&format!("{call}.result.json")))["messages"]
    );

    // The live prompt file, edited: changed, and the diff says where.
    let edited = std::fs::read_to_string(prompts.join("trip.poml"))
        .expect("read")
        .replace("Travel helper", "Trip planner");
    std::fs::write(prompts.join("trip.poml"), edited).expect("edit");
    let out = render(&[&call, "--source", "--diff", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("\n+**Role:** Trip planner for Ana\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        fingerprint(&traces),
        before,
        "nothing written into the trace"
    );
}

#[test]
fn no_renderer_is_one_line_saying_how_to_install_it() {
    let dir = corpus_copy();
    let call = dir
        .path()
        .join("public/flat_trace/0004.chat")
        .display()
        .to_string();
    let empty = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_tracetui"))
        .args(["render", &call, "--diff"])
        .env("PATH", empty.path())
        .env_remove("TRACETUI_POML")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("install it with: pip install poml"), "{err}");

    // A --poml that is not there says the same, as does a call that is not there.
    let out = render(&[&call, "--poml", "/no/such/poml-cli"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    let out = render(&[&format!("{call}x")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn damaged_calls_are_never_unchanged() {
    let dir = corpus_copy();
    let run = dir.path().join("public/damaged/20261121123900861020");
    let out = render(&["--all", &run.display().to_string(), "--color", "never"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    // A truncated context, a truncated result, a call without a result: each says why.
    assert!(
        report.contains("error      0001.planner: ")
            && report.contains("its .context.json is not JSON"),
        "{report}"
    );
    assert!(
        report.contains("no-record  0002.tool_caller: the recorded .result.json is not JSON"),
        "{report}"
    );
    assert!(
        report.contains("no-record  0010.chat: the call has no .result.json"),
        "{report}"
    );
    assert!(report.contains(" 3 not reproduced\n"), "{report}");
}

#[test]
fn a_call_without_a_result_renders_but_is_not_compared() {
    let dir = corpus_copy();
    let call = dir
        .path()
        .join("public/damaged/20261121123900861020/0010.chat")
        .display()
        .to_string();
    // Rendered and printed (exit 0), but never called unchanged; with --diff, exit 2.
    let out = render(&[&call]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("not compared: the call has no .result.json"));
    let out = render(&[&call, "--diff"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
}
