//! The UI's renderer, on a thread of its own so keys never wait for node: it takes render
//! requests, renders, and hands each report to a callback (the run loop's channel). With a
//! watched prompt file (`R`), it checks the file every `POLL` and renders again on each
//! save. Only that prompt file is looked at; trace folders are never watched or written.

use super::outcome::{self, Outcome};
use super::{Job, Renderer, SourceKind, TraceCall};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

/// How often a watched prompt file is looked at: a stat, cheap enough to do often, so a
/// save starts a render well within a second.
const POLL: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub enum Request {
    /// Render once (`r`: the recorded source with an edited context).
    Render(Box<Job>),
    /// Render the call with its live prompt file now and after each save (`R`).
    Watch(TraceCall),
    /// Stop watching.
    Stop,
}

/// One render's result, for the UI.
#[derive(Debug)]
pub struct Report {
    pub job: Option<Box<Job>>,
    pub outcome: Outcome,
    /// The prompt file watched, when this came from `R`.
    pub watching: Option<PathBuf>,
    pub took: Duration,
    /// Counts renders, so the view can say "render 3".
    pub count: u64,
}

pub struct Worker {
    tx: Sender<Request>,
}

impl Worker {
    /// Start the thread; `avoid` are the opened trace roots the scratch folders stay out of.
    pub fn spawn(avoid: Vec<PathBuf>, report: impl Fn(Report) + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        let _ = std::thread::Builder::new()
            .name("render".into())
            .spawn(move || serve(&rx, &avoid, &report));
        Self { tx }
    }

    pub fn send(&self, request: Request) {
        let _ = self.tx.send(request);
    }
}

/// What a watched file looked like: a save changes one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    len: u64,
    mtime: Option<SystemTime>,
    ino: u64,
}

fn seen(path: &std::path::Path) -> Option<Seen> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(Seen {
        len: meta.len(),
        mtime: meta.modified().ok(),
        ino: meta.ino(),
    })
}

struct Watched {
    call: TraceCall,
    file: PathBuf,
    seen: Option<Seen>,
}

fn serve(rx: &Receiver<Request>, avoid: &[PathBuf], report: &dyn Fn(Report)) {
    let mut renderer: Option<Renderer> = None;
    let mut watched: Option<Watched> = None;
    let mut count = 0;
    loop {
        let request = match rx.recv_timeout(POLL) {
            // Only the newest request matters: older ones were overtaken while rendering.
            Ok(first) => Some(rx.try_iter().last().unwrap_or(first)),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let job = match request {
            Some(Request::Stop) => {
                watched = None;
                continue;
            }
            Some(Request::Render(job)) => {
                watched = None;
                Ok(*job)
            }
            Some(Request::Watch(call)) => match call.live_source() {
                Some(file) => {
                    let w = Watched {
                        seen: seen(&file),
                        call: call.clone(),
                        file: file.clone(),
                    };
                    watched = Some(w);
                    Job::for_call(&call, SourceKind::Live(file))
                }
                None => {
                    watched = None;
                    Err(format!(
                        "{}: no live prompt file to watch (the .source.poml link does not resolve and SOURCE_PATH is not here)",
                        call.label()
                    ))
                }
            },
            None => match watched.as_mut() {
                Some(w) => {
                    let now = seen(&w.file);
                    if now == w.seen {
                        continue;
                    }
                    w.seen = now;
                    Job::for_call(&w.call, SourceKind::Live(w.file.clone()))
                }
                None => continue,
            },
        };
        count += 1;
        let started = Instant::now();
        let (job, outcome) = match job {
            Ok(job) => {
                let rendered = match renderer
                    .clone()
                    .map_or_else(|| super::locate::locate(None), Ok)
                {
                    Ok(r) => {
                        renderer = Some(r.clone());
                        job.render(&r, avoid)
                    }
                    Err(e) => Err(super::Failure::Other(e)),
                };
                let outcome = outcome::judge(&job, rendered);
                (Some(Box::new(job)), outcome)
            }
            Err(e) => (
                None,
                Outcome {
                    rendered: None,
                    verdict: super::Verdict::Failed(super::Failure::Other(e)),
                    comparison: None,
                },
            ),
        };
        report(Report {
            job,
            outcome,
            watching: watched.as_ref().map(|w| w.file.clone()),
            took: started.elapsed(),
            count,
        });
    }
}
