//! Accepting connections: each one is served on a thread of its own, so a client that is
//! slow to send costs only its own connection; what requests share (sessions, counters,
//! the sink) sits behind one lock, taken after a body is read and decoded.

use super::http::Answer;
use super::request::Encoding;
use super::state::State;
use super::{ReceiverOptions, Sink};
use crate::formats::otlp::reader::BatchSpan;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

/// How long to wait after a failed accept (out of file descriptors, say) before the next,
/// rather than spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What every connection of one receiver shares.
pub struct Shared<S> {
    pub options: ReceiverOptions,
    core: Mutex<Core<S>>,
    /// The sink is gone: answer nothing more.
    closed: AtomicBool,
}

struct Core<S> {
    state: State,
    sink: S,
}

impl<S: Sink> Shared<S> {
    pub fn new(options: ReceiverOptions, state: State, sink: S) -> Self {
        Self {
            options,
            core: Mutex::new(Core { state, sink }),
            closed: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Core<S>> {
        // A connection thread that panicked left the counters as they were: go on.
        self.core
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn refused(&self) {
        let core = &mut *self.lock();
        core.state.refused(&core.sink);
    }

    /// Deliver a decoded batch; the answer, and whether the sink still listens.
    pub fn deliver(
        &self,
        encoding: Encoding,
        spans: Vec<BatchSpan>,
        errors: &[String],
    ) -> (Answer, bool) {
        let core = &mut *self.lock();
        let (answer, open) = core.state.deliver(encoding, spans, errors, &core.sink);
        if !open {
            self.closed.store(true, Ordering::Release);
        }
        (answer, open)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Accept until the sink is gone, a thread per connection.
pub fn run<S: Sink>(listener: TcpListener, shared: Arc<Shared<S>>) {
    for stream in listener.incoming() {
        if shared.is_closed() {
            return;
        }
        let Ok(stream) = stream else {
            thread::sleep(ACCEPT_BACKOFF);
            continue;
        };
        let shared = shared.clone();
        // A thread that cannot be made drops the stream, closing the connection.
        let _ = thread::Builder::new()
            .name("otlp-connection".into())
            .spawn(move || super::connection::serve(stream, &shared));
    }
}
