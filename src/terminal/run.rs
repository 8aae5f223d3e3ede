//! The interactive run loop: wait for events, apply them, draw at most once per frame.
//! Generic over the ratatui backend so tests drive the real loop into a `TestBackend`.

use crate::app::App;
use crate::app::event::AppEvent;
use crate::cli::usage::{UsageError, reason};
use crate::ingest::Options;
use crate::ingest::live::LiveOptions;
use crate::model::time::now_ns;
use crate::terminal::host::{Host, NoHost, TerminalHost};
use crate::terminal::input_gate::InputGate;
use crate::terminal::screen::TerminalGuard;
use crate::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};
use std::io::{ErrorKind, IsTerminal as _};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

/// At most this often (about 60 frames a second).
const FRAME: Duration = Duration::from_millis(16);
/// Events that may wait for the main loop before senders wait for it.
const EVENT_QUEUE: usize = 16;
/// How long the input thread waits for input before checking whether it is paused.
const INPUT_POLL: Duration = Duration::from_millis(50);
/// How long one pass may spend applying queued events before it draws.
const DRAIN_BUDGET: Duration = Duration::from_millis(10);

pub fn run(
    paths: Vec<PathBuf>,
    options: Options,
    live: LiveOptions,
    config: crate::cli::config::Config,
    listen: Option<crate::receiver::ReceiverOptions>,
) -> color_eyre::Result<()> {
    // What the user asked for is checked before what they run it in, and both before
    // anything starts.
    let listening = listen
        .map(|opts| bind(opts.addr).map(|listener| (listener, opts)))
        .transpose()?;
    // gRPC beside it: the default port being taken means no gRPC (said in the status bar),
    // an address the user gave that cannot be had is a usage error.
    let mut grpc_note = None;
    let grpc = match listening.as_ref().and_then(|(_, opts)| opts.grpc) {
        Some(g) => match TcpListener::bind(g.addr) {
            Ok(listener) => Some(listener),
            Err(e) if g.explicit => {
                return Err(UsageError::new(format!(
                    "cannot listen for gRPC on {}: {}",
                    g.addr,
                    reason(&e)
                ))
                .hint("Give another address with --listen-grpc ADDR, or --listen-grpc off.")
                .into());
            }
            Err(e) => {
                grpc_note = Some(format!(
                    "OTLP/gRPC not served: cannot listen on {}: {} (--listen-grpc ADDR)",
                    g.addr,
                    reason(&e)
                ));
                None
            }
        },
        None => None,
    };
    // Frames written into a pipe help nobody.
    if !std::io::stdout().is_terminal() {
        return Err(
            UsageError::new("the UI needs a terminal, and standard output is not one")
                .hint("To print the traces instead: tracetui dump PATH (or stats, export).")
                .into(),
        );
    }
    // Bounded: when the view falls behind a large load, the reader waits instead of
    // queueing batches (and memory) without limit.
    let (tx, rx) = mpsc::sync_channel(EVENT_QUEUE);
    let receiver = match listening {
        Some((listener, opts)) => {
            let sink = crate::receiver::ChannelSink(tx.clone());
            Some(crate::receiver::serve(listener, grpc, opts, sink)?)
        }
        None => None,
    };
    let (servers, files): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| crate::ingest::mlflow_server::is_server(p));
    if !files.is_empty() || (servers.is_empty() && receiver.is_none()) {
        crate::ingest::live::spawn(files.clone(), options.clone(), live, tx.clone())?;
    } else if servers.is_empty() {
        // Nothing to load: the first view is already complete.
        let _ = tx.send(AppEvent::Loaded);
    }
    let mut wants = Vec::new();
    for (i, url) in servers.into_iter().enumerate() {
        let (want_tx, want_rx) = mpsc::channel();
        let server = crate::ingest::mlflow_server::Live {
            experiment: options.experiment.clone(),
            poll_interval: live.server_poll,
            announce_loaded: i == 0 && files.is_empty(),
        };
        crate::ingest::mlflow_server::spawn(url, server, tx.clone(), want_rx)?;
        wants.push(want_tx);
    }
    // Before the terminal is entered: from then on, a signal must find it to put it back.
    crate::terminal::signals::spawn()?;
    let mut guard = TerminalGuard::enter().map_err(|e| {
        // No controlling terminal (a daemon, `setsid`), or one that refuses raw mode.
        UsageError::new(format!("cannot use the terminal: {}", reason(&e)))
            .hint("The UI needs an interactive terminal; tracetui dump PATH prints instead.")
    })?;
    // Only now: setting up the terminal may query it (cursor position), and that reply must
    // not be swallowed by an input thread already reading.
    let gate = InputGate::new();
    let render_tx = tx.clone();
    let renderer = crate::render::worker::Worker::spawn(paths.clone(), move |report| {
        let _ = render_tx.send(AppEvent::Rendered(Box::new(report)));
    });
    spawn_input(tx, gate.clone());
    let mut app = App::new(paths, crate::model::time::Zone::Local);
    app.configure(&config);
    app.remote.wants = wants;
    app.receiver = receiver
        .as_ref()
        .map(|handle| crate::receiver::ReceiverStatus {
            addr: handle.addr.to_string(),
            grpc_addr: handle.grpc_addr.map(|a| a.to_string()),
            ..Default::default()
        });
    let recording = receiver
        .as_ref()
        .and_then(|h| h.recording.as_ref())
        .map(|path| {
            format!(
                "recording what is received to {} (--no-record: memory only)",
                path.display()
            )
        });
    let pruned = receiver.as_ref().and_then(|h| h.pruned.clone());
    // What was removed first: the recording's path is long and may be cut.
    let notes: Vec<String> = grpc_note
        .into_iter()
        .chain(pruned)
        .chain(recording)
        .collect();
    if !notes.is_empty() {
        app.notify(&notes.join("; "));
    }
    run_loop_with(
        &mut guard.terminal,
        &mut app,
        &rx,
        &Theme::from_config(config.theme),
        now_ns,
        &mut TerminalHost {
            gate,
            copies: Default::default(),
            renderer,
            edited_context: None,
        },
    )?;
    drop(guard);
    Ok(())
}

