//! A real MLflow tracking server (the pinned mlflow's `mlflow server` on a SQL store),
//! written to by the real client: its URL dumps the same sessions and spans as its own
//! database read directly and as the database's rows say; live, a new trace appears, an
//! opened trace's spans are fetched, and a server that stops is reported and recovered
//! from; and in tmux, a trace logged while the UI watches shows up. The server starts once
//! for the whole binary (it is slow to start); the tests take turns with it.

mod common;

use common::mlflow_rows::{assert_logged_traces, dumped, rows};
use common::mlflow_server;
use common::tmux::{Tmux, binary};
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use tracetui::app::App;
use tracetui::app::event::AppEvent;
use tracetui::ingest::mlflow_server::{Live, spawn};
use tracetui::model::time::Zone;

#[test]
fn dump_of_the_url_agrees_with_the_database_and_its_rows() {
    let mut guard = mlflow_server::lock();
    let server = guard.as_mut().expect("server");
    server.log_traces("1");
    let url = server.url();

    let by_url = common::dump_json(&[Path::new(&url)]);
    let by_db = common::dump_json(&[&server.db()]);
    let expected = rows(&server.db());
    assert!(
        expected.len() >= 4,
        "an agent with two children, and a failed trace"
    );
    assert_eq!(dumped(&by_url), expected);
    assert_eq!(dumped(&by_db), expected);
    // The same model but for where each session was read from.
    let text = |v: &serde_json::Value, from: &str| v.to_string().replace(from, "WHERE");
    assert_eq!(
        text(&by_url, &url),
        text(&by_db, &server.db().display().to_string())
    );

    assert_logged_traces(&by_url);

    // --experiment narrows it down by name or id; one the server lacks is refused. (Other
    // tests may have made experiments of their own on this server.)
    let tripwise_only = |dump: &serde_json::Value| {
        let mut dump = dump.clone();
        if let Some(sessions) = dump["sessions"].as_array_mut() {
            sessions.retain(|s| {
                s["note"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("experiment tripwise "))
            });
        }
        dump
    };
    let named = common::dump_json_with(&["--experiment", "tripwise"], &[Path::new(&url)]);
    assert_eq!(named, tripwise_only(&by_url));
    let default = common::dump_json_with(&["--experiment", "0"], &[Path::new(&url)]);
    assert_eq!(default["sessions"].as_array().map(Vec::len), Some(0));
    let out = common::tracetui(&["dump", &url, "--experiment", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no experiment named or numbered nope"));
    // The same for the database read directly.
    let db = server.db();
    assert_eq!(
        common::dump_json_with(&["--experiment", "tripwise"], &[&db]),
        tripwise_only(&by_db)
    );
    let default = common::dump_json_with(&["--experiment", "Default"], &[&db]);
    assert_eq!(default["sessions"].as_array().map(Vec::len), Some(0));

    // stats and export take the URL too.
    for args in [
        vec!["stats", url.as_str()],
        vec!["export", "--format", "otlp", url.as_str()],
    ] {
        let out = common::tracetui(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

/// Apply what the server's thread sends until `done` says so.
fn pump(app: &mut App, rx: &Receiver<AppEvent>, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(app) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        match rx.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(AppEvent::Ingested(updates)) => {
                app.ingest(updates);
                app.settle();
            }
            Ok(AppEvent::Remote(status)) => app.remote_status(status),
            _ => {}
        }
    }
}

fn server_error(app: &App) -> Option<String> {
    app.remote.servers.first().and_then(|s| s.error.clone())
}

#[test]
fn live_new_traces_open_traces_and_a_server_that_goes_away() {
    let mut guard = mlflow_server::lock();
    let server = guard.as_mut().expect("server");
    let url = server.url();
    server.log_traces("live1");
    let (tx, rx) = mpsc::sync_channel(64);
    let (want_tx, want_rx) = mpsc::channel();
    let live = Live {
        experiment: Some("tripwise".into()),
        poll_interval: Duration::from_millis(200),
        announce_loaded: true,
    };
    spawn(url.clone().into(), live, tx, want_rx).expect("spawn");
    let mut app = App::new(vec![url.clone().into()], Zone::Utc);
    let before = app_sessions_wanted(&server.db());
    pump(&mut app, &rx, "the traces already there", |a| {
        a.store.session_count() == before
    });
    // Summaries only: each trace is one row until it is opened, and that row is not
    // counted as a span.
    assert_eq!(app.store.span_count(), before);
    assert_eq!(app.store.stand_in_count(), before);
    let agent = find_session(&app, "agent_round_live1");
    want_tx.send(agent.clone()).expect("want");
    pump(&mut app, &rx, "the opened trace's spans", |a| {
        a.store.span_count() == before + 2
    });
    assert_eq!(app.store.stand_in_count(), before - 1);

    server.log_traces("live2");
    pump(&mut app, &rx, "a trace logged while polling", |a| {
        a.store.session_count() == before + 2
    });

    server.stop();
    pump(&mut app, &rx, "the server's failure reported", |a| {
        server_error(a).is_some()
    });
    let error = server_error(&app).unwrap_or_default();
    assert!(error.contains("unreachable"), "{error}");
    assert!(
        app.store
            .problems()
            .any(|p| p.message.contains("unreachable")),
        "the problems view says so too"
    );
    // What was shown stays shown.
    assert_eq!(app.store.session_count(), before + 2);

    server.start();
    pump(&mut app, &rx, "recovery", |a| server_error(a).is_none());
    pump(&mut app, &rx, "the problem cleared", |a| {
        !a.store
            .problems()
            .any(|p| p.message.contains("unreachable"))
    });
}

/// Sessions the server's database holds in the experiment the tests log to.
fn app_sessions_wanted(db: &Path) -> usize {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.query_row(
        "SELECT count(*) FROM trace_info t JOIN experiments e ON e.experiment_id = t.experiment_id
         WHERE e.name = 'tripwise'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .expect("count") as usize
}

fn find_session(app: &App, trace_name: &str) -> tracetui::model::SessionKey {
    app.store
        .sessions()
        .find(|(_, s)| s.note.as_deref().is_some_and(|n| n.contains(trace_name)))
        .map(|(_, s)| s.key.clone())
        .expect("the session")
}

#[test]
fn tmux_a_trace_logged_while_the_ui_watches_appears() {
    let mut guard = mlflow_server::lock();
    let server = guard.as_mut().expect("server");
    let url = server.url();
    server.log_traces("tmux1");
    let work = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start(140, 32, work.path());
    tmux.launch(&format!("{} {url} --poll-interval 500ms", binary()));
    let screen = tmux.wait_for("the server's traces", |s| {
        s.contains("agent_round_tmux1") && s.contains("LIVE")
    });
    // Not opened: the rows say so, and the totals do not count them as spans.
    assert!(screen.contains("spans not read"), "{screen}");
    assert!(screen.contains("traces unread)"), "{screen}");
    server.log_traces("tmux2");
    let screen = tmux.wait_for("a trace logged while watching", |s| {
        s.contains("agent_round_tmux2")
    });
    assert!(screen.contains("⇅ mlflow server"), "{screen}");

    // An experiment made while the UI watches (an agent's first run) is found by the next
    // poll, and its traces show.
    server.log_traces_in("tmuxnew", "made-while-watching");
    tmux.wait_for("a trace in an experiment made while watching", |s| {
        s.contains("agent_round_tmuxnew")
    });

    // The server goes away: the status bar says so, and what was shown stays.
    server.stop();
    let screen = tmux.wait_for("the server's failure in the status bar", |s| {
        s.contains("unreachable")
    });
    assert!(screen.contains(&format!("⇅ {url}")), "{screen}");
    assert!(screen.contains("agent_round_tmux2"), "{screen}");
    // Back again: tracetui recovers by itself and shows what was logged meanwhile.
    server.start();
    server.log_traces("tmux3");
    let screen = tmux.wait_for("recovery", |s| {
        s.contains("agent_round_tmux3") && !s.contains("unreachable")
    });
    assert!(screen.contains("⇅ mlflow server"), "{screen}");
}
