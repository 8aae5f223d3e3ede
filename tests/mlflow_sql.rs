//! MLflow's SQL store (`mlflow.db`), written by the real mlflow client: read directly,
//! read-only, as a path, a `sqlite:///` URI or the folder holding it, each giving the same
//! sessions and spans as the database's own rows say; and live, a trace logged while
//! tracetui watches appears through the real watcher.

mod common;

use common::mlflow_rows::{assert_logged_traces, dumped, rows};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tracetui::app::App;
use tracetui::app::event::AppEvent;
use tracetui::ingest::Options;
use tracetui::ingest::live::{self, LiveOptions};
use tracetui::model::time::Zone;

fn log_traces(db: &Path, round: &str) {
    common::mlflow_server::log_traces(&db.display().to_string(), round);
}

/// Every file in `dir` with its size and modification time: reading must change none.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| {
            let m = e.metadata().expect("meta");
            (e.path(), m.len(), m.modified().expect("mtime"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_sql_store_reads_as_its_rows_say_by_path_uri_and_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("mlflow.db");
    log_traces(&db, "1");
    let before = snapshot(dir.path());

    let by_path = common::dump_json(&[&db]);
    let uri = format!("sqlite:///{}", db.display());
    let by_uri = common::dump_json(&[Path::new(&uri)]);
    let by_folder = common::dump_json(&[dir.path()]);
    assert_eq!(by_path, by_uri);
    assert_eq!(by_path, by_folder);

    let expected = rows(&db);
    assert_eq!(
        expected.len(),
        4,
        "an agent with two children, and a failed trace"
    );
    assert_eq!(dumped(&by_path), expected);
    assert_logged_traces(&by_path);

    assert_eq!(
        snapshot(dir.path()),
        before,
        "nothing written beside the database"
    );
}

#[test]
fn a_trace_logged_while_watching_appears() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("mlflow.db");
    log_traces(&db, "1");
    let (tx, rx) = mpsc::sync_channel(16);
    let live_options = LiveOptions {
        rescan_every: Duration::from_secs(3600),
        ..LiveOptions::default()
    };
    live::spawn(vec![db.clone()], Options::default(), live_options, tx).expect("spawn");
    let mut app = App::new(vec![db.clone()], Zone::Utc);
    let pump = |app: &mut App, what: &str, sessions: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while app.store.session_count() != sessions {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}");
            if let Ok(AppEvent::Ingested(updates)) = rx.recv_timeout(left) {
                app.ingest(updates);
                app.settle();
            }
        }
    };
    pump(&mut app, "the first round", 2);
    log_traces(&db, "2");
    pump(&mut app, "the second round, through the watcher", 4);
}
