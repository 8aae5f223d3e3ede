//! Live latency: a writer lays down realistic POML calls (files of the real corpus, in
//! poml's write order) in a watched folder while the real watcher, ingest thread and app
//! run; it reports how long after a call's result.json was written the model held the
//! finished call, and how long until a frame showing it was drawn.
//!
//! cargo bench --bench live_latency [-- --calls N --poll]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tracetui::app::App;
use tracetui::app::event::AppEvent;
use tracetui::ingest::Options;
use tracetui::ingest::live::{self, LiveOptions};
use tracetui::model::time::Zone;
use tracetui::model::{Payload, Status};

const SESSION: &str = "20261121123900861020";

/// The files of the corpus session's calls, grouped by call, in poml's write order.
fn templates(corpus: &Path) -> Vec<Vec<(String, PathBuf)>> {
    let dir = corpus.join("public/pomlruns").join(SESSION);
    let mut calls: std::collections::BTreeMap<String, Vec<(String, PathBuf)>> = Default::default();
    for entry in fs::read_dir(&dir).expect("corpus session").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((index, rest)) = name.split_once('.') else {
            continue;
        };
        let Some((call, suffix)) = rest.split_once('.') else {
            continue;
        };
        calls
            .entry(format!("{index}.{call}"))
            .or_default()
            .push((format!(".{suffix}"), entry.path()));
    }
    let order = [
        ".poml",
        ".env",
        ".source.poml",
        ".context.json",
        ".stylesheet.json",
        ".result.json",
        ".result.txt",
    ];
    calls
        .into_values()
        .map(|mut files| {
            files.sort_by_key(|(s, _)| order.iter().position(|o| o == s).unwrap_or(order.len()));
            files
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let calls: usize = args
        .iter()
        .position(|a| a == "--calls")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(300);
    let poll = args.iter().any(|a| a == "--poll");

    let corpus = tempfile::tempdir().expect("tempdir");
    let tarball = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus-public.tar.gz");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        fs::File::open(tarball).expect("fixture"),
    ));
    archive.unpack(corpus.path()).expect("unpack");
    let templates = templates(corpus.path());

    let root = tempfile::tempdir().expect("tempdir");
    let session = root.path().join("20261121140000000000");
    let (tx, rx) = mpsc::sync_channel(16);
    let live_options = LiveOptions {
        poll,
        ..LiveOptions::default()
    };
    live::spawn(
        vec![root.path().to_path_buf()],
        Options::default(),
        live_options,
        tx,
    )
    .expect("spawn");
    let mut app = App::new(vec![root.path().to_path_buf()], Zone::Utc);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    let theme = tracetui::ui::Theme::colored();
    fs::create_dir(&session).expect("mkdir");

    let written: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; calls]));
    let writer = {
        let written = Arc::clone(&written);
        let session = session.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            for i in 0..calls {
                let files = &templates[i % templates.len()];
                let name = files[0]
                    .1
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                let stem = name.split('.').nth(1).unwrap_or("call").to_string();
                let prefix = format!("{:04}.{stem}", i + 1);
                for (suffix, source) in files {
                    let target = session.join(format!("{prefix}{suffix}"));
                    if suffix == ".source.poml" {
                        let _ = std::os::unix::fs::symlink(
                            fs::read_link(source).unwrap_or_default(),
                            &target,
                        );
                        continue;
                    }
                    if suffix == ".poml" {
                        fs::write(&target, b"").expect("reserve");
                    }
                    fs::copy(source, &target).expect("copy");
                    if suffix == ".result.json" {
                        written.lock().expect("lock")[i] = Some(Instant::now());
                    }
                }
                // Calls come some milliseconds apart (real ones about a second).
                thread::sleep(Duration::from_millis(20 + (i as u64 * 7) % 40));
            }
        })
    };

    let mut to_model = Vec::new();
    let mut to_frame = Vec::new();
    let mut seen = vec![false; calls];
    let deadline = Instant::now() + Duration::from_secs(60 + calls as u64 / 5);
    while seen.iter().any(|s| !s) && Instant::now() < deadline {
        let event = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(e) => e,
            Err(_) => continue,
        };
        let AppEvent::Ingested(updates) = event else {
            continue;
        };
        app.ingest(updates);
        let arrived = Instant::now();
        let mut fresh = Vec::new();
        for (_, s) in app.store.sessions() {
            for id in s.spans_in_order() {
                let span = s.span(id);
                let Some(i) = span.index().map(|i| i as usize - 1) else {
                    continue;
                };
                let complete = span.status == Status::Ok
                    && matches!(&span.payload, Payload::Poml(c) if c.prompt.is_some());
                if i < calls && complete && !seen[i] {
                    seen[i] = true;
                    fresh.push(i);
                }
            }
        }
        tracetui::terminal::run::draw(
            &mut terminal,
            &mut app,
            &theme,
            tracetui::model::time::now_ns(),
        )
        .expect("draw");
        let drawn = Instant::now();
        let written = written.lock().expect("lock");
        for i in fresh {
            if let Some(t) = written[i] {
                to_model.push(arrived.saturating_duration_since(t));
                to_frame.push(drawn.saturating_duration_since(t));
            }
        }
    }
    writer.join().expect("writer");
    drain(&rx);
    assert!(!to_model.is_empty(), "no call arrived");
    to_model.sort();
    to_frame.sort();
    println!(
        "live latency ({} watcher, {} calls, {} measured)",
        if poll { "poll" } else { "native" },
        calls,
        to_model.len()
    );
    println!("{:<22} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "max ms");
    for (label, v) in [
        ("write -> model", &to_model),
        ("write -> drawn frame", &to_frame),
    ] {
        println!(
            "{label:<22} {:>8.1} {:>8.1} {:>8.1}",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.95)),
            ms(*v.last().expect("values"))
        );
    }
}

fn drain(rx: &Receiver<AppEvent>) {
    while rx.try_recv().is_ok() {}
}
