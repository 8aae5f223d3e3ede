//! The diff view's state: which two calls it compares, the comparison as a document wrapped
//! to the popup's width, and stepping between changes (`n`/`N`, `]`/`[`). Marking calls and
//! choosing what to compare live here too.

use super::wrap::{Wrapped, wrap};
use super::{Action, App, Node, OverlayKind};
use crate::compare::{self, Comparison, doc::DiffDoc};
use crate::detail::doc::{Chunk, Line};
use crate::formats::bytes::Pread;
use crate::model::{SessionId, SpanId};

#[derive(Debug)]
pub struct DiffView {
    pub comparison: Comparison,
    pub doc: DiffDoc,
    wrapped: Option<(usize, Wrapped)>,
    /// Rows that fit in the popup, as last laid out.
    pub page: usize,
    /// The change last jumped to (0-based), for "change 2/7".
    pub current: Option<usize>,
}

impl DiffView {
    pub fn new(comparison: Comparison) -> Self {
        let doc = compare::doc::render(&comparison);
        Self {
            comparison,
            doc,
            wrapped: None,
            page: 1,
            current: None,
        }
    }

    /// A view of a document made elsewhere (a re-render's report around its diff).
    pub fn with_doc(comparison: Comparison, doc: DiffDoc) -> Self {
        Self {
            comparison,
            doc,
            wrapped: None,
            page: 1,
            current: None,
        }
    }

    /// Wrap the document for `width` columns (again only when the width changed).
    pub fn prepare(&mut self, width: usize, page: usize) {
        self.page = page.max(1);
        if self.wrapped.as_ref().is_none_or(|(w, _)| *w != width) {
            self.wrapped = Some((width, wrap_with_gutter(&self.doc.doc.lines, width)));
        }
    }

    pub fn rows(&self) -> &[Line] {
        self.wrapped.as_ref().map_or(&[], |(_, w)| &w.rows)
    }

    /// The first row of each change.
    fn hunk_rows(&self) -> Vec<usize> {
        let Some((_, wrapped)) = &self.wrapped else {
            return self.doc.hunks.clone();
        };
        self.doc
            .hunks
            .iter()
            .filter_map(|&line| wrapped.starts.get(line).copied())
            .collect()
    }

    pub fn hunk_count(&self) -> usize {
        self.doc.hunks.len()
    }

    pub fn max_scroll(&self) -> usize {
        self.rows().len().saturating_sub(self.page)
    }

    /// The scroll that shows the next (or previous) change after `scroll`, wrapping around.
    /// Changes near the end share the last scroll position, so the one last jumped to
    /// breaks the tie.
    pub fn jump(&mut self, scroll: usize, forward: bool) -> Option<usize> {
        let max = self.max_scroll();
        // A change shown one row below the top reads better than one on the top border.
        let tops: Vec<usize> = self
            .hunk_rows()
            .iter()
            .map(|&r| r.saturating_sub(1).min(max))
            .collect();
        let n = tops.len();
        if n == 0 {
            return None;
        }
        let scroll = scroll.min(max);
        let next = match self.current.filter(|&i| i < n && tops[i] == scroll) {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None if forward => tops.iter().position(|&t| t > scroll).unwrap_or(0),
            None => tops.iter().rposition(|&t| t < scroll).unwrap_or(n - 1),
        };
        self.current = Some(next);
        Some(tops[next])
    }
}

