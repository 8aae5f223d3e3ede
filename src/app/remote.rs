//! The app's side of tracking servers: their health for the status bar, and telling their
//! threads which session was opened, since a server's traces show only a summary row until
//! their spans are fetched.

use super::App;
use super::event::RemoteStatus;
use crate::model::SessionKey;
use std::sync::mpsc::Sender;

#[derive(Debug, Default)]
pub struct Remote {
    /// Per server URL, what its thread last reported.
    pub servers: Vec<RemoteStatus>,
    /// One per server thread; a send never blocks.
    pub wants: Vec<Sender<SessionKey>>,
    last_asked: Option<SessionKey>,
}

impl App {
    /// A server's thread reported its health.
    pub fn remote_status(&mut self, status: RemoteStatus) {
        match self.remote.servers.iter_mut().find(|s| s.url == status.url) {
            Some(s) => *s = status,
            None => self.remote.servers.push(status),
        }
    }

    /// Tell the servers' threads when the selected session changed, so its spans are
    /// fetched (a thread ignores sessions not its own, and ones it holds already).
    pub fn announce_selection(&mut self) {
        if self.remote.wants.is_empty() {
            return;
        }
        let key = self
            .selected_session()
            .and_then(|id| self.store.session(id))
            .map(|s| s.key.clone());
        if key.is_none() || key == self.remote.last_asked {
            return;
        }
        self.remote.last_asked = key.clone();
        if let Some(key) = key {
            self.remote.wants.retain(|tx| tx.send(key.clone()).is_ok());
        }
    }
}
