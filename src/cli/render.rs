//! `tracetui render`: re-render a traced POML call with the real renderer, with edited
//! context values or another prompt file, and compare with what was recorded; `--all` does
//! it for every call of a run (a golden test for prompt edits). Exit 0 unchanged, 1 changed,
//! 2 error.

use super::usage::UsageError;
use super::{DumpFormat, EXIT_USAGE, RenderArgs};
use crate::render::outcome::{self, Outcome};
use crate::render::{Failure, Job, Renderer, SourceKind, TraceCall, Verdict};
use crate::untrusted::sanitize;
use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &RenderArgs) -> color_eyre::Result<ExitCode> {
    // Ended by a signal, the scratch copies of the calls go too (no destructor runs then).
    crate::terminal::signals::spawn()?;
    let renderer = crate::render::locate::locate(args.poml.as_deref()).map_err(UsageError::new)?;
    let color = args.color.enabled();
    if args.source_dir.is_some() && args.all.is_none() {
        return Err(UsageError::new("--source-dir goes with --all RUN").into());
    }
    match (&args.call, &args.all) {
        (Some(call), None) => one(args, call, &renderer, color),
        (None, Some(run)) => all(args, run, &renderer, color),
        _ => Err(UsageError::new("give one CALL, or --all RUN").into()),
    }
}

fn one(
    args: &RenderArgs,
    path: &Path,
    renderer: &Renderer,
    color: bool,
) -> color_eyre::Result<ExitCode> {
    let call = TraceCall::find(path).map_err(UsageError::new)?;
    let source = match &args.source {
        None => SourceKind::Recorded,
        Some(Some(file)) => SourceKind::Given(file.clone()),
        Some(None) => SourceKind::Live(call.live_source().ok_or_else(|| {
            UsageError::new(format!(
                "{}: no live prompt file (the .source.poml link does not resolve and SOURCE_PATH is not here)",
                call.label()
            ))
            .hint("Name one: --source FILE.")
        })?),
    };
    let mut job = Job::for_call(&call, source).map_err(UsageError::new)?;
    if let Some(file) = &args.context {
        let bytes =
            crate::untrusted::fsread::read_prefix(file, crate::formats::poml::call::PARSE_LIMIT)
                .map_err(|e| {
                    UsageError::new(format!(
                        "--context {}: {}",
                        file.display(),
                        super::usage::reason(&e)
                    ))
                })?;
        serde_json::from_slice::<Value>(&bytes.bytes).map_err(|e| {
            UsageError::new(format!("--context {}: not JSON ({e})", file.display()))
        })?;
        job.context = Some(bytes.bytes);
    }
    if !args.set.is_empty() {
        let mut context = job.context_value().map_err(UsageError::new)?;
        for assignment in &args.set {
            if crate::render::set::apply(&mut context, assignment).map_err(UsageError::new)? {
                let name = assignment.split_once('=').map_or("", |(n, _)| n);
                eprintln!(
                    "tracetui render: note: --set {}: the recorded context had no such value; added",
                    crate::untrusted::sanitize::label(name)
                );
            }
        }
        job.context = Some(serde_json::to_vec_pretty(&context)?);
    }
    let outcome = outcome::judge(&job, job.render(renderer, &[]));
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        DumpFormat::Json => {
            let mut doc = report(&job, &outcome, renderer);
            if args.diff
                && let (Some(c), Some(obj)) = (&outcome.comparison, doc.as_object_mut())
            {
                let mut text = Vec::new();
                crate::compare::text::write(c, false, &mut text)?;
                let lines: Vec<String> = String::from_utf8_lossy(&text)
                    .lines()
                    .map(String::from)
                    .collect();
                obj.insert("diff".into(), json!(lines));
            }
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        DumpFormat::Text if args.diff => diff_text(&job, &outcome, color, &mut out),
        DumpFormat::Text => messages_text(&job, &outcome, renderer, &mut out),
    };
    super::finish_output(written.and_then(|()| out.flush()))?;
    if let Verdict::Failed(f) = &outcome.verdict {
        eprintln!("tracetui render: {}", sanitize::label(&located(&job, f)));
    } else if let Verdict::NoRecord(why) = &outcome.verdict {
        eprintln!(
            "tracetui render: {}: {}",
            sanitize::label(&call.label()),
            sanitize::label(why)
        );
    }
    let code = match (&outcome.verdict, args.diff) {
        // Without --diff, a successful render is a success whatever it says.
        (Verdict::Unchanged | Verdict::Changed | Verdict::NoRecord(_), false) => 0,
        (verdict, _) => verdict.exit_code(),
    };
    Ok(ExitCode::from(code))
}

