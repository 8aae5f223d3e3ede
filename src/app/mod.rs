//! App state: the store, each pane's view state, focus, and the one `update` that applies an
//! action. Nothing here draws; `crate::ui` reads this state and draws it.

pub mod action;
pub mod diff_view;
pub mod effect;
pub mod event;
pub mod filtering;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod line_input;
pub mod node;
pub mod overlay;
pub mod prompt;
pub mod remote;
pub mod render_view;
pub mod search;
pub mod timeline;
pub mod timeline_rows;
pub mod tree;
pub mod update;
pub mod wrap;

pub use action::Action;
pub use effect::Effect;
pub use layout::Panes;
pub use node::Node;
pub use overlay::{Overlay, OverlayKind};

use crate::app::event::WatchStatus;
use crate::detail::Subject;
use crate::model::time::{Nanos, Zone};
use crate::model::{SessionId, SpanId, Store, Update};
use prompt::PromptView;
use ratatui::layout::Rect;
use std::collections::HashMap;
use std::path::PathBuf;
use timeline::TimelineView;
use tree::{Row, TreeView};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Focus {
    Tree,
    Timeline,
    Prompt,
}

impl Focus {
    pub const ORDER: [Focus; 3] = [Focus::Tree, Focus::Prompt, Focus::Timeline];
}

#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub tree: TreeView,
    pub timelines: HashMap<SessionId, TimelineView>,
    pub prompt: PromptView,
    pub focus: Focus,
    /// The overlay drawn over the panes, if one is open.
    pub overlay: Option<Overlay>,
    pub zone: Zone,
    pub paths: Vec<PathBuf>,
    /// Where the panes were last laid out.
    pub panes: Panes,
    /// The clock in-flight spans are drawn against; passed in so tests are deterministic.
    pub now_ns: Nanos,
    pub should_quit: bool,
    /// The store changed since the last `prepare`.
    pending_changes: bool,
    /// Follow mode: the selection jumps to the newest call as it arrives.
    pub follow: bool,
    /// What the watcher last reported; `None` when nothing is watched (tests, dump).
    pub watch: Option<WatchStatus>,
    /// When the model last changed (the clock passed to `ingest`).
    pub last_change_ns: Option<Nanos>,
    /// How far the first load has got, while it is loading.
    pub loading: Option<crate::ingest::LoadProgress>,
    /// The OTLP receiver, when listening.
    pub receiver: Option<crate::receiver::ReceiverStatus>,
    /// Tracking servers being polled, and where to say which session was opened.
    pub remote: remote::Remote,
    /// The filter prompt, while it is being edited.
    pub input: Option<line_input::LineInput>,
    /// The filter as you type: when the text last changed, and the filter to go back to
    /// on Esc (the one applied when the prompt opened).
    pub typing: Option<filtering::Typing>,
    /// How long typing must pause before the filter is applied as typed.
    pub filter_debounce: std::time::Duration,
    /// The active filter (its matches live in the tree view).
    pub filter: Option<crate::analysis::Filter>,
    /// Why the last filter did not parse.
    pub filter_error: Option<String>,
    /// The patterns document and the (store, filter) state it was computed for.
    patterns: Option<((u64, u64), crate::analysis::stats::Patterns)>,
    /// The problems view's rows and the store generation they were listed for.
    problems: Option<(u64, Vec<crate::analysis::problems::Located>)>,
    /// The timeline's rows: other sessions changing leaves them be.
    timeline_rows: timeline_rows::TimelineRows,
    /// The call marked for comparison (`m`).
    pub mark: Option<(SessionId, SpanId)>,
    /// The diff view's comparison, while it is open.
    pub diff: Option<diff_view::DiffView>,
    /// A re-render in progress or on show (`r`, `R`), while its view is wanted.
    pub render: Option<render_view::RenderSession>,
    /// A one-line message in the status bar, until the next key.
    pub notice: Option<String>,
    /// Effects for the run loop to carry out (copy, edit).
    effects: Vec<Effect>,
    /// The keys in use (the table's, with the config file's overrides).
    pub keymap: keymap::Keymap,
}

/// How long after the last change spans missing their parent count as still arriving.
pub const SETTLE_PARENTS_NS: Nanos = 5 * crate::model::time::NS_PER_SEC;

impl App {
    pub fn new(paths: Vec<PathBuf>, zone: Zone) -> Self {
        Self {
            store: Store::new(),
            tree: TreeView::default(),
            timelines: HashMap::new(),
            prompt: PromptView::default(),
            focus: Focus::Tree,
            overlay: None,
            zone,
            paths,
            panes: Panes::default(),
            now_ns: 0,
            should_quit: false,
            pending_changes: false,
            follow: true,
            watch: None,
            last_change_ns: None,
            loading: None,
            receiver: None,
            remote: remote::Remote::default(),
            input: None,
            typing: None,
            filter_debounce: filtering::DEBOUNCE,
            filter: None,
            filter_error: None,
            patterns: None,
            problems: None,
            timeline_rows: Default::default(),
            mark: None,
            diff: None,
            render: None,
            notice: None,
            effects: Vec::new(),
            keymap: keymap::Keymap::default(),
        }
    }

