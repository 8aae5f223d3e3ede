//! Owning the terminal: raw mode, the alternate screen and mouse capture on the way in, and
//! all of it undone on the way out: on quit, on error (the guard drops), on panic (the hook
//! restores before color-eyre prints its report) and on a terminating signal (`close`, from
//! the `signals` thread). Also lending it to another program (the editor) and taking it back.
//!
//! Every change of who has the terminal happens under the stdout lock, the one frames are
//! written through: a signal's restore never interleaves with entering, lending or taking
//! back, and `close` keeps the lock until the process ends, so no frame is drawn after it.

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{self, Stdout, StdoutLock};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Raw mode, the alternate screen and mouse capture are on: there is something to restore.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The pid of the program the terminal is lent to, 0 when none. Its process is not reaped
/// while it is set (see `lend`), so the pid cannot name another process.
static BORROWER: AtomicU32 = AtomicU32::new(0);

pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        {
            let mut out = io::stdout().lock();
            enable_raw_mode()?;
            ACTIVE.store(true, Ordering::SeqCst);
            if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture) {
                restore_locked(&mut out);
                return Err(e);
            }
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(mut terminal) => {
                let _ = terminal.hide_cursor();
                let _ = terminal.clear();
                Ok(Self { terminal })
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Put the terminal back as the shell expects it. Safe to call twice.
pub fn restore() {
    restore_locked(&mut io::stdout().lock());
}

fn restore_locked(out: &mut StdoutLock<'static>) {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    // Errors are ignored: after a hangup the terminal is gone and every write fails, and
    // whatever can still be undone should be.
    let _ = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Run `command` with the terminal lent to it, as on exit (cooked, main screen, no mouse),
/// and take the terminal back when it exits; the caller redraws everything. Returns how it
/// exited (or why it could not start), and whether the terminal could be taken back.
pub fn lend(command: &mut Command) -> (io::Result<ExitStatus>, io::Result<()>) {
    let child = {
        let mut out = io::stdout().lock();
        restore_locked(&mut out);
        command
            .spawn()
            .inspect(|child| BORROWER.store(child.id(), Ordering::SeqCst))
    };
    if let Ok(child) = &child {
        wait_exited(child.id());
    }
    let resumed = {
        let mut out = io::stdout().lock();
        BORROWER.store(0, Ordering::SeqCst);
        resume_locked(&mut out)
    };
    // Reaped only now that `BORROWER` is cleared: until then its pid stays the editor's.
    let status = child.and_then(|mut child| child.wait());
    (status, resumed)
}

fn resume_locked(out: &mut StdoutLock<'static>) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        ratatui::crossterm::cursor::Hide
    )
}

/// The end, for a terminating signal: the program the terminal is lent to is sent `signal`
/// and waited for (it puts back what it changed in the terminal before the shell gets it),
/// then the terminal is restored. The returned lock is to be held until the process ends:
/// frames wait for it, so none is drawn on the shell's screen.
pub fn close(signal: i32) -> StdoutLock<'static> {
    let mut out = io::stdout().lock();
    let borrower = BORROWER.load(Ordering::SeqCst);
    if let Ok(pid) = libc::pid_t::try_from(borrower)
        && pid > 0
    {
        // SAFETY: kill takes no pointers; the pid is our child, not reaped (see BORROWER).
        if unsafe { libc::kill(pid, signal) } == 0 {
            wait_exited(borrower);
        }
    }
    restore_locked(&mut out);
    out
}

/// Block until our child `pid` has exited, without reaping it: its pid stays taken.
fn wait_exited(pid: u32) {
    loop {
        // SAFETY: siginfo_t is plain data, valid zeroed; waitid writes only into `info`.
        let done = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::waitid(libc::P_PID, pid, &mut info, libc::WEXITED | libc::WNOWAIT)
        };
        // Any error but an interruption means there is nothing (more) to wait for.
        if done == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Hand memory freed after a large load back to the system (glibc keeps it otherwise).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
