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
    /// The input source is gone (stdin closed): nothing more can be asked of us.
    InputClosed,
}