    /// Apply the config file: its key overrides; every mistake in it becomes a problem (so
    /// `!` keeps them all) and the first is said in the status bar (the theme is the run
    /// loop's).
    pub fn configure(&mut self, config: &crate::cli::config::Config) {
        let (keymap, notes) = keymap::Keymap::with_overrides(&config.keys);
        self.keymap = keymap;
        let file = config
            .path
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string());
        let mistakes: Vec<crate::model::Problem> = config
            .warnings
            .iter()
            .map(|w| {
                let what = w.strip_prefix(&format!("{file}: ")).unwrap_or(w);
                crate::model::Problem::new(file.as_str(), what)
            })
            .collect();
        let mut said: Vec<String> = config.warnings.clone();
        said.extend(notes.into_iter().map(|n| format!("config: {n}")));
        let count = mistakes.len();
        if count > 0 {
            self.store.apply_all(vec![Update::Problems {
                session: None,
                origin: "config".into(),
                problems: mistakes,
            }]);
        }
        match (said.as_slice(), count) {
            ([], _) => {}
            ([one], _) => self.notify(one),
            ([first, rest @ ..], 0) => self.notify(&format!("{first} (and {} more)", rest.len())),
            ([first, rest @ ..], _) => self.notify(&format!(
                "{first} (and {} more; {} to list the mistakes)",
                rest.len(),
                self.key_for(Action::Problems)
            )),
        }
    }

    /// How hints and notices name the key of `action`: its first key in the keymap in use.
    pub fn key_for(&self, action: Action) -> String {
        self.keymap
            .first_key(action)
            .unwrap_or_else(|| "(no key)".to_string())
    }

    /// `j/k`: the keys of two actions, as overlay hints name them.
    pub fn keys_for(&self, first: Action, second: Action) -> String {
        format!("{}/{}", self.key_for(first), self.key_for(second))
    }

    /// Whether what is watched changed within the settle time: spans waiting for a parent
    /// are then pending, not yet a problem.
    pub fn data_settling(&self) -> bool {
        (self.watch.is_some() || self.receiver.is_some())
            && self
                .last_change_ns
                .is_some_and(|t| self.now_ns - t < SETTLE_PARENTS_NS)
    }

    /// Say something in the status bar until the next key.
    pub fn notify(&mut self, text: &str) {
        self.notice = Some(text.to_string());
    }

    /// Apply a batch from the ingestor; in follow mode, select the newest call.
    pub fn ingest(&mut self, updates: Vec<Update>) {
        if updates.is_empty() {
            return;
        }
        // What a rescan sends again is not a change: "changed 2m ago" must stay true.
        if !self.store.apply_all(updates) {
            return;
        }
        self.last_change_ns = Some(self.now_ns.max(crate::model::time::now_ns()));
        // The tree, the filter's matches and the follow jump are brought up to date once
        // per frame in `prepare`, not once per batch: a load arrives as many batches.
        self.pending_changes = true;
    }

    /// Bring what depends on the store up to date after `ingest`: the filter's matches, the
    /// tree's rows, and in follow mode the selection. `prepare` does this once per frame.
    pub fn settle(&mut self) {
        if std::mem::take(&mut self.pending_changes) {
            self.refilter();
            self.tree.refresh(&self.store);
            if self.follow {
                self.jump_to_newest();
            }
        }
        self.tree.refresh(&self.store);
    }

    /// The newest call of the newest session (or that session, when it has none yet).
    pub fn newest(&self) -> Option<Node> {
        let (sid, session) = self.store.sessions().next_back()?;
        Some(match session.latest_span() {
            Some(id) => Node::Span(sid, id),
            None => Node::Session(sid),
        })
    }

    pub fn jump_to_newest(&mut self) {
        let Some(target) = self.newest() else {
            return;
        };
        if self.selected() != Some(target) {
            self.tree.select_node(&self.store, target);
            self.selection_changed();
        }
    }

    /// Bring the prompt pane's document up to the selection and tab. Keys call it too: a key
    /// read in the same batch as a tab switch (`6` then `G`) must act on the new tab's
    /// document, not on the one last drawn.
    pub fn prepare_prompt(&mut self) {
        let subject = self.subject();
        let version = self.subject_version(subject);
        let body = self.panes.prompt_body();
        self.prompt.prepare(
            &self.store,
            subject,
            version,
            body.width as usize,
            self.zone,
        );
        self.prompt.clamp(body.height as usize);
        let words: Vec<String> = self
            .filter
            .as_ref()
            .map(|f| f.texts().map(String::from).collect())
            .unwrap_or_default();
        self.prompt.find(&words, body.height as usize);
    }

    /// Lay out the panes for `area` and bring every cache and scroll position up to date.
    /// Call before drawing; drawing then only reads.
    pub fn prepare(&mut self, area: Rect, now_ns: Nanos) {
        self.now_ns = now_ns;
        self.panes = Panes::new(area);
        self.preview_filter();
        self.settle();
        self.tree
            .scroll_into_view(self.panes.tree_body().height as usize);
        self.prepare_prompt();
        match self.overlay.map(|o| o.kind) {
            Some(OverlayKind::Patterns) => {
                let count = self.patterns_doc().doc.lines.len();
                let (_, visible) = layout::patterns_popup(area, count);
                if let Some(o) = &mut self.overlay {
                    o.keep_selected_in_view(count, visible);
                }
            }
            Some(OverlayKind::Diff) => {
                let popup = layout::diff_popup(area);
                let inner = layout::inner(popup);
                if let (Some(diff), Some(o)) = (&mut self.diff, &mut self.overlay) {
                    diff.prepare(inner.width as usize, inner.height as usize);
                    o.scroll = o.scroll.min(diff.max_scroll());
                }
            }
            Some(OverlayKind::Problems) => {
                let count = self.problem_list().len();
                let (_, visible) = layout::list_popup(area, count);
                if let Some(o) = &mut self.overlay {
                    o.keep_selected_in_view(count, visible);
                }
            }
            _ => {}
        }
        self.refresh_timeline_rows();
        let rows_h = self.panes.timeline_rows().height as usize;
        if let Some(sid) = self.selected_session() {
            let selected = self.timeline_selected_row();
            let count = self.timeline_rows().len();
            self.timelines
                .entry(sid)
                .or_default()
                .scroll_rows_into_view(selected, count, rows_h);
        }
    }

    pub fn selected(&self) -> Option<Node> {
        self.tree.selected()
    }

    pub fn overlay_is(&self, kind: OverlayKind) -> bool {
        self.overlay.is_some_and(|o| o.kind == kind)
    }

    pub fn selected_session(&self) -> Option<SessionId> {
        self.selected()?.session()
    }

    pub fn selected_span(&self) -> Option<(SessionId, SpanId)> {
        self.selected()?.span()
    }

    /// What the prompt pane shows.
    pub fn subject(&self) -> Option<Subject> {
        match self.selected()? {
            Node::Session(s) | Node::Orphans(s) => Some(Subject::Session(s)),
            node => node.span().map(|(s, id)| Subject::Span(s, id)),
        }
    }

    /// The tabs the current selection offers.
    pub fn tabs(&self) -> &'static [crate::detail::Tab] {
        self.subject().map_or(&crate::detail::Tab::OVERVIEW, |s| {
            crate::detail::tabs_for(&self.store, s)
        })
    }

    fn subject_version(&self, subject: Option<Subject>) -> u64 {
        match subject {
            Some(Subject::Session(s)) => self.store.session(s).map_or(0, |s| s.generation),
            Some(Subject::Span(s, id)) => self
                .store
                .session(s)
                .and_then(|s| s.get(id))
                .map_or(0, |span| u64::from(span.version)),
            None => 0,
        }
    }

    /// The selected session's spans as the timeline lists them (tree order, open nodes).
    pub fn timeline_rows(&self) -> &[Row] {
        self.timeline_rows.rows()
    }

    fn refresh_timeline_rows(&mut self) {
        let Some(sid) = self.selected_session() else {
            self.timeline_rows.clear();
            return;
        };
        let key = (
            sid,
            self.store.session(sid).map_or(0, |s| s.generation),
            self.tree.open_generation(),
        );
        self.timeline_rows
            .refresh(&self.tree, &self.store, sid, key);
    }

    /// Timeline rows listed or taken since the app started (work done, for tests).
    pub fn timeline_rows_built(&self) -> u64 {
        self.timeline_rows.built()
    }

    pub fn timeline_selected_row(&self) -> Option<usize> {
        let (sid, id) = self.selected_span()?;
        self.timeline_rows.row_of(Node::Span(sid, id))
    }

    /// The selected session's time origin and extent; spans still running reach the clock.
    pub fn timeline_extent(&self) -> Option<(Nanos, Nanos)> {
        let session = self.store.session(self.selected_session()?)?;
        let start = session.start_ns()?;
        let mut end = session.end_ns().unwrap_or(start);
        if session.any_running() {
            end = end.max(self.now_ns);
        }
        Some((start, end - start))
    }

    pub fn timeline_view(&self) -> TimelineView {
        self.selected_session()
            .and_then(|s| self.timelines.get(&s).cloned())
            .unwrap_or_default()
    }
}
