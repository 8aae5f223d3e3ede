//! `r` and `R`: asking for a re-render of the selected POML call, and showing each report
//! in the diff view (the recorded prompt against the new one, or the renderer's error with
//! its line and column). The rendering itself happens off this thread (`render::worker`).

use super::diff_view::DiffView;
use super::{App, OverlayKind};
use crate::compare::{Comparison, diff::CallDiff, doc::DiffDoc};
use crate::detail::Tone;
use crate::model::Payload;
use crate::render::worker::Report;
use crate::render::{SourceKind, TraceCall, Verdict};

/// The re-render the view is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderSession {
    pub call: TraceCall,
    pub live: bool,
    /// A report has been shown (so a closed view means "stop").
    pub shown: bool,
}

impl App {
    /// `r` (`live` false) or `R` on the selected call.
    pub(super) fn rerender(&mut self, live: bool) {
        let Some((sid, id)) = self.selected_span() else {
            self.notify("Select a POML call to re-render it (r, R).");
            return;
        };
        let call = match self
            .store
            .session(sid)
            .and_then(|s| s.get(id))
            .map(|s| &s.payload)
        {
            Some(Payload::Poml(call)) => TraceCall::new(&call.dir, &call.prefix),
            _ => {
                self.notify("Only POML calls can be re-rendered.");
                return;
            }
        };
        if self.render.as_ref().is_some_and(|r| r.live) {
            self.effects.push(super::Effect::StopRender);
        }
        self.render = Some(RenderSession {
            call: call.clone(),
            live,
            shown: false,
        });
        self.effects.push(super::Effect::Render { call, live });
        self.notify(if live {
            "Rendering with the live prompt file; each save renders again…"
        } else {
            "Opening a scratch copy of the context; it renders when the editor exits…"
        });
    }

    /// A report from the renderer: shown in the diff view, unless that view was given up.
    pub fn rendered(&mut self, report: Report) {
        let Some(session) = self.render.as_mut() else {
            return;
        };
        if report.job.as_ref().is_some_and(|j| j.call != session.call) {
            return;
        }
        session.shown = true;
        let (comparison, doc) = report_doc(&report);
        let scroll = match (&self.overlay, &self.diff) {
            (Some(o), Some(_)) if o.kind == OverlayKind::Diff => o.scroll,
            _ => 0,
        };
        self.diff = Some(DiffView::with_doc(comparison, doc));
        if self.overlay.is_none_or(|o| o.kind != OverlayKind::Diff) {
            self.open_overlay(OverlayKind::Diff);
        } else if let Some(o) = self.overlay.as_mut() {
            o.scroll = scroll;
        }
        self.notice = Some(format!(
            "Render {} took {} ms: {}",
            report.count,
            report.took.as_millis(),
            report.outcome.verdict.as_str()
        ));
    }

    /// A shown render whose view is closed is over: stop watching its prompt file.
    pub(super) fn end_render_if_closed(&mut self) {
        let open = self.overlay.is_some_and(|o| o.kind == OverlayKind::Diff);
        if let Some(session) = &self.render
            && session.shown
            && !open
        {
            if session.live {
                self.effects.push(super::Effect::StopRender);
            }
            self.render = None;
        }
    }
}

