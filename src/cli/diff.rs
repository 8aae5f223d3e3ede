//! `tracetui diff OLD NEW`: compare two calls, or two runs call by call, headless. Exit 0
//! when identical, 1 when they differ (the diff is printed), 2 on error: traces kept as
//! golden files can be checked in CI.

use super::{DiffArgs, EXIT_USAGE};
use crate::compare::{self, Comparison, pair::Pair};
use crate::formats::bytes::WholeFiles;
use crate::ingest::Options;
use crate::model::{SessionId, SpanId, Store};
use crate::untrusted::sanitize;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const EXIT_DIFFERENT: u8 = 1;

/// One side of the comparison, loaded.
struct Side {
    store: Store,
    sid: SessionId,
    /// A call, or the whole session when `None`.
    call: Option<SpanId>,
}

pub fn run(args: &DiffArgs) -> color_eyre::Result<ExitCode> {
    let sides = resolve(&args.old).and_then(|old| Ok((old, resolve(&args.new)?)));
    let (old, new) = match sides {
        Ok(sides) => sides,
        Err(e) => {
            eprintln!("tracetui diff: {}", sanitize::label(&e));
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let color = args.color.enabled();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut files = WholeFiles::default();
    let outcome = match (old.call, new.call) {
        (Some(a), Some(b)) => {
            let c = compare_calls((&old, a), (&new, b), args.context, &mut files);
            compare::text::write(&c, color, &mut out).map(|()| !c.diff.is_identical())
        }
        (None, None) => sessions(&old, &new, args.context, color, &mut files, &mut out),
        _ => {
            eprintln!(
                "tracetui diff: compare a call with a call, or a session folder with a session folder"
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    match outcome.and_then(|differ| out.flush().map(|()| differ)) {
        Ok(false) => Ok(ExitCode::SUCCESS),
        Ok(true) => Ok(ExitCode::from(EXIT_DIFFERENT)),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::from(EXIT_DIFFERENT)),
        Err(e) => {
            eprintln!("tracetui diff: {e}");
            Ok(ExitCode::from(EXIT_USAGE))
        }
    }
}

fn compare_calls(
    old: (&Side, SpanId),
    new: (&Side, SpanId),
    context: usize,
    files: &mut WholeFiles,
) -> Comparison {
    let a = compare::sections_of(&old.0.store, old.0.sid, old.1, files);
    let b = compare::sections_of(&new.0.store, new.0.sid, new.1, files);
    Comparison {
        old_label: compare::path_label(&old.0.store, old.0.sid, old.1),
        new_label: compare::path_label(&new.0.store, new.0.sid, new.1),
        diff: compare::diff::compare(&a, &b, context),
    }
}

/// Two runs, call by call; returns whether anything differs.
fn sessions(
    old: &Side,
    new: &Side,
    context: usize,
    color: bool,
    files: &mut WholeFiles,
    out: &mut impl Write,
) -> std::io::Result<bool> {
    let pairs = compare::pair::sessions((&old.store, old.sid), (&new.store, new.sid));
    let (mut differ, mut only_old, mut only_new, mut both) = (0, 0, 0, 0);
    for pair in &pairs {
        match *pair {
            Pair::Both(a, b) => {
                both += 1;
                let c = compare_calls((old, a), (new, b), context, files);
                if !c.diff.is_identical() {
                    differ += 1;
                    compare::text::write(&c, color, out)?;
                }
            }
            Pair::OnlyOld(a) => {
                only_old += 1;
                let label = compare::path_label(&old.store, old.sid, a);
                writeln!(out, "only in old: {}", sanitize::label(&label))?;
            }
            Pair::OnlyNew(b) => {
                only_new += 1;
                let label = compare::path_label(&new.store, new.sid, b);
                writeln!(out, "only in new: {}", sanitize::label(&label))?;
            }
        }
    }
    let changed = differ + only_old + only_new > 0;
    if changed {
        let noun = if both == 1 { "call" } else { "calls" };
        writeln!(
            out,
            "{differ} of {both} matched {noun} differ; {only_old} only in old, {only_new} only in new"
        )?;
    }
    Ok(changed)
}

/// A path as one side: a session folder (or event file) holding one session, or a call
/// named by its prefix (`.../0003.planner`, `.../0003`) or by any of its files.
fn resolve(path: &Path) -> Result<Side, String> {
    let shown = path.display().to_string();
    // A side that is there but cannot be read would otherwise look empty ("no trace found").
    // One that is not there may still name a call by its prefix, below.
    if path.exists()
        && let Err(e) = crate::ingest::discover::check_path(path)
    {
        return Err(format!(
            "cannot open {shown}: {}",
            crate::cli::usage::reason(&e)
        ));
    }
    if path.is_dir() {
        return whole(path, &shown);
    }
    if !path.exists()
        && let Some((file, id)) = shown.rsplit_once('#')
        && !id.is_empty()
        && Path::new(file).exists()
    {
        return one_session(Path::new(file), id, &shown);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{shown}: not a call or a session folder"))?;
    let parent = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    if parent.is_dir() {
        let store = load(&parent);
        if let Some((sid, id)) = find_call(&store, &name) {
            return Ok(Side {
                store,
                sid,
                call: Some(id),
            });
        }
    }
    if path.is_file() {
        return whole(path, &shown);
    }
    if path.exists() {
        return Err(format!(
            "{shown}: not a call, a session folder or a trace file"
        ));
    }
    Err(format!(
        "{shown}: no such call (give a call prefix such as pomlruns/<session>/0003.planner, or a session folder)"
    ))
}

fn whole(path: &Path, shown: &str) -> Result<Side, String> {
    let store = load(path);
    let sids: Vec<SessionId> = store.session_ids().to_vec();
    match sids.as_slice() {
        [sid] => Ok(Side {
            sid: *sid,
            store,
            call: None,
        }),
        [] => Err(format!("{shown}: no trace found")),
        many => {
            let ids: Vec<String> = many
                .iter()
                .take(3)
                .filter_map(|&sid| store.session(sid))
                .map(|s| sanitize::label(&s.id).into_owned())
                .collect();
            let more = if many.len() > ids.len() { ", ..." } else { "" };
            // POML sessions are folders of their own: name one by its path.
            let poml = many
                .iter()
                .filter_map(|&sid| store.session(sid))
                .all(|s| s.source == crate::model::Source::Poml && s.path.is_dir());
            let (how, pattern) = if poml {
                (
                    "give one session folder",
                    format!("{}/SESSION", shown.trim_end_matches('/')),
                )
            } else {
                ("name one as", format!("{shown}#SESSION"))
            };
            Err(format!(
                "{shown} holds {} sessions: {how} {pattern} ({}{more})",
                many.len(),
                ids.join(", ")
            ))
        }
    }
}

/// `FILE#SESSION`: one session of a file or folder that holds several (a PML event file,
/// an MLflow store), by its id or the one id it begins.
fn one_session(path: &Path, id: &str, shown: &str) -> Result<Side, String> {
    let store = load(path);
    let found: Vec<SessionId> = store
        .sessions()
        .filter(|(_, s)| &*s.id == id)
        .map(|(sid, _)| sid)
        .collect();
    let found = if found.is_empty() {
        store
            .sessions()
            .filter(|(_, s)| s.id.starts_with(id))
            .map(|(sid, _)| sid)
            .collect()
    } else {
        found
    };
    match found.as_slice() {
        [sid] => Ok(Side {
            sid: *sid,
            store,
            call: None,
        }),
        [] => Err(format!("{shown}: no session {}", sanitize::label(id))),
        many => Err(format!(
            "{shown}: {} sessions begin {}; give more of the id",
            many.len(),
            sanitize::label(id)
        )),
    }
}

fn load(path: &Path) -> Store {
    crate::ingest::load(
        &[path.to_path_buf()],
        Options::default(),
        crate::model::time::now_ns(),
    )
}

/// The call `name` names: its exact key, else the one key that `name` is a dotted prefix of
/// (`0003` for `0003.planner`), else the longest key that is a dotted prefix of `name` (a
/// call's file: `0003.planner.result.json`).
fn find_call(store: &Store, name: &str) -> Option<(SessionId, SpanId)> {
    let mut exact = None;
    let mut extends = Vec::new();
    let mut file_of: Option<(usize, (SessionId, SpanId))> = None;
    for (sid, session) in store.sessions() {
        for id in session.spans_in_order() {
            let key = session.key(id);
            if key == name {
                exact = Some((sid, id));
            } else if key.strip_prefix(name).is_some_and(|r| r.starts_with('.')) {
                extends.push((sid, id));
            } else if name.strip_prefix(key).is_some_and(|r| r.starts_with('.'))
                && file_of.is_none_or(|(len, _)| key.len() > len)
            {
                file_of = Some((key.len(), (sid, id)));
            }
        }
    }
    exact
        .or(match extends.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
        .or(file_of.map(|(_, found)| found))
}
