//! An MLflow tracking server over its REST API, as a source: a thread of its own per server
//! (network waits never hold up the UI or the file watcher), listing trace summaries page by
//! page, polling for what is new or still in progress, fetching a trace's spans when the UI
//! opens it, and retrying with backoff when the server fails; and the headless read `dump`
//! and the other commands use.

mod cache;
pub mod client;
mod source;

use crate::app::event::{AppEvent, RemoteStatus};
use crate::model::{Problem, SessionKey, Update};
use cache::Cache;
use source::{Listing, ServerSource};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

/// How much span data of opened traces is kept, and for how many traces at most.
pub const CACHE_BYTES: usize = 256 << 20;
pub const CACHE_TRACES: usize = 2_000;
/// A full walk of the server (which notices deleted traces) this often.
const FULL_EVERY: Duration = Duration::from_secs(300);
/// Backoff after failures: doubling from the first to the last.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Whether an opened path is a tracking server's URL rather than a file.
pub fn is_server(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|p| p.starts_with("http://") || p.starts_with("https://"))
}

/// Check that the server answers (and has the experiment asked for): a clear error up front
/// rather than an empty dump.
pub fn check(url: &Path, experiment: Option<&str>) -> Result<(), String> {
    let mut source = ServerSource::new(url, experiment.map(String::from), Cache::new(0, 1), false);
    source
        .read_experiments()
        .map_err(|e| format!("{}: {}", url.display(), e.message()))
}

/// Every trace with its spans, read once (for `dump`, `stats`, `export`). A failure after
/// the first answer is a problem in the store, the rest still shows.
pub fn load(url: &Path, experiment: Option<&str>) -> Vec<Update> {
    let mut source = ServerSource::new(url, experiment.map(String::from), Cache::unbounded(), true);
    let mut out = Vec::new();
    let mut listing = Listing::full();
    loop {
        match source.page(&mut listing, &mut out) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                out.push(problem(url, Some(e.message())));
                break;
            }
        }
    }
    out
}

/// Options of the live source.
#[derive(Clone, Debug)]
pub struct Live {
    pub experiment: Option<String>,
    pub poll_interval: Duration,
    /// Send `Loaded` after the first page (when no other source will).
    pub announce_loaded: bool,
}

pub fn spawn(
    url: PathBuf,
    live: Live,
    tx: SyncSender<AppEvent>,
    wants: Receiver<SessionKey>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("mlflow-server".into())
        .spawn(move || run(&url, &live, &tx, &wants))
}

fn run(url: &Path, live: &Live, tx: &SyncSender<AppEvent>, wants: &Receiver<SessionKey>) {
    let mut source = ServerSource::new(
        url,
        live.experiment.clone(),
        Cache::new(CACHE_BYTES, CACHE_TRACES),
        false,
    );
    let mut listing = Some(Listing::full());
    let mut last_full = Instant::now();
    let mut next_poll = Instant::now();
    let mut backoff = BACKOFF_FIRST;
    let mut loaded = !live.announce_loaded;
    let mut status = RemoteStatus {
        url: url.display().to_string(),
        ..RemoteStatus::default()
    };
    let mut sent_status = None;
    let mut wanted: Vec<SessionKey> = Vec::new();
    loop {
        let mut out = Vec::new();
        let mut failure = None;
        // What the user opened comes before the listing: one request, not a page walk.
        while let Ok(key) = wants.try_recv() {
            wanted.retain(|k| *k != key);
            wanted.push(key);
        }
        if let Some(key) = wanted.pop() {
            // Only the latest few matter: a key held down walks past many sessions.
            wanted.drain(..wanted.len().saturating_sub(2));
            if let Err(e) = source.open(&key, &mut out) {
                wanted.push(key);
                failure = Some(e);
            }
        }
        if failure.is_none() && Instant::now() >= next_poll {
            let walk = listing.get_or_insert_with(|| {
                if last_full.elapsed() >= FULL_EVERY {
                    last_full = Instant::now();
                    Listing::full()
                } else {
                    source.poll_listing()
                }
            });
            match source.page(walk, &mut out) {
                Ok(true) => {}
                Ok(false) => {
                    listing = None;
                    match source.recheck_in_progress(&mut out) {
                        Ok(()) => next_poll = Instant::now() + live.poll_interval,
                        Err(e) => failure = Some(e),
                    }
                }
                Err(e) => failure = Some(e),
            }
            if !loaded && failure.is_none() {
                // The first page is the first screen; the rest fills in behind it.
                out.push(problem(url, None));
                if tx
                    .send(AppEvent::Ingested(std::mem::take(&mut out)))
                    .is_err()
                    || tx.send(AppEvent::Loaded).is_err()
                {
                    return;
                }
                loaded = true;
            }
        }
        match &failure {
            Some(e) => {
                status.error = Some(format!("{} (retrying)", e.message()));
                out.push(problem(url, Some(e.message())));
                next_poll = Instant::now() + backoff;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                if !loaded {
                    // Nothing to wait for: the first view says the server is down.
                    if tx.send(AppEvent::Loaded).is_err() {
                        return;
                    }
                    loaded = true;
                }
            }
            None if status.error.is_some() => {
                status.error = None;
                backoff = BACKOFF_FIRST;
                out.push(problem(url, None));
            }
            None => {}
        }
        // The updates first: once the status says it, the problems view says it too.
        if !out.is_empty() && tx.send(AppEvent::Ingested(out)).is_err() {
            return;
        }
        status.traces = source.trace_count();
        if sent_status.as_ref() != Some(&status) {
            sent_status = Some(status.clone());
            if tx.send(AppEvent::Remote(status.clone())).is_err() {
                return;
            }
        }
        let wait = if failure.is_some() || listing.is_none() {
            next_poll.saturating_duration_since(Instant::now())
        } else {
            Duration::ZERO
        };
        if !wait.is_zero() || wanted.is_empty() {
            match wants.recv_timeout(wait) {
                Ok(key) => wanted.push(key),
                Err(RecvTimeoutError::Timeout) => {}
                // The UI is gone (or never asks): keep polling on the clock alone.
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
            }
        }
    }
}

/// The server's own problem, replaced on every answer: one while it fails, none after.
fn problem(url: &Path, message: Option<String>) -> Update {
    Update::Problems {
        session: None,
        origin: url.display().to_string().into(),
        problems: message
            .map(|m| vec![Problem::new(url.display().to_string(), m)])
            .unwrap_or_default(),
    }
}
