//! The ingest thread for the UI: scan once, then turn watcher events into update batches.
//! Paths are collected for a few milliseconds and de-duplicated; only what changed is read;
//! settling calls are re-checked on time; lost events and watcher errors trigger a rescan
//! through the same ingestor, so the model always comes back to what is on disk.

use crate::app::event::{AppEvent, WatchStatus};
use crate::ingest::watch::{Backend, Watch, WatchMsg};
use crate::ingest::{Ingestor, Options};
use crate::model::time::{Nanos, steady_ns};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct LiveOptions {
    /// Use notify's poll watcher even where a native one works.
    pub poll: bool,
    pub poll_interval: Duration,
    /// How long to keep collecting paths after the first event of a batch.
    pub debounce: Duration,
    /// The longest a batch may keep collecting while events keep coming.
    pub max_batch: Duration,
    /// A safety rescan this often, for events no watcher reported.
    pub rescan_every: Duration,
    /// How often a tracking server is asked what changed (`--poll-interval`).
    pub server_poll: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            poll: false,
            poll_interval: Duration::from_millis(250),
            debounce: Duration::from_millis(4),
            max_batch: Duration::from_millis(25),
            rescan_every: Duration::from_secs(30),
            server_poll: Duration::from_secs(2),
        }
    }
}

pub fn spawn(
    paths: Vec<PathBuf>,
    options: Options,
    live: LiveOptions,
    tx: SyncSender<AppEvent>,
) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("ingest".into())
        .spawn(move || run(paths, options, live, &tx))
}

/// What one batch collected from the watcher.
#[derive(Default)]
struct Batch {
    paths: BTreeSet<PathBuf>,
    rescan: bool,
    error: Option<String>,
}

impl Batch {
    fn add(&mut self, msg: WatchMsg) {
        match msg {
            WatchMsg::Paths(paths) => self.paths.extend(paths),
            WatchMsg::Rescan => self.rescan = true,
            WatchMsg::Error(e) => {
                // Whatever the error hid, a rescan finds.
                self.rescan = true;
                self.error = Some(e);
            }
        }
    }
}

fn run(paths: Vec<PathBuf>, options: Options, live: LiveOptions, tx: &SyncSender<AppEvent>) {
    let (wtx, wrx) = mpsc::channel();
    // Watch before the first scan, so nothing written in between is missed.
    let (mut watch, error) = match Watch::start(&paths, live.poll, live.poll_interval, wtx) {
        Ok(w) => {
            let e = w.last_error.clone();
            (Some(w), e)
        }
        Err(e) => (None, Some(format!("cannot watch: {e}"))),
    };
    let mut ingestor = Ingestor::new(paths, options);
    // The first scan goes out in batches as it is read, with progress, so the view fills in
    // while a large trace is still loading.
    let mut gone = false;
    ingestor.scan_into(steady_ns(), &mut |batch, progress| {
        gone = gone
            || (!batch.is_empty() && tx.send(AppEvent::Ingested(batch)).is_err())
            || tx.send(AppEvent::Progress(*progress)).is_err();
    });
    if gone {
        return;
    }
    // Checked after the scan: a session seen by the scan means its root existed before the
    // check, so the status can never say "waiting" for something already shown. A root that
    // appeared is scanned again once watched, for what was written before the watch began.
    let mut updates = Vec::new();
    if watch
        .as_mut()
        .is_some_and(|w| !w.check_waiting().is_empty())
    {
        updates = ingestor.scan(steady_ns());
    }
    if tx
        .send(AppEvent::Watch(status(watch.as_ref(), error)))
        .is_err()
        || tx.send(AppEvent::Ingested(updates)).is_err()
        || tx.send(AppEvent::Loaded).is_err()
    {
        return;
    }
    let mut last_rescan = Instant::now();
    loop {
        let timeout = next_timeout(&ingestor, watch.as_ref(), &live, last_rescan);
        let batch = match collect(&wrx, timeout, &live) {
            Some(batch) => batch,
            None => {
                // The watcher is gone; keep the timers (settling calls) going.
                watch = None;
                thread::sleep(timeout.min(Duration::from_millis(250)));
                Batch::default()
            }
        };
        let now = steady_ns();
        let mut updates = Vec::new();
        let mut paths: Vec<PathBuf> = batch.paths.into_iter().collect();
        if let Some(w) = watch.as_mut() {
            w.grow(&paths);
        }
        if watch.as_ref().is_none_or(|w| w.backend() == Backend::Poll) {
            // notify's poll watcher compares modification times in whole seconds: a write
            // in the same second as the last poll goes unreported. Event files grow that
            // way all the time, so their sizes and times are checked here as well.
            paths.extend(ingestor.files_changed_on_disk());
        }
        if batch.rescan || last_rescan.elapsed() >= live.rescan_every {
            last_rescan = Instant::now();
            updates.extend(ingestor.scan(now));
        } else if !paths.is_empty() {
            paths.sort();
            paths.dedup();
            updates.extend(ingestor.changed(&paths, now));
        }
        updates.extend(ingestor.recheck(now));
        // Files with more than one read's budget (a big append, a file read again after a
        // file sharing its sessions was replaced) go on a budget at a time.
        if ingestor.has_more() {
            updates.extend(ingestor.more(now));
        }
        let mut status_changed = batch.error.is_some();
        if watch
            .as_mut()
            .is_some_and(|w| !w.check_waiting().is_empty())
        {
            status_changed = true;
            last_rescan = Instant::now();
            updates.extend(ingestor.scan(now));
        }
        if status_changed
            && tx
                .send(AppEvent::Watch(status(watch.as_ref(), batch.error)))
                .is_err()
        {
            return;
        }
        if !updates.is_empty() && tx.send(AppEvent::Ingested(updates)).is_err() {
            return;
        }
    }
}

