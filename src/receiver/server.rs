//! Accepting connections: each one is served on a thread of its own, so a client that is
//! slow to send costs only its own connection; what requests share (sessions, counters,
//! the sink) sits behind one lock, taken after a body is read and decoded. At most
//! `max_connections` are served at once: one past that is answered 503 with Retry-After
//! at once and closed, rather than queued or given a thread.

use super::http::Answer;
use super::request::{Decoded, Encoding};
use super::state::State;
use super::{ReceiverOptions, Sink};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

/// How long to wait after a failed accept (out of file descriptors, say) before the next,
/// rather than spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// How long the accepting thread may spend answering a connection it turns away.
const TURN_AWAY_WRITE: Duration = Duration::from_millis(200);

/// What every connection of one receiver shares.
pub struct Shared<S> {
    pub options: ReceiverOptions,
    core: Mutex<Core<S>>,
    /// The sink is gone: answer nothing more.
    closed: AtomicBool,
    /// Connections being served.
    active: AtomicUsize,
    /// Connections turned away at the cap and not yet in the counters (the accepting
    /// thread does not wait for the lock).
    turned_away: AtomicU64,
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
            active: AtomicUsize::new(0),
            turned_away: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Core<S>> {
        // A connection thread that panicked left the counters as they were: go on.
        let mut core = self
            .core
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.count_turned_away(&mut core);
        core
    }

    fn count_turned_away(&self, core: &mut Core<S>) {
        let n = self.turned_away.swap(0, Ordering::AcqRel);
        if n > 0 {
            core.state.turned_away(n, &core.sink);
        }
    }

    pub fn refused(&self) {
        let core = &mut *self.lock();
        core.state.refused(&core.sink);
    }

    /// Deliver a decoded batch; the answer, and whether the sink still listens.
    pub fn deliver(&self, encoding: Encoding, decoded: Decoded<'_>) -> (Answer, bool) {
        let core = &mut *self.lock();
        let (answer, open) = core.state.deliver(encoding, decoded, &core.sink);
        if !open {
            self.closed.store(true, Ordering::Release);
        }
        (answer, open)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// A place for one more connection, HTTP or gRPC, while fewer than the cap are
    /// served; given back when the slot drops.
    pub fn take_slot(self: &Arc<Self>) -> Option<Slot<S>> {
        let max = self.options.max_connections;
        self.active
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(self)))
    }

    /// A connection closed at the cap, counted as the status bar says.
    pub fn turned_away_one(&self) {
        self.turned_away.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut core) = self.core.try_lock() {
            self.count_turned_away(&mut core);
        }
    }
}

/// A connection being served; its place is given back when it ends, however it ends.
pub struct Slot<S: Sink>(Arc<Shared<S>>);

impl<S: Sink> Drop for Slot<S> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Accept until the sink is gone, a thread per connection up to the cap.
pub fn run<S: Sink>(listener: TcpListener, shared: Arc<Shared<S>>) {
    for stream in listener.incoming() {
        if shared.is_closed() {
            return;
        }
        let Ok(stream) = stream else {
            thread::sleep(ACCEPT_BACKOFF);
            continue;
        };
        // HTTP and gRPC connections share the cap.
        let Some(slot) = shared.take_slot() else {
            turn_away(stream, &shared);
            continue;
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = thread::Builder::new()
            .name("otlp-connection".into())
            .spawn(move || {
                let slot = slot;
                if let Ok(stream) = rx.recv() {
                    super::connection::serve(stream, &slot.0);
                }
            });
        match spawned {
            Ok(_) => {
                let _ = tx.send(stream);
            }
            // No thread to serve it (the slot went with the closure): turned away too.
            Err(_) => turn_away(stream, &shared),
        }
    }
}

/// Answer 503 with Retry-After and close, without waiting on the peer or the lock.
fn turn_away<S: Sink>(stream: TcpStream, shared: &Shared<S>) {
    shared.turned_away_one();
    let answer = Answer::text(503, "too many connections; retry shortly")
        .with_header("Retry-After", "1")
        .to_bytes(true, false);
    let _ = stream.set_write_timeout(Some(TURN_AWAY_WRITE));
    let mut stream = stream;
    if stream.write_all(&answer).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    // Read what the request already sent, so the close does not become a reset that
    // destroys the answer; never wait for more.
    if stream.set_nonblocking(true).is_ok() {
        let mut scratch = [0u8; 16 << 10];
        for _ in 0..64 {
            if !matches!(stream.read(&mut scratch), Ok(n) if n > 0) {
                break;
            }
        }
    }
}