/// The receiver's socket; failing to get it (in use, a privileged port, an address this
/// machine does not have) is for the user to fix, not a bug.
fn bind(addr: SocketAddr) -> Result<TcpListener, UsageError> {
    TcpListener::bind(addr).map_err(|e| {
        let error = UsageError::new(format!("cannot listen on {addr}: {}", reason(&e)));
        match e.kind() {
            ErrorKind::AddrInUse => error.hint(
                "Another program (another tracetui?) listens there; give another port, e.g. --listen :4319.",
            ),
            ErrorKind::PermissionDenied if addr.port() < 1024 => {
                error.hint("Ports below 1024 need privileges; give a higher one, e.g. --listen :4318.")
            }
            _ => error,
        }
    })
}

/// Terminal input on its own thread, so the loop waits on one channel. It polls with a
/// short timeout rather than blocking in a read, so `gate` can pause it between reads (an
/// editor in the foreground gets every key).
fn spawn_input(tx: SyncSender<AppEvent>, gate: Arc<InputGate>) {
    thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                gate.checkpoint();
                match event::poll(INPUT_POLL) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => {
                        let _ = tx.send(AppEvent::InputClosed);
                        return;
                    }
                }
                let sent = match event::read() {
                    Ok(Event::Key(key)) => tx.send(AppEvent::Key(key)),
                    Ok(Event::Mouse(mouse)) => tx.send(AppEvent::Mouse(mouse)),
                    Ok(Event::Resize(..)) => tx.send(AppEvent::Resize),
                    Ok(_) => Ok(()),
                    Err(_) => {
                        let _ = tx.send(AppEvent::InputClosed);
                        return;
                    }
                };
                if sent.is_err() {
                    return;
                }
            }
        })
        .ok();
}

/// Run until the app quits or input ends. `clock` gives the time in-flight bars grow to.
/// Effects (copy, edit) are refused: see `run_loop_with`.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &Receiver<AppEvent>,
    theme: &Theme,
    clock: impl Fn() -> i64,
) -> color_eyre::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    run_loop_with(terminal, app, events, theme, clock, &mut NoHost)
}