/// Wait up to `timeout` for a first message, then keep collecting for `debounce` (but no
/// longer than `max_batch` in all). `None` when the watcher has hung up.
fn collect(rx: &Receiver<WatchMsg>, timeout: Duration, live: &LiveOptions) -> Option<Batch> {
    let mut batch = Batch::default();
    match rx.recv_timeout(timeout) {
        Ok(msg) => batch.add(msg),
        Err(RecvTimeoutError::Timeout) => return Some(batch),
        Err(RecvTimeoutError::Disconnected) => return None,
    }
    let started = Instant::now();
    let mut quiet_until = started + live.debounce;
    let hard_stop = started + live.max_batch;
    loop {
        let now = Instant::now();
        let until = quiet_until.min(hard_stop);
        if now >= until {
            return Some(batch);
        }
        match rx.recv_timeout(until - now) {
            Ok(msg) => {
                batch.add(msg);
                quiet_until = Instant::now() + live.debounce;
            }
            Err(_) => return Some(batch),
        }
    }
}

fn next_timeout(
    ingestor: &Ingestor,
    watch: Option<&Watch>,
    live: &LiveOptions,
    last_rescan: Instant,
) -> Duration {
    if ingestor.has_more() {
        return Duration::ZERO;
    }
    let mut timeout = live.rescan_every.saturating_sub(last_rescan.elapsed());
    if let Some(at) = ingestor.next_recheck() {
        let wait: Nanos = (at - steady_ns()).max(0);
        timeout = timeout.min(Duration::from_nanos(wait as u64 + 1_000_000));
    }
    if watch.is_some_and(|w| !w.waiting().is_empty()) {
        // Creation of a missing path is also checked on a short tick.
        timeout = timeout.min(Duration::from_millis(250));
    }
    if watch.is_none_or(|w| w.backend() == Backend::Poll) {
        // Event files are checked on the poll interval (see `run`).
        timeout = timeout.min(live.poll_interval);
    }
    timeout
}

fn status(watch: Option<&Watch>, error: Option<String>) -> WatchStatus {
    WatchStatus {
        backend: watch.map(|w| w.backend().as_str()),
        waiting: watch.map(Watch::waiting).unwrap_or_default(),
        error,
    }
}
