//! The floor for reading a JSON Lines trace: parse each line with serde_json and keep only
//! ids and times. `bench/run.sh` compares `tracetui dump` with this.
//!
//! cargo run --release --example jsonl_baseline -- FILE

use serde::Deserialize;
use std::io::{BufRead, BufReader};

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    id: Option<&'a str>,
    #[serde(borrow)]
    parent_id: Option<&'a str>,
    timestamp: Option<i64>,
    duration_ms: Option<f64>,
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: jsonl_baseline FILE");
    let file = std::fs::File::open(&path).expect("open");
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut kept: Vec<(String, Option<String>, i64, f64)> = Vec::new();
    while reader.read_until(b'\n', &mut line).expect("read") > 0 {
        if let Ok(e) = serde_json::from_slice::<Event>(&line) {
            kept.push((
                e.id.unwrap_or_default().to_string(),
                e.parent_id.map(str::to_string),
                e.timestamp.unwrap_or_default(),
                e.duration_ms.unwrap_or_default(),
            ));
        }
        line.clear();
    }
    println!("{} events", kept.len());
}
