//! Which traces' spans are held in memory, least recently opened first out: a bound on the
//! bytes the server sent for them and on their number, so browsing a server of 100k traces
//! keeps only what was looked at lately.

use std::collections::HashMap;

#[derive(Debug)]
pub struct Cache {
    max_bytes: usize,
    max_traces: usize,
    bytes: usize,
    tick: u64,
    /// Per trace id: when it was last opened, and the bytes its spans came in.
    held: HashMap<String, (u64, usize)>,
}

impl Cache {
    pub fn new(max_bytes: usize, max_traces: usize) -> Self {
        Self {
            max_bytes,
            max_traces: max_traces.max(1),
            bytes: 0,
            tick: 0,
            held: HashMap::new(),
        }
    }

    /// Without a bound (a headless pass needs every trace).
    pub fn unbounded() -> Self {
        Self::new(usize::MAX, usize::MAX)
    }

    /// `id` was opened (again): it is now the last to go.
    pub fn touch(&mut self, id: &str) {
        self.tick += 1;
        if let Some(entry) = self.held.get_mut(id) {
            entry.0 = self.tick;
        }
    }

    /// `id`'s spans are held, `bytes` of them; the ids that must go to make room, never
    /// `id` itself.
    pub fn insert(&mut self, id: &str, bytes: usize) -> Vec<String> {
        self.tick += 1;
        if let Some((_, old)) = self.held.insert(id.to_string(), (self.tick, bytes)) {
            self.bytes -= old;
        }
        self.bytes += bytes;
        let mut out = Vec::new();
        while (self.bytes > self.max_bytes || self.held.len() > self.max_traces)
            && self.held.len() > 1
        {
            let Some(oldest) = self
                .held
                .iter()
                .filter(|(k, _)| k.as_str() != id)
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.remove(&oldest);
            out.push(oldest);
        }
        out
    }

    pub fn remove(&mut self, id: &str) {
        if let Some((_, bytes)) = self.held.remove(id) {
            self.bytes -= bytes;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_opened_goes_first() {
        let mut cache = Cache::new(100, 10);
        assert!(cache.insert("a", 40).is_empty());
        assert!(cache.insert("b", 40).is_empty());
        cache.touch("a");
        assert_eq!(cache.insert("c", 40), vec!["b".to_string()]);
        assert_eq!(cache.len(), 2);
        // One trace larger than the whole budget is still held while it is open.
        assert_eq!(cache.insert("d", 500).len(), 2);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_count_bound_too() {
        let mut cache = Cache::new(usize::MAX, 2);
        cache.insert("a", 1);
        cache.insert("b", 1);
        assert_eq!(cache.insert("c", 1), vec!["a".to_string()]);
    }
}