/// `path:line:column: message`, the place a person's editor jumps to.
pub fn located(job: &Job, failure: &Failure) -> String {
    let file = job
        .source
        .path()
        .map_or_else(|| job.call.path(".poml"), Path::to_path_buf);
    match failure {
        Failure::Renderer(l) => match l.at {
            Some((line, column)) => format!("{}:{line}:{column}: {}", file.display(), l.message),
            // Not placed in the prompt: the call, not the file, is what failed.
            None => format!("{}: {}", job.call.label(), l.message),
        },
        Failure::Other(s) => format!("{}: {s}", job.call.label()),
    }
}

fn source_line(job: &Job) -> String {
    match &job.source {
        SourceKind::Recorded => format!("the recorded {}", job.call.path(".poml").display()),
        SourceKind::Live(p) => format!("the live prompt file {}", p.display()),
        SourceKind::Given(p) => p.display().to_string(),
    }
}

fn messages_text(
    job: &Job,
    outcome: &Outcome,
    renderer: &Renderer,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(out, "call: {}", sanitize::label(&job.call.label()))?;
    writeln!(out, "source: {}", sanitize::label(&source_line(job)))?;
    writeln!(
        out,
        "paths resolve against: {} ({})",
        sanitize::label(&job.base.dir().display().to_string()),
        job.base.kind.describe()
    )?;
    writeln!(
        out,
        "renderer: {} ({})",
        sanitize::label(&renderer.shown()),
        renderer.found_by
    )?;
    if let Some(rendered) = &outcome.rendered {
        let [messages, ..] = crate::compare::sections::of_result(
            crate::formats::poml::PomlResult::from_value(rendered.clone()),
            "the render",
        );
        writeln!(out)?;
        for line in &messages.lines {
            writeln!(out, "{}", sanitize::line(line))?;
        }
        writeln!(out)?;
    }
    let verdict = match &outcome.verdict {
        Verdict::Unchanged => "unchanged: exactly the recorded result".to_string(),
        Verdict::Changed => "changed: not the recorded result (--diff shows how)".to_string(),
        Verdict::NoRecord(why) => format!("not compared: {why}"),
        Verdict::Failed(f) => format!("error: {}", located(job, f)),
    };
    writeln!(out, "{}", sanitize::label(&verdict))
}

fn diff_text(
    job: &Job,
    outcome: &Outcome,
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if outcome.verdict != Verdict::Changed {
        return Ok(());
    }
    match &outcome.comparison {
        Some(c) if !c.diff.is_identical() => crate::compare::text::write(c, color, out),
        _ => writeln!(
            out,
            "{}: the result differs from the recorded one only in how its JSON is spelled",
            sanitize::label(&job.call.label())
        ),
    }
}

/// The JSON report: the rendered result's own keys (`messages` as in `.result.json`), where
/// paths resolved, the renderer, and the verdict.
fn report(job: &Job, outcome: &Outcome, renderer: &Renderer) -> Value {
    let mut doc = json!({
        "call": job.call.label(),
        "source": {"kind": job.source.as_str(), "path": job.source.path().map(|p| p.display().to_string())},
        "paths_resolve_against": {"dir": job.base.dir().display().to_string(), "file": job.base.file.display().to_string(), "kind": job.base.kind.as_str()},
        "renderer": {"command": renderer.shown(), "found_by": renderer.found_by, "version": renderer.version()},
        "verdict": outcome.verdict.as_str(),
    });
    let Some(obj) = doc.as_object_mut() else {
        return doc;
    };
    if let Some(Value::Object(rendered)) = &outcome.rendered {
        for (k, v) in rendered {
            obj.insert(k.clone(), v.clone());
        }
    }
    match &outcome.verdict {
        Verdict::Failed(Failure::Renderer(l)) => {
            obj.insert(
                "error".into(),
                json!({"message": l.message, "line": l.at.map(|a| a.0), "column": l.at.map(|a| a.1)}),
            );
        }
        Verdict::Failed(Failure::Other(s)) => {
            obj.insert("error".into(), json!({"message": s}));
        }
        Verdict::NoRecord(why) => {
            obj.insert("not_compared".into(), json!(why));
        }
        _ => {}
    }
    doc
}

