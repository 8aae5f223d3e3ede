//! An ingestor and a store over one opened root, told path by path what changed, exactly
//! as the watcher would tell it: live ingest without a terminal or a watcher.

use std::path::{Path, PathBuf};
use tracetui::ingest::{Ingestor, Options};
use tracetui::model::Store;
use tracetui::model::time::now_ns;

pub fn options() -> Options {
    Options::default()
}

pub struct Live {
    pub ingestor: Ingestor,
    pub store: Store,
}

impl Live {
    pub fn open(root: &Path) -> Self {
        let mut ingestor = Ingestor::new(vec![root.to_path_buf()], options());
        let mut store = Store::new();
        store.apply_all(ingestor.scan(now_ns()));
        Self { ingestor, store }
    }

    /// Report one changed path; returns every problem text the updates carried.
    pub fn changed(&mut self, path: &Path) -> Vec<String> {
        self.changed_at(path, now_ns())
    }

    pub fn changed_at(&mut self, path: &Path, now: i64) -> Vec<String> {
        self.changed_all(&[path.to_path_buf()], now)
    }

    /// Report several paths as one batch of events.
    pub fn changed_all(&mut self, paths: &[PathBuf], now: i64) -> Vec<String> {
        let updates = self.ingestor.changed(paths, now);
        let problems = problems_in(&updates);
        self.store.apply_all(updates);
        problems
    }

    pub fn recheck(&mut self, now: i64) -> Vec<String> {
        let updates = self.ingestor.recheck(now);
        let problems = problems_in(&updates);
        self.store.apply_all(updates);
        problems
    }

    pub fn span(&self, key: &str) -> Option<&tracetui::model::Span> {
        self.store
            .sessions()
            .find_map(|(_, s)| s.find(key).and_then(|id| s.get(id)))
    }

    pub fn json(&self) -> serde_json::Value {
        let mut out = Vec::new();
        tracetui::dump::json::write(&self.store, None, &mut out).expect("dump");
        serde_json::from_slice(&out).expect("json")
    }
}

fn problems_in(updates: &[tracetui::model::Update]) -> Vec<String> {
    use tracetui::model::Update;
    updates
        .iter()
        .flat_map(|u| match u {
            Update::Span { span, .. } => span.problems.iter().map(ToString::to_string).collect(),
            Update::Problems { problems, .. } => problems.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        })
        .collect()
}
