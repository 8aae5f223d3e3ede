//! What the app asks of the world outside its state: copy text to the clipboard, open a file
//! in an editor. `App` queues effects; the run loop carries them out (it owns the terminal)
//! and reports back with a notice.

use super::{App, Focus, OverlayKind};
use crate::model::{Payload, SessionId, SpanId, Store};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Put `text` on the clipboard; `what` says what it is, for the notice.
    Copy { text: String, what: String },
    /// Open `path` in the editor; with `copy` (why), a private copy of it: a file inside a
    /// watched trace, which tracetui must not let anyone change by accident.
    Edit {
        path: PathBuf,
        copy: Option<&'static str>,
    },
    /// Re-render a POML call: with `live`, its live prompt file, again on each save; else
    /// the recorded source with its context edited first (a scratch copy in the editor).
    Render {
        call: crate::render::TraceCall,
        live: bool,
    },
    /// No more renders on save: the view they were for is closed.
    StopRender,
}

impl App {
    /// Effects queued since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        self.end_render_if_closed();
        std::mem::take(&mut self.effects)
    }

    /// `y`: copy what the focused pane (or the open overlay) shows.
    pub(super) fn copy(&mut self) {
        match self.copy_text() {
            Some((text, what)) if !text.is_empty() => {
                self.effects.push(Effect::Copy { text, what })
            }
            _ => self.notify("Nothing to copy here."),
        }
    }

    /// The text `y` copies, and what to call it: the diff in the diff view, the patterns or
    /// problems in theirs; in the prompt pane the whole tab; in the timeline its rows; in the
    /// tree the selected call's path (as `tracetui diff` takes it).
    pub fn copy_text(&self) -> Option<(String, String)> {
        if let Some(overlay) = self.overlay {
            return match overlay.kind {
                OverlayKind::Diff => self
                    .diff
                    .as_ref()
                    .map(|d| (d.doc.doc.plain_lines().join("\n"), "the diff".to_string())),
                OverlayKind::Patterns => self
                    .patterns()
                    .map(|p| (p.doc.plain_lines().join("\n"), "the patterns".to_string())),
                OverlayKind::Problems => Some((
                    self.problems()
                        .iter()
                        .map(|p| p.problem.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    "the problems".to_string(),
                )),
                OverlayKind::Help => None,
            };
        }
        match self.focus {
            Focus::Prompt => {
                let tab = self.prompt.current()?;
                Some((
                    self.prompt.document_text(),
                    format!("the {} tab", tab.title()),
                ))
            }
            Focus::Timeline => {
                let sid = self.selected_session()?;
                let session = self.store.session(sid)?;
                let origin = session.start_ns().unwrap_or(0);
                let lines: Vec<String> = self
                    .timeline_rows()
                    .iter()
                    .filter_map(|r| r.node.span())
                    .filter_map(|(_, id)| {
                        let span = session.get(id)?;
                        let offset = span.start_ns().map_or_else(
                            || "-".into(),
                            |s| format!("+{}", crate::model::time::format_duration(s - origin)),
                        );
                        let took = span
                            .duration_ns()
                            .map_or_else(|| "-".into(), crate::model::time::format_duration);
                        Some(format!(
                            "{}\t{offset}\t{took}\t{}",
                            crate::untrusted::sanitize::label(session.key(id)),
                            span.status.as_str()
                        ))
                    })
                    .collect();
                Some((lines.join("\n"), "the timeline".to_string()))
            }
            Focus::Tree => {
                let node = self.selected()?;
                match node.span() {
                    Some((sid, id)) => Some((
                        crate::compare::path_label(&self.store, sid, id),
                        "the call's path".to_string(),
                    )),
                    None => {
                        let session = self.store.session(node.session()?)?;
                        Some((
                            session.path.display().to_string(),
                            "the session's path".to_string(),
                        ))
                    }
                }
            }
        }
    }

    /// `e`: open the selected call's source.
    pub(super) fn edit(&mut self) {
        let Some((sid, id)) = self.selected_span() else {
            self.notify("Select a POML call to open its source (e).");
            return;
        };
        match edit_target(&self.store, sid, id, &self.paths) {
            Ok(effect) => self.effects.push(effect),
            Err(why) => self.notify(&why),
        }
    }
}

/// What `e` opens for a call: the file its `.source.poml` link points at, else the
/// `SOURCE_PATH` its `.env` names (both the person's own prompt file), else the `.poml` the
/// trace keeps. A file inside any of the watched `roots` (the trace's own: a `.source.poml`
/// copied as a plain file, a link to the call's `.poml`, a `SOURCE_PATH` into the trace) is
/// opened as a private copy: tracetui writes nothing into what it watches.
pub fn edit_target(
    store: &Store,
    sid: SessionId,
    id: SpanId,
    roots: &[PathBuf],
) -> Result<Effect, String> {
    let span = store
        .session(sid)
        .and_then(|s| s.get(id))
        .ok_or("That call is gone.")?;
    let Payload::Poml(call) = &span.payload else {
        return Err("Only POML calls have a source to open.".into());
    };
    let linked = call
        .file(".source.poml")
        .and_then(|f| std::fs::canonicalize(call.path_of(f)).ok())
        .filter(|p| p.is_file());
    let named = call
        .source_path
        .as_deref()
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_file())
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p));
    if let Some(path) = linked.or(named) {
        let copy = crate::untrusted::private_files::inside(&path, roots)
            .map(|_| "the source is a file of the watched trace");
        return Ok(Effect::Edit { path, copy });
    }
    let Some(copy) = call.file(".poml") else {
        return Err("This call has no source and no .poml copy to open.".into());
    };
    Ok(Effect::Edit {
        path: call.path_of(copy),
        copy: Some("the call's source link is gone"),
    })
}