/// `run_loop`, with `host` carrying out the app's effects.
pub fn run_loop_with<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &Receiver<AppEvent>,
    theme: &Theme,
    clock: impl Fn() -> i64,
    host: &mut dyn Host<B>,
) -> color_eyre::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut dirty = true;
    // A key or click changed the view: draw it now, not at the next frame slot, and stop
    // applying queued batches first (with follow on, a frame was just drawn for the last
    // batch, so the cap alone would hold every key for most of a frame).
    let mut urgent = false;
    let mut last_draw: Option<Instant> = None;
    loop {
        if dirty {
            // Hold the frame until the cap allows it, still taking events meanwhile.
            let wait = match last_draw {
                Some(t) if !urgent => FRAME.saturating_sub(t.elapsed()),
                _ => Duration::ZERO,
            };
            if wait.is_zero() {
                draw(terminal, app, theme, clock())?;
                last_draw = Some(Instant::now());
                dirty = false;
                urgent = false;
            } else {
                match events.recv_timeout(wait) {
                    Ok(event) => take(app, event, &mut dirty, &mut urgent)?,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                }
            }
        } else {
            let timeout = if app.store.any_running() || app.preview_pending() {
                FRAME
            } else {
                Duration::from_secs(1)
            };
            match events.recv_timeout(timeout) {
                Ok(event) => take(app, event, &mut dirty, &mut urgent)?,
                // In-flight bars grow with the clock; "updated 3s ago" counts up.
                Err(RecvTimeoutError::Timeout) => {
                    dirty = app.store.any_running()
                        || app.watch.is_some()
                        || app.receiver.is_some()
                        || app.preview_pending()
                        || !app.remote.servers.is_empty();
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        // Drain what else is queued before drawing once, but only for so long: a large
        // load arrives as many batches, and keys queued behind them must still be seen.
        let drain_until = Instant::now() + DRAIN_BUDGET;
        while !urgent && Instant::now() < drain_until {
            match events.try_recv() {
                Ok(event) => take(app, event, &mut dirty, &mut urgent)?,
                Err(_) => break,
            }
        }
        app.announce_selection();
        for effect in app.take_effects() {
            if let Some(notice) = host.perform(terminal, effect) {
                app.notice = Some(notice);
            }
            dirty = true;
        }
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Apply one event; note whether it asks for a frame, and whether at once (input).
fn take(
    app: &mut App,
    event: AppEvent,
    dirty: &mut bool,
    urgent: &mut bool,
) -> color_eyre::Result<()> {
    let input = matches!(event, AppEvent::Key(_) | AppEvent::Mouse(_));
    let changed = handle(app, event)?;
    *dirty |= changed;
    *urgent |= input && changed;
    Ok(())
}

fn handle(app: &mut App, event: AppEvent) -> color_eyre::Result<bool> {
    Ok(match event {
        AppEvent::Key(key) => {
            debug_trigger(&key)?;
            app.handle_key(key)
        }
        AppEvent::Mouse(mouse) => app.handle_mouse(mouse),
        AppEvent::Resize => true,
        AppEvent::Ingested(updates) => {
            let changed = !updates.is_empty();
            app.ingest(updates);
            changed
        }
        AppEvent::Watch(status) => {
            app.watch = Some(status);
            true
        }
        AppEvent::Progress(progress) => {
            app.loading = Some(progress);
            true
        }
        AppEvent::Loaded => {
            app.loading = None;
            app.store.shrink_to_fit();
            crate::terminal::screen::release_free_memory();
            true
        }
        AppEvent::Receiver(status) => {
            app.receiver = Some(status);
            true
        }
        AppEvent::Rendered(report) => {
            app.rendered(*report);
            true
        }
        AppEvent::Remote(status) => {
            app.remote_status(status);
            true
        }
        AppEvent::InputClosed => {
            app.should_quit = true;
            true
        }
    })
}

/// Debug builds only: `TRACETUI_DEBUG_TRIGGER=panic` (or `error`) makes the key F12 panic (or
/// fail), so tests can prove the terminal is restored on both paths.
fn debug_trigger(key: &ratatui::crossterm::event::KeyEvent) -> color_eyre::Result<()> {
    if !cfg!(debug_assertions) || key.code != ratatui::crossterm::event::KeyCode::F(12) {
        return Ok(());
    }
    match std::env::var("TRACETUI_DEBUG_TRIGGER").as_deref() {
        Ok("panic") => panic!("debug trigger: a panic on request"),
        Ok("error") => Err(color_eyre::eyre::eyre!(
            "debug trigger: an error on request"
        )),
        _ => Ok(()),
    }
}

pub fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    now: i64,
) -> color_eyre::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    app.prepare(
        ratatui::layout::Rect::new(0, 0, size.width, size.height),
        now,
    );
    terminal.draw(|frame| ui::draw(frame, app, theme))?;
    Ok(())
}
