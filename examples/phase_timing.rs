//! Where `dump` spends its time, phase by phase, and how the model's memory is used
//! (development aid; see bench/run.sh for the published numbers).
//!
//! cargo run --release --example phase_timing -- FILE_OR_FOLDER [parse]
fn main() {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().expect("a path"));
    let only_parse = args.next().as_deref() == Some("parse");
    let t = std::time::Instant::now();
    let mut ing = tracetui::ingest::Ingestor::new(vec![path.clone()], Default::default());
    let updates = ing.scan(tracetui::model::time::now_ns());
    eprintln!("parse: {:?} ({} updates)", t.elapsed(), updates.len());
    if only_parse {
        return;
    }
    let t = std::time::Instant::now();
    let mut store = tracetui::model::Store::new();
    store.apply_all(updates);
    eprintln!("apply: {:?}", t.elapsed());
    let (held, used) = store
        .sessions()
        .map(|(_, s)| s.storage_bytes())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    eprintln!(
        "span storage: {} MB held, {} MB used",
        held >> 20,
        used >> 20
    );
    let t = std::time::Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create("/dev/null").expect("null"));
    tracetui::dump::json::write(&store, None, &mut out).expect("write");
    eprintln!("write: {:?}", t.elapsed());
}