/// Wrap diff lines so a long line continues beside the line-number gutter, not under it.
fn wrap_with_gutter(lines: &[Line], width: usize) -> Wrapped {
    let mut out = Wrapped::default();
    for line in lines {
        out.starts.push(out.rows.len());
        let gutter = line
            .chunks
            .first()
            .filter(|c| line.chunks.len() > 1 && c.text.ends_with('│'));
        let Some(gutter) =
            gutter.filter(|g| unicode_width::UnicodeWidthStr::width(g.text.as_str()) + 8 < width)
        else {
            out.rows
                .extend(wrap(std::slice::from_ref(line), width).rows);
            continue;
        };
        let gutter_w = unicode_width::UnicodeWidthStr::width(gutter.text.as_str());
        let rest = Line {
            chunks: line.chunks[1..].to_vec(),
        };
        let continued = Chunk {
            // Past the sign column, so a continued line lines up with its text.
            text: format!("{}┆ ", " ".repeat(gutter_w.saturating_sub(1))),
            tone: gutter.tone,
        };
        for (i, row) in wrap(&[rest], width - gutter_w - 1)
            .rows
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 {
                gutter.clone()
            } else {
                continued.clone()
            };
            let mut chunks = vec![lead];
            chunks.extend(row.chunks);
            out.rows.push(Line { chunks });
        }
    }
    out
}

impl App {
    /// `m`: mark the selected call, or unmark it.
    pub(super) fn toggle_mark(&mut self) {
        let (mark, diff) = (self.key_for(Action::Mark), self.key_for(Action::Diff));
        let Some((sid, id)) = self.selected_span() else {
            self.notify(&format!(
                "Select a call to mark it ({mark}), then another to compare with ({diff})."
            ));
            return;
        };
        if self.mark == Some((sid, id)) {
            self.mark = None;
            self.notify("Unmarked.");
        } else {
            self.mark = Some((sid, id));
            let key = self.span_key(sid, id);
            self.notify(&format!(
                "Marked {key}: select another call and press {diff} to compare."
            ));
        }
    }

    /// `d`: compare the marked call with the selected one.
    pub(super) fn diff_marked(&mut self) {
        let (mark_key, diff) = (self.key_for(Action::Mark), self.key_for(Action::Diff));
        let Some(mark) = self.mark else {
            self.notify(&format!(
                "Nothing marked: mark a call with {mark_key}, select another, then press {diff}."
            ));
            return;
        };
        if self
            .store
            .session(mark.0)
            .and_then(|s| s.get(mark.1))
            .is_none()
        {
            self.mark = None;
            self.notify(&format!(
                "The marked call is gone: mark another with {mark_key}."
            ));
            return;
        }
        let Some(selected) = self.selected_span() else {
            self.notify("Select a call to compare the marked one with.");
            return;
        };
        if selected == mark {
            self.notify(&format!(
                "This is the marked call: select another one and press {diff}."
            ));
            return;
        }
        self.open_diff(mark, selected);
    }

    /// `D`: compare the selected call with the same call in the previous run.
    pub(super) fn diff_previous(&mut self) {
        let Some((sid, id)) = self.selected_span() else {
            self.notify("Select a call to compare it with its previous run.");
            return;
        };
        match compare::pair::previous_run(&self.store, sid, id) {
            Some(previous) => self.open_diff(previous, (sid, id)),
            None => {
                let name = self
                    .store
                    .session(sid)
                    .and_then(|s| s.get(id))
                    .map(|s| self.store.name(s.name).to_string())
                    .unwrap_or_default();
                self.notify(&if name.is_empty() {
                    "This call has no name to find in an earlier run.".to_string()
                } else {
                    format!("No earlier session has a call named {name}.")
                });
            }
        }
    }

    fn open_diff(&mut self, old: (SessionId, SpanId), new: (SessionId, SpanId)) {
        let comparison = compare::spans(&self.store, old, new, compare::diff::CONTEXT, &mut Pread);
        self.diff = Some(DiffView::new(comparison));
        self.open_overlay(OverlayKind::Diff);
    }

    pub(super) fn span_key(&self, sid: SessionId, id: SpanId) -> String {
        self.store
            .session(sid)
            .filter(|s| s.get(id).is_some())
            .map_or_else(String::new, |s| s.key(id).to_string())
    }

    /// Whether a tree row is the marked call.
    pub fn is_marked(&self, node: Node) -> bool {
        matches!(node, Node::Span(s, id) if self.mark == Some((s, id)))
    }
}