/// The view of one report: what was rendered and where paths resolved, the verdict, then
/// the diff (or the error, located).
fn report_doc(report: &Report) -> (Comparison, DiffDoc) {
    let mut head = crate::detail::Doc::default();
    if let Some(job) = &report.job {
        let source = match &job.source {
            SourceKind::Recorded => "the recorded source".to_string(),
            s => s
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        };
        head.line(&[
            ("Re-rendered ", Tone::Heading),
            (&job.call.label(), Tone::Plain),
        ]);
        head.line(&[("from ", Tone::Dim), (&source, Tone::Plain)]);
        head.line(&[
            ("paths resolve against ", Tone::Dim),
            (&job.base.dir().display().to_string(), Tone::Plain),
            (&format!(" ({})", job.base.kind.describe()), Tone::Dim),
        ]);
    }
    if let Some(file) = &report.watching {
        head.line(&[
            ("watching ", Tone::Dim),
            (&file.display().to_string(), Tone::Plain),
            (": each save renders again", Tone::Dim),
        ]);
    }
    let verdict = match &report.outcome.verdict {
        Verdict::Unchanged => (
            "unchanged: exactly the messages that were sent".to_string(),
            Tone::Added,
        ),
        Verdict::Changed => (
            "changed: not the messages that were sent".to_string(),
            Tone::Warn,
        ),
        Verdict::NoRecord(why) => (format!("not compared: {why}"), Tone::Warn),
        Verdict::Failed(f) => {
            let text = match (f, &report.job) {
                (crate::render::Failure::Renderer(l), Some(job)) => {
                    let file = job
                        .source
                        .path()
                        .map_or_else(|| job.call.path(".poml"), |p| p.to_path_buf());
                    match l.at {
                        Some((line, column)) => {
                            format!("error at {}:{line}:{column}: {}", file.display(), l.message)
                        }
                        None => format!("error: {}", l.message),
                    }
                }
                _ => format!("error: {}", f.describe()),
            };
            (text, Tone::Error)
        }
    };
    head.line(&[(&verdict.0, verdict.1)]);
    let comparison = report
        .outcome
        .comparison
        .clone()
        .unwrap_or_else(|| Comparison {
            old_label: "recorded".into(),
            new_label: "re-rendered".into(),
            diff: CallDiff::default(),
        });
    let mut doc = DiffDoc {
        doc: head,
        hunks: Vec::new(),
    };
    if report.outcome.comparison.is_some() {
        doc.doc.blank();
        let body = crate::compare::doc::render(&comparison);
        let offset = doc.doc.lines.len();
        doc.hunks = body.hunks.iter().map(|h| h + offset).collect();
        doc.doc.lines.extend(body.doc.lines);
    }
    (comparison, doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::located::Located;
    use crate::render::outcome::judge;
    use crate::render::{Failure, Job};
    use std::time::Duration;

    /// A traced call of our own making: what the view shows needs no renderer.
    fn call(dir: &std::path::Path) -> TraceCall {
        std::fs::write(dir.join("0001.x.poml"), "<poml><p>Hi {{ name }}</p></poml>").expect("poml");
        std::fs::write(dir.join("0001.x.context.json"), r#"{"name": "Ana"}"#).expect("ctx");
        std::fs::write(
            dir.join("0001.x.result.json"),
            r#"{"messages":[{"speaker":"human","content":"Hi Ana"}]}"#,
        )
        .expect("result");
        TraceCall::find(&dir.join("0001.x")).expect("call")
    }

    fn report(job: &Job, rendered: Result<serde_json::Value, Failure>, live: bool) -> Report {
        Report {
            job: Some(Box::new(job.clone())),
            outcome: judge(job, rendered),
            watching: live.then(|| job.call.path(".poml")),
            took: Duration::from_millis(5),
            count: 1,
        }
    }

    fn shown(app: &App) -> String {
        app.diff
            .as_ref()
            .map(|d| d.doc.doc.plain_lines().join("\n"))
            .unwrap_or_default()
    }

    #[test]
    fn a_report_opens_the_diff_view_and_closing_it_stops_watching() {
        let dir = tempfile::tempdir().expect("tempdir");
        let call = call(dir.path());
        let job = Job::for_call(&call, SourceKind::Recorded).expect("job");
        let mut app = App::new(
            vec![dir.path().to_path_buf()],
            crate::model::time::Zone::Utc,
        );
        app.render = Some(RenderSession {
            call: call.clone(),
            live: true,
            shown: false,
        });
        let changed = serde_json::json!({"messages":[{"speaker":"human","content":"Hi Bruno"}]});
        app.rendered(report(&job, Ok(changed), true));
        assert!(app.overlay.is_some_and(|o| o.kind == OverlayKind::Diff));
        let text = shown(&app);
        assert!(
            text.contains("changed: not the messages that were sent"),
            "{text}"
        );
        assert!(
            text.contains("Hi Ana") && text.contains("Hi Bruno"),
            "{text}"
        );
        assert!(text.contains("watching "), "{text}");
        assert_eq!(app.diff.as_ref().map(DiffView::hunk_count), Some(1));

        // The renderer's error, escapes and all, is shown located and made safe.
        let failure = Failure::Renderer(Located {
            message: "ReadError: bad \x1b[31mred\x1b[0m".into(),
            at: Some((3, 7)),
        });
        app.rendered(report(&job, Err(failure), true));
        let text = shown(&app);
        assert!(text.contains("0001.x.poml:3:7: ReadError: bad"), "{text}");
        assert!(!text.contains('\x1b'), "{text:?}");

        assert!(app.take_effects().is_empty(), "still open: still watching");
        app.overlay = None;
        assert_eq!(app.take_effects(), vec![crate::app::Effect::StopRender]);
        assert!(app.render.is_none());
        // A late report for a view given up is dropped.
        app.rendered(report(&job, Ok(serde_json::json!({"messages": []})), true));
        assert!(app.overlay.is_none());
    }
}
