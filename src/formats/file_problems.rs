//! Problems found while reading one event file, by line: replaced as lines are read again,
//! capped so a file of garbage cannot fill memory, and handed out only when they changed.

use crate::model::Problem;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// At most this many problems are kept per file; the rest are counted.
const MAX_PROBLEMS: usize = 200;

#[derive(Debug)]
pub struct FileProblems {
    file: Arc<Path>,
    /// By line; line 0 is the file as a whole.
    problems: BTreeMap<u64, Problem>,
    dropped: u64,
    changed: bool,
}

impl FileProblems {
    pub fn new(file: Arc<Path>) -> Self {
        Self {
            file,
            problems: BTreeMap::new(),
            dropped: 0,
            changed: false,
        }
    }

    /// The file's name, as problems are located (`events.jsonl:12`).
    pub fn name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// A problem with the file as a whole (listed before the line problems).
    pub fn file(&mut self, message: String) {
        self.problems
            .insert(0, Problem::new(self.file.display().to_string(), message));
        self.changed = true;
    }

    pub fn clear_file(&mut self) {
        self.clear(0);
    }

    pub fn line(&mut self, line: u64, message: String) {
        if self.problems.len() >= MAX_PROBLEMS && !self.problems.contains_key(&line) {
            self.dropped += 1;
        } else {
            self.problems.insert(
                line,
                Problem::new(format!("{}:{line}", self.name()), message),
            );
        }
        self.changed = true;
    }

    /// A line read again without a problem.
    pub fn clear(&mut self, line: u64) {
        if self.problems.remove(&line).is_some() {
            self.changed = true;
        }
    }

    /// The file's problems, if they changed since the last call.
    pub fn take(&mut self) -> Option<Vec<Problem>> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        let mut list: Vec<Problem> = self.problems.values().cloned().collect();
        if self.dropped > 0 {
            list.push(Problem::new(
                self.name(),
                format!("{} more problems not listed", self.dropped),
            ));
        }
        Some(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_replaced_by_line_capped_and_reported_once() {
        let mut p = FileProblems::new(Arc::from(Path::new("/t/events.jsonl")));
        assert_eq!(p.take(), None);
        p.line(3, "not JSON".into());
        p.file("unreadable".into());
        let list = p.take().expect("changed");
        assert_eq!(list[0].to_string(), "/t/events.jsonl: unreadable");
        assert_eq!(list[1].to_string(), "events.jsonl:3: not JSON");
        assert_eq!(p.take(), None, "unchanged since");
        p.clear(3);
        p.clear_file();
        assert_eq!(p.take(), Some(vec![]));
        for line in 1..=(MAX_PROBLEMS as u64 + 5) {
            p.line(line, "bad".into());
        }
        let list = p.take().expect("changed");
        assert_eq!(list.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            list[MAX_PROBLEMS].message.as_ref(),
            "5 more problems not listed"
        );
    }
}
