//! Ending on a terminating signal (TERM, INT, HUP, QUIT) with the terminal put back and the
//! private copies of trace content removed first, then as the signal would have ended us, so a shell or `timeout` sees "killed by signal".
//! A thread waits for the signals: a signal handler may neither write to the terminal nor
//! take the locks that keep frames and restoring apart.

use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io;
use std::thread;
use std::time::Duration;

/// The signals that end a process by default and can be caught.
const ENDING: [i32; 4] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT];

/// How long ending may take before the process goes anyway: a write to a terminal nobody
/// reads any more (a stalled connection) may never return, and an editor may ignore what it
/// is sent.
const GRACE: Duration = Duration::from_secs(3);

/// Catch the ending signals, except those ignored when we started (`nohup` ignores HUP, and
/// so should we).
pub fn spawn() -> io::Result<()> {
    let caught: Vec<i32> = ENDING.into_iter().filter(|&s| !ignored(s)).collect();
    let mut signals = Signals::new(&caught)?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                end(signal);
            }
        })?;
    Ok(())
}

/// Acted on once: later signals stay caught and pending, and change nothing.
fn end(signal: i32) -> ! {
    let _ = thread::Builder::new()
        .name("signals-grace".into())
        .spawn(move || {
            thread::sleep(GRACE);
            die(signal)
        });
    // The editor is asked to end as we do: HUP when the terminal is gone, TERM otherwise
    // (INT and QUIT are keys to most editors: vi ignores INT).
    let for_editor = if signal == SIGHUP { SIGHUP } else { SIGTERM };
    let _held = crate::terminal::screen::close(for_editor);
    // With the editor gone, the private copies it had (`r`, `e`) and the renderer's scratch
    // folders go too: no destructor runs on this way out.
    crate::untrusted::private_files::remove_all_made();
    die(signal)
}

/// The signal's default action (terminate, or for QUIT dump core), as if never caught.
fn die(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    // Not reached for the four signals above, which it knows; the shell's convention else.
    std::process::exit(128 + signal)
}

fn ignored(signal: i32) -> bool {
    // SAFETY: sigaction is plain data, valid zeroed; with no new action (null), sigaction
    // only writes the current one into `current`.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}
