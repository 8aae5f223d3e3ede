//! Carrying out the app's effects on the real terminal: the clipboard through OSC 52, and
//! the editor, for which the UI steps aside (input paused, raw mode, mouse capture and the
//! alternate screen left) and comes back redrawn when the editor exits.

use crate::app::Effect;
use crate::render::worker::Request;
use crate::terminal::input_gate::InputGate;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// What carries out effects for the run loop; returns a notice for the status bar.
pub trait Host<B: Backend> {
    fn perform(&mut self, terminal: &mut Terminal<B>, effect: Effect) -> Option<String>;
}

/// For loops without a terminal of their own (tests): effects are refused, politely.
pub struct NoHost;

impl<B: Backend> Host<B> for NoHost {
    fn perform(&mut self, _: &mut Terminal<B>, effect: Effect) -> Option<String> {
        Some(match effect {
            Effect::Copy { .. } => "No terminal to copy through.".into(),
            Effect::Edit { .. } => "No terminal to run an editor in.".into(),
            Effect::Render { .. } => "No renderer in this loop.".into(),
            Effect::StopRender => return None,
        })
    }
}

/// The real terminal on stdout.
pub struct TerminalHost {
    pub gate: Arc<InputGate>,
    pub copies: PrivateCopies,
    /// Renders off this thread; its reports come back on the run loop's channel.
    pub renderer: crate::render::worker::Worker,
    /// The scratch context `r` last edited, and for which call: `r` again on that call
    /// goes on from the edits instead of starting over from the recorded context.
    pub edited_context: Option<(crate::render::TraceCall, PathBuf)>,
}

impl<B: Backend> Host<B> for TerminalHost {
    fn perform(&mut self, terminal: &mut Terminal<B>, effect: Effect) -> Option<String> {
        Some(match effect {
            Effect::Copy { text, what } => copy(&text, &what),
            Effect::Edit { path, copy } => {
                let target = if copy.is_some() {
                    match self.copies.make(&path) {
                        Ok(p) => p,
                        Err(e) => return Some(format!("Could not copy the source: {e}")),
                    }
                } else {
                    path
                };
                let outcome = self.edit(&target);
                // Everything on screen is stale: draw it all again.
                let _ = terminal.clear();
                match (outcome, copy) {
                    (Ok(()), None) => format!("Edited {}", target.display()),
                    (Ok(()), Some(why)) => format!(
                        "Opened a private copy ({}): {why}, and the trace is left as it was",
                        target.display()
                    ),
                    (Err(e), _) => e,
                }
            }
            Effect::Render { call, live: true } => {
                self.renderer.send(Request::Watch(call));
                return None;
            }
            Effect::Render { call, live: false } => {
                let notice = self.edit_context(terminal, call);
                let _ = terminal.clear();
                return notice;
            }
            Effect::StopRender => {
                self.renderer.send(Request::Stop);
                return None;
            }
        })
    }
}

/// Private copies handed to the editor, each in a fresh folder of its own under the
/// temporary directory; removed when tracetui exits (the host is dropped).
#[derive(Debug, Default)]
pub struct PrivateCopies {
    folders: Vec<PathBuf>,
}

impl PrivateCopies {
    pub fn make(&mut self, source: &Path) -> std::io::Result<PathBuf> {
        let bytes =
            crate::untrusted::fsread::read_prefix(source, crate::formats::poml::call::PARSE_LIMIT)?;
        self.make_from(source, &bytes.bytes)
    }

    /// A private copy named like `source`, holding `bytes`.
    pub fn make_from(&mut self, source: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let path = private_copy(source, bytes)?;
        if let Some(folder) = path.parent() {
            self.folders.push(folder.to_path_buf());
        }
        Ok(path)
    }
}

impl Drop for PrivateCopies {
    fn drop(&mut self) {
        for folder in &self.folders {
            crate::untrusted::private_files::remove_dir(folder);
        }
    }
}