/// `--all RUN`: every call of the run, rendered with today's prompt files.
fn all(
    args: &RenderArgs,
    run: &Path,
    renderer: &Renderer,
    color: bool,
) -> color_eyre::Result<ExitCode> {
    if !run.is_dir() {
        return Err(UsageError::new(format!("--all {}: not a run folder", run.display())).into());
    }
    if let Some(dir) = &args.source_dir
        && !dir.is_dir()
    {
        return Err(
            UsageError::new(format!("--source-dir {}: not a folder", dir.display())).into(),
        );
    }
    let calls = TraceCall::all_in(run).map_err(UsageError::new)?;
    if calls.is_empty() {
        return Err(UsageError::new(format!(
            "--all {}: no POML calls here (give one session folder)",
            run.display()
        ))
        .into());
    }
    let results = render_all(&calls, args.source_dir.as_deref(), renderer);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        DumpFormat::Json => {
            let docs: Vec<Value> = results
                .iter()
                .map(|(call, r)| match r {
                    Ok((job, outcome)) => report(job, outcome, renderer),
                    Err(e) => {
                        json!({"call": call.label(), "verdict": "error", "error": {"message": e}})
                    }
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &json!({"calls": docs}))
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        DumpFormat::Text => all_text(&results, color, &mut out),
    };
    super::finish_output(written.and_then(|()| out.flush()))?;
    let code = results
        .iter()
        .map(|(_, r)| {
            r.as_ref()
                .map_or(EXIT_USAGE, |(_, o)| o.verdict.exit_code())
        })
        .fold(0, |worst, c| match (worst, c) {
            (2, _) | (_, 2) => 2,
            (a, b) => a.max(b),
        });
    Ok(ExitCode::from(code))
}

/// A call's render, or why it could not start.
type Attempt = Result<(Job, Outcome), String>;
type Rendered = (TraceCall, Attempt);

/// Every call rendered, a few at a time (each is a node process), in the calls' order.
fn render_all(
    calls: &[TraceCall],
    source_dir: Option<&Path>,
    renderer: &Renderer,
) -> Vec<Rendered> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Attempt>>> = calls.iter().map(|_| Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(call) = calls.get(i) else { return };
                    let result = Job::for_call(call, today_source(call, source_dir)).map(|job| {
                        let outcome = outcome::judge(&job, job.render(renderer, &[]));
                        (job, outcome)
                    });
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    calls
        .iter()
        .cloned()
        .zip(slots)
        .map(|(call, slot)| {
            let result = slot
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err("not rendered".into()));
            (call, result)
        })
        .collect()
}

/// The call's prompt file today: in `source_dir` by the name it had, else the live one,
/// else (an inline prompt, a file gone) the recorded source.
fn today_source(call: &TraceCall, source_dir: Option<&Path>) -> SourceKind {
    let named = call.source_path().or_else(|| call.link_target());
    if let Some(dir) = source_dir {
        return named
            .and_then(|p| p.file_name().map(|n| dir.join(n)))
            .filter(|p| p.is_file())
            .map_or(SourceKind::Recorded, SourceKind::Given);
    }
    call.live_source()
        .map_or(SourceKind::Recorded, SourceKind::Live)
}

fn all_text(results: &[Rendered], color: bool, out: &mut impl Write) -> std::io::Result<()> {
    let (mut same, mut changed, mut failed) = (0, 0, 0);
    for (call, result) in results {
        let name = sanitize::label(&call.name()).into_owned();
        let line = match result {
            Ok((job, outcome)) => {
                let from = match &job.source {
                    SourceKind::Recorded => "the recorded source".to_string(),
                    s => s
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                };
                match &outcome.verdict {
                    Verdict::Unchanged => {
                        same += 1;
                        format!("unchanged  {name}  ({})", sanitize::label(&from))
                    }
                    Verdict::Changed => {
                        changed += 1;
                        format!("changed    {name}  ({})", sanitize::label(&from))
                    }
                    Verdict::NoRecord(why) => {
                        failed += 1;
                        format!("no-record  {name}: {}", sanitize::label(why))
                    }
                    Verdict::Failed(f) => {
                        failed += 1;
                        format!("error      {name}: {}", sanitize::label(&located(job, f)))
                    }
                }
            }
            Err(e) => {
                failed += 1;
                format!("error      {name}: {}", sanitize::label(e))
            }
        };
        writeln!(out, "{line}")?;
    }
    for (_, result) in results {
        if let Ok((_, outcome)) = result
            && outcome.verdict == Verdict::Changed
            && let Some(c) = &outcome.comparison
        {
            writeln!(out)?;
            crate::compare::text::write(c, color, out)?;
        }
    }
    writeln!(
        out,
        "{} calls: {same} unchanged, {changed} changed, {failed} not reproduced",
        results.len()
    )
}
