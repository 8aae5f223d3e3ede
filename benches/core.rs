//! Criterion benches: parse+apply throughput for each format, tree build at 10k and 1M
//! spans, and one key press plus full-screen render with 1M spans loaded.
//!
//! cargo bench --bench core

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use tracetui::app::{App, Node};
use tracetui::ingest::{self, Options};
use tracetui::model::Store;
use tracetui::model::time::{Zone, now_ns};

#[path = "support/gen.rs"]
mod generate;

fn options() -> Options {
    Options::default()
}

fn size_of_tree(path: &Path) -> u64 {
    if path.is_file() {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    }
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| size_of_tree(&e.path()))
        .sum()
}

fn load(path: &Path) -> Store {
    ingest::load(&[path.to_path_buf()], options(), now_ns())
}

fn parse_apply(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pml = dir.path().join("events.jsonl");
    generate::pml(&pml, 100_000);
    let poml = dir.path().join("pomlruns");
    generate::poml(&poml, 2, 200);
    let otlp = dir.path().join("otlp.jsonl");
    generate::otlp(&otlp, 100_000);
    let mut group = c.benchmark_group("parse+apply");
    group.sample_size(10);
    for (name, path) in [
        ("pml jsonl 100k events", &pml),
        ("poml 400 calls", &poml),
        ("otlp jsonl 100k spans", &otlp),
    ] {
        group.throughput(Throughput::Bytes(size_of_tree(path)));
        group.bench_function(name, |b| b.iter(|| black_box(load(path).span_count())));
    }
    group.finish();
}

/// An app holding `events` generated PML events, every session open (the worst case).
fn app_with(events: u64) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("events.jsonl");
    generate::pml(&path, events);
    let mut app = App::new(vec![path.clone()], Zone::Utc);
    app.follow = false;
    let mut ingestor = ingest::Ingestor::new(vec![path], options());
    app.ingest(ingestor.scan(now_ns()));
    app.settle();
    (dir, app)
}

fn tree_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("tree build");
    group.sample_size(10);
    for events in [10_000u64, 1_000_000] {
        let (_dir, mut app) = app_with(events);
        let sessions: Vec<Node> = app
            .store
            .sessions()
            .map(|(s, _)| Node::Session(s))
            .collect();
        for &s in &sessions {
            app.tree.set_open(&app.store, s, true);
        }
        let spans = app.store.span_count();
        group.throughput(Throughput::Elements(spans as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(spans),
            &sessions,
            |b, sessions| {
                let mut open = true;
                b.iter(|| {
                    // Toggling a node forces the rows to be built again.
                    open = !open;
                    app.tree.set_open(&app.store, sessions[0], open);
                    app.tree.refresh(&app.store);
                    black_box(app.tree.rows().len())
                });
            },
        );
    }
    group.finish();
}

fn render(c: &mut Criterion) {
    let (_dir, mut app) = app_with(1_000_000);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    let theme = tracetui::ui::Theme::colored();
    let now = now_ns();
    tracetui::terminal::run::draw(&mut terminal, &mut app, &theme, now).expect("draw");
    let mut group = c.benchmark_group("key press to frame, 1M spans");
    group.sample_size(50);
    let mut down = true;
    group.bench_function("j/k + prepare + draw 120x40", |b| {
        b.iter(|| {
            down = !down;
            let key = if down { 'j' } else { 'k' };
            app.handle_key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE));
            tracetui::terminal::run::draw(&mut terminal, &mut app, &theme, now).expect("draw");
        });
    });
    group.finish();
}

criterion_group!(benches, parse_apply, tree_build, render);
criterion_main!(benches);
