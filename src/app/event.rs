//! What wakes the main loop: terminal input, ingested batches, and the clock.

use crate::model::Update;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug)]
pub enum AppEvent {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    /// A batch of model updates from the ingest thread.
    Ingested(Vec<Update>),
    /// The watcher's state changed (which backend, paths still awaited, an error).
    Watch(WatchStatus),
    /// How far the first load has got.
    Progress(crate::ingest::LoadProgress),
    /// The first load is complete; from now on, changes as they happen.
    Loaded,
    /// What the OTLP receiver has done so far.
    Receiver(crate::receiver::ReceiverStatus),
    /// A re-render finished (`r`, `R`), well or not.
    Rendered(Box<crate::render::worker::Report>),
    /// How a tracking server being polled is doing.
    Remote(RemoteStatus),
    /// The input source is gone (stdin closed): nothing more can be asked of us.
    InputClosed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchStatus {
    /// `native` or `poll`; `None` when nothing is watched.
    pub backend: Option<&'static str>,
    /// Opened paths that do not exist yet.
    pub waiting: Vec<std::path::PathBuf>,
    pub error: Option<String>,
}

/// One MLflow tracking server's health, for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteStatus {
    /// The URL as given.
    pub url: String,
    /// Traces listed so far.
    pub traces: usize,
    /// Why the last request failed (and is being retried); `None` while all is well.
    pub error: Option<String>,
}
