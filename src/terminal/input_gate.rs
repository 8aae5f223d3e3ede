//! Pausing the input thread: while an editor runs in our terminal, nothing of ours may read
//! the keys meant for it. The input thread waits here between reads (it polls with a short
//! timeout, so it never sits inside a read for long); `pause` returns once it is parked.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Default)]
struct State {
    paused: bool,
    /// The input thread is waiting at its checkpoint.
    parked: bool,
}

#[derive(Default)]
pub struct InputGate {
    state: Mutex<State>,
    changed: Condvar,
}

/// How long `pause` waits for the input thread; it polls every 50 ms.
const PARK_TIMEOUT: Duration = Duration::from_secs(1);

impl InputGate {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding it leaves two booleans that are still meaningful.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called by the input thread before each poll: blocks while paused.
    pub fn checkpoint(&self) {
        let mut state = self.lock();
        while state.paused {
            state.parked = true;
            self.changed.notify_all();
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.parked = false;
    }

    /// Stop the input thread from reading; true once it is parked (false if it did not park
    /// in time, e.g. there is no input thread).
    pub fn pause(&self) -> bool {
        let mut state = self.lock();
        state.paused = true;
        let (state, _) = self
            .changed
            .wait_timeout_while(state, PARK_TIMEOUT, |s| !s.parked)
            .unwrap_or_else(|e| e.into_inner());
        state.parked
    }

    pub fn resume(&self) {
        let mut state = self.lock();
        state.paused = false;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn pause_parks_the_reader_and_resume_releases_it() {
        let gate = InputGate::new();
        let reads = Arc::new(AtomicUsize::new(0));
        let reader = {
            let (gate, reads) = (gate.clone(), reads.clone());
            std::thread::spawn(move || {
                for _ in 0..1_000 {
                    gate.checkpoint();
                    reads.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        assert!(gate.pause(), "the reader parks");
        let before = reads.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(
            reads.load(Ordering::SeqCst),
            before,
            "no reads while paused"
        );
        gate.resume();
        reader.join().expect("reader ends");
        assert_eq!(reads.load(Ordering::SeqCst), 1_000);
    }
}