impl TerminalHost {
    /// `r`: the call's context in a private scratch copy, edited, then rendered (the
    /// worker reports back); `None` when all went to plan.
    fn edit_context<B: Backend>(
        &mut self,
        _terminal: &mut Terminal<B>,
        call: crate::render::TraceCall,
    ) -> Option<String> {
        let mut job = match crate::render::Job::for_call(&call, crate::render::SourceKind::Recorded)
        {
            Ok(job) => job,
            Err(e) => return Some(format!("Cannot re-render: {e}")),
        };
        let path = match &self.edited_context {
            Some((c, path)) if *c == call && path.is_file() => path.clone(),
            _ => {
                let context = job.context.clone().unwrap_or_else(|| b"{}".to_vec());
                match self.copies.make_from(&call.path(".context.json"), &context) {
                    Ok(p) => p,
                    Err(e) => {
                        return Some(format!("Could not make a scratch copy of the context: {e}"));
                    }
                }
            }
        };
        self.edited_context = Some((call.clone(), path.clone()));
        if let Err(e) = self.edit(&path) {
            return Some(e);
        }
        let edited = match crate::untrusted::fsread::read_prefix(
            &path,
            crate::formats::poml::call::PARSE_LIMIT,
        ) {
            Ok(p) => p.bytes,
            Err(e) => return Some(format!("Could not read the edited context back: {e}")),
        };
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&edited) {
            return Some(format!(
                "The edited context is not JSON ({e}); nothing rendered"
            ));
        }
        job.context = Some(edited);
        self.renderer.send(Request::Render(Box::new(job)));
        Some("Rendering with the edited context…".into())
    }

    fn edit(&self, path: &Path) -> Result<(), String> {
        let editor = editor();
        self.gate.pause();
        // Through the shell, as git does: `$EDITOR` may carry arguments (`code -w`). `exec`,
        // so the process we wait for is the editor itself: a terminating signal is passed on
        // to it (`terminal::close`) and must not end only a shell waiting for it; through
        // `env`, so an `$EDITOR` that starts with assignments (`TERM=xterm vi`) still runs.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("exec env {editor} \"$@\""))
            .arg("tracetui-editor")
            .arg(path);
        let (status, resumed) = crate::terminal::screen::lend(&mut command);
        self.gate.resume();
        resumed.map_err(|e| format!("Could not take the terminal back: {e}"))?;
        match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!("The editor ({editor}) exited with {s}")),
            Err(e) => Err(format!("Could not run the editor ({editor}): {e}")),
        }
    }
}

/// `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".into())
}

fn copy(text: &str, what: &str) -> String {
    let (sequence, cut) = crate::terminal::clipboard::osc52(text);
    let mut out = std::io::stdout();
    match out
        .write_all(sequence.as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) if cut => format!(
            "Copied the first {} of {what} (OSC 52)",
            crate::untrusted::fsread::human_size(crate::terminal::clipboard::MAX_BYTES as u64)
        ),
        Ok(()) => format!(
            "Copied {what}: {} characters (OSC 52)",
            text.chars().count()
        ),
        Err(e) => format!("Could not copy: {e}"),
    }
}

/// A copy of `source` in a fresh private folder under the temporary directory.
fn private_copy(source: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use crate::untrusted::private_files;
    let name = source
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name"))?;
    private_files::write_new(&private_files::new_dir("edit")?, name, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_copies_are_private_and_go_away_on_exit() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("0001.plan.poml");
        std::fs::write(&source, "<poml/>").expect("write");
        let mut copies = PrivateCopies::default();
        let a = copies.make(&source).expect("copy");
        let b = copies.make(&source).expect("a second copy");
        assert_ne!(a, b, "each in a folder of its own");
        assert!(!a.starts_with(dir.path()), "never beside the trace");
        assert_eq!(std::fs::read(&a).expect("read"), b"<poml/>");
        let mode = std::fs::metadata(&a).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "private: {mode:o}");
        drop(copies);
        assert!(!a.exists() && !b.exists());
        assert!(a.parent().is_some_and(|p| !p.exists()));
        assert!(source.exists(), "the trace's file is untouched");
    }
}
