//! The prompt pane's view state: the tab, where each subject was scrolled to, and the
//! rendered and wrapped document for what is shown now.

use super::wrap::{Wrapped, wrap};
use crate::detail::{self, Rendered, Subject, Tab};
use crate::model::Store;
use crate::model::time::Zone;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct PromptView {
    /// The chosen tab's position (0-based); each selection offers its own tabs.
    pub tab: usize,
    scroll: HashMap<(Subject, Tab), usize>,
    shown: Option<Shown>,
    /// Counts the documents (and widths) shown, so a search knows when to look again.
    serial: u64,
    /// The filter's words in what is shown.
    pub search: super::search::Search,
}

/// What is on screen, and the key it was built for.
#[derive(Debug)]
struct Shown {
    key: (Subject, Tab, u64),
    width: usize,
    rendered: Rendered,
    wrapped: Wrapped,
}

impl PromptView {
    /// Build (or reuse) the document for `subject` at `width`; `version` changes whenever
    /// what the subject shows may have changed.
    pub fn prepare(
        &mut self,
        store: &Store,
        subject: Option<Subject>,
        version: u64,
        width: usize,
        zone: Zone,
    ) {
        let Some(subject) = subject else {
            self.shown = None;
            return;
        };
        let tabs = detail::tabs_for(store, subject);
        let tab = tabs[self.tab.min(tabs.len() - 1)];
        let key = (subject, tab, version);
        match &mut self.shown {
            Some(shown) if shown.key == key && shown.width == width => {}
            Some(shown) if shown.key == key => {
                shown.wrapped = wrap(&shown.rendered.doc.lines, width);
                shown.width = width;
                self.serial += 1;
            }
            _ => {
                self.serial += 1;
                let rendered = detail::render(store, subject, tab, zone);
                let wrapped = wrap(&rendered.doc.lines, width);
                self.shown = Some(Shown {
                    key,
                    width,
                    rendered,
                    wrapped,
                });
            }
        }
    }

    /// Find `words` in what is shown (again only when the words or the document changed);
    /// a pending jump then goes to the first match.
    pub fn find(&mut self, words: &[String], height: usize) {
        let rows = self.shown.as_ref().map_or(&[][..], |s| &s.wrapped.rows[..]);
        let width = self.shown.as_ref().map_or(0, |s| s.width);
        self.search.find(words, rows, (self.serial, width));
        if self.search.jump_pending && self.shown.is_some() {
            self.search.jump_pending = false;
            // The first match, wherever `n` had gone (the same filter applied again).
            self.search.current = None;
            if let Some(row) = self.search.step(true) {
                self.show_row(row, height);
            }
        }
    }

    /// `n`/`N` in the pane: the next or previous match, brought into view. False when there
    /// is none.
    pub fn step_match(&mut self, forward: bool, height: usize) -> bool {
        match self.search.step(forward) {
            Some(row) => {
                self.show_row(row, height);
                true
            }
            None => false,
        }
    }

    /// Scroll so `row` shows, a few rows below the top for context.
    fn show_row(&mut self, row: usize, height: usize) {
        let scroll = self.scroll();
        if row < scroll || row >= scroll + height.max(1) {
            self.set_scroll(row.saturating_sub(height / 4), height);
        }
    }

    pub fn rows(&self) -> &[crate::detail::doc::Line] {
        self.shown.as_ref().map_or(&[], |s| &s.wrapped.rows)
    }

    pub fn subject(&self) -> Option<Subject> {
        self.shown.as_ref().map(|s| s.key.0)
    }

    /// The tab on screen.
    pub fn current(&self) -> Option<Tab> {
        self.shown.as_ref().map(|s| s.key.1)
    }

    pub fn scroll(&self) -> usize {
        self.shown
            .as_ref()
            .and_then(|s| self.scroll.get(&(s.key.0, s.key.1)).copied())
            .unwrap_or(0)
    }

    pub fn set_scroll(&mut self, value: usize, height: usize) {
        let Some(key) = self.shown.as_ref().map(|s| (s.key.0, s.key.1)) else {
            return;
        };
        let max = self.rows().len().saturating_sub(height.max(1));
        self.scroll.insert(key, value.min(max));
    }

    pub fn scroll_by(&mut self, delta: isize, height: usize) {
        let value = (self.scroll() as isize + delta).max(0) as usize;
        self.set_scroll(value, height);
    }

    /// Scroll so the n-th anchor (a message, a file) is at the top.
    pub fn scroll_to_anchor(&mut self, n: usize, height: usize) {
        let Some(shown) = &self.shown else {
            return;
        };
        if let Some(row) = shown
            .rendered
            .anchors
            .get(n)
            .and_then(|&line| shown.wrapped.starts.get(line))
        {
            self.set_scroll(*row, height);
        }
    }

    /// Keep the scroll valid after the content or the height changed.
    pub fn clamp(&mut self, height: usize) {
        let value = self.scroll();
        self.set_scroll(value, height);
    }

    /// The current tab's whole document as plain text, unwrapped (what `y` copies).
    pub fn document_text(&self) -> String {
        self.shown
            .as_ref()
            .map(|s| s.rendered.doc.copy_text())
            .unwrap_or_default()
    }

    /// The plain text of everything shown, as wrapped (for tests).
    pub fn text(&self) -> String {
        self.rows()
            .iter()
            .map(|l| l.plain_text())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
