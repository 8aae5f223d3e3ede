//! Watching the opened paths: notify's recommended watcher, recursive on each folder, with
//! notify's poll watcher when the native one fails (or on `--poll`). A file opened on its own
//! is watched through its folder, so a new file put in its place (rotation) is seen. Reads
//! and access-time changes are dropped in the callback; what is left goes to the ingest
//! thread as paths. A path that does not exist yet is waited for through its nearest existing
//! ancestor.

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How deep folders are watched around ones that cannot be watched.
const MAX_SPINE_DEPTH: usize = 16;

#[derive(Debug, PartialEq, Eq)]
pub enum WatchMsg {
    /// These paths may have changed.
    Paths(Vec<PathBuf>),
    /// Events were lost (a queue overflow): look at everything again.
    Rescan,
    Error(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Native,
    Poll,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Native => "native",
            Backend::Poll => "poll",
        }
    }
}

pub struct Watch {
    watcher: Box<dyn Watcher + Send>,
    backend: Backend,
    tx: Sender<WatchMsg>,
    poll_interval: Duration,
    roots: Vec<PathBuf>,
    /// Roots not there yet, each with the ancestor watched in its place.
    waiting: Vec<(PathBuf, PathBuf)>,
    /// Folders watched on their own because a recursive watch failed below them (a folder
    /// that may not be read): new folders made in them are watched as they come (`grow`).
    spine: Vec<PathBuf>,
    pub last_error: Option<String>,
}

/// Keep what can change the model; drop reads. Metadata changes stay: the poll watcher
/// reports a write as a new modification time, and a permission change can make a file
/// readable or not.
fn filter(result: notify::Result<notify::Event>) -> Option<WatchMsg> {
    match result {
        Ok(event) if event.need_rescan() => Some(WatchMsg::Rescan),
        Ok(event) => match event.kind {
            EventKind::Access(_)
            | EventKind::Modify(ModifyKind::Metadata(
                MetadataKind::AccessTime | MetadataKind::Extended,
            )) => None,
            _ if event.paths.is_empty() => None,
            _ => Some(WatchMsg::Paths(event.paths)),
        },
        Err(e) => Some(WatchMsg::Error(e.to_string())),
    }
}

fn handler(tx: Sender<WatchMsg>) -> impl Fn(notify::Result<notify::Event>) + Send + 'static {
    move |result| {
        if let Some(msg) = filter(result) {
            let _ = tx.send(msg);
        }
    }
}

fn poll_watcher(tx: &Sender<WatchMsg>, interval: Duration) -> notify::Result<PollWatcher> {
    PollWatcher::new(
        handler(tx.clone()),
        Config::default().with_poll_interval(interval),
    )
}

impl Watch {
    /// Watch every root; never fails outright: problems end up in `last_error`.
    pub fn start(
        roots: &[PathBuf],
        force_poll: bool,
        poll_interval: Duration,
        tx: Sender<WatchMsg>,
    ) -> notify::Result<Self> {
        let (watcher, backend): (Box<dyn Watcher + Send>, Backend) = if force_poll {
            (Box::new(poll_watcher(&tx, poll_interval)?), Backend::Poll)
        } else {
            match RecommendedWatcher::new(handler(tx.clone()), Config::default()) {
                Ok(w) => (Box::new(w), Backend::Native),
                Err(_) => (Box::new(poll_watcher(&tx, poll_interval)?), Backend::Poll),
            }
        };
        let mut watch = Self {
            watcher,
            backend,
            tx,
            poll_interval,
            roots: Vec::new(),
            waiting: Vec::new(),
            spine: Vec::new(),
            last_error: None,
        };
        for root in roots {
            watch.add(root.clone());
        }
        Ok(watch)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Roots that do not exist yet.
    pub fn waiting(&self) -> Vec<PathBuf> {
        self.waiting.iter().map(|(root, _)| root.clone()).collect()
    }

    fn add(&mut self, root: PathBuf) {
        if !root.exists() {
            if let Some(ancestor) = existing_ancestor(&root) {
                let _ = self.watcher.watch(&ancestor, RecursiveMode::NonRecursive);
                self.waiting.push((root, ancestor));
            } else {
                self.waiting.push((root, PathBuf::new()));
            }
            return;
        }
        let (path, mode) = watched(&root);
        if let Err(e) = self.watcher.watch(&path, mode) {
            if self.backend == Backend::Native
                && mode == RecursiveMode::Recursive
                && self
                    .watcher
                    .watch(&path, RecursiveMode::NonRecursive)
                    .is_ok()
            {
                // The folder itself can be watched: something below it cannot (a folder
                // that may not be read, which discovery reports). Watch around it
                // natively rather than poll the whole tree.
                self.watch_below(&path, MAX_SPINE_DEPTH);
            } else if self.backend == Backend::Native {
                // inotify limits and the like: fall back to polling everything.
                self.last_error = Some(format!("native watcher failed ({e}); polling instead"));
                self.switch_to_poll();
            } else {
                self.last_error = Some(format!("cannot watch {}: {e}", root.display()));
            }
        }
        self.roots.push(root);
    }

    /// `dir` is watched on its own: watch each folder in it recursively where that works,
    /// and around the ones where it does not, down to `depth` levels.
    fn watch_below(&mut self, dir: &Path, depth: usize) {
        self.spine
            .push(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let folders: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        for folder in folders {
            self.watch_folder(&folder, depth);
        }
    }

    fn watch_folder(&mut self, folder: &Path, depth: usize) {
        if self.watcher.watch(folder, RecursiveMode::Recursive).is_ok() {
            return;
        }
        if depth > 0
            && self
                .watcher
                .watch(folder, RecursiveMode::NonRecursive)
                .is_ok()
        {
            self.watch_below(folder, depth - 1);
        }
    }

    /// Folders made in a folder watched on its own (see `spine`) are watched too.
    pub fn grow(&mut self, paths: &[PathBuf]) {
        if self.spine.is_empty() {
            return;
        }
        for path in paths {
            if path
                .parent()
                .is_some_and(|p| self.spine.iter().any(|s| s == p))
                && path.is_dir()
                && !self.spine.contains(path)
            {
                self.watch_folder(path, MAX_SPINE_DEPTH);
            }
        }
    }

    fn switch_to_poll(&mut self) {
        let Ok(poll) = poll_watcher(&self.tx, self.poll_interval) else {
            return;
        };
        self.watcher = Box::new(poll);
        self.backend = Backend::Poll;
        for root in &self.roots {
            let (path, mode) = watched(root);
            let _ = self.watcher.watch(&path, mode);
        }
        for (_, ancestor) in &self.waiting {
            let _ = self.watcher.watch(ancestor, RecursiveMode::NonRecursive);
        }
    }

    /// Start watching roots that have appeared; returns them.
    pub fn check_waiting(&mut self) -> Vec<PathBuf> {
        let (ready, still): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|(root, _)| root.exists());
        for (_, ancestor) in &ready {
            if !ancestor.as_os_str().is_empty() {
                let _ = self.watcher.unwatch(ancestor);
            }
        }
        // Ancestors may now be closer to the roots still waiting; re-point them.
        self.waiting = Vec::new();
        for (root, ancestor) in still {
            let closer = existing_ancestor(&root);
            if closer.as_ref() != Some(&ancestor) {
                if !ancestor.as_os_str().is_empty() {
                    let _ = self.watcher.unwatch(&ancestor);
                }
                self.add(root);
            } else {
                self.waiting.push((root, ancestor));
            }
        }
        let ready: Vec<PathBuf> = ready.into_iter().map(|(root, _)| root).collect();
        for root in &ready {
            self.add(root.clone());
        }
        ready
    }
}

/// What to watch for a root: a folder itself (recursively), a file through its folder
/// (only the folder's own entries: a recursive watch of `.` for one file would watch a whole
/// tree). A watch on the file itself would follow its inode when it is renamed away, and
/// miss the new file put at its path.
fn watched(root: &Path) -> (PathBuf, RecursiveMode) {
    if root.is_dir() {
        return (root.to_path_buf(), RecursiveMode::Recursive);
    }
    let folder = match root.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => root.to_path_buf(),
    };
    (folder, RecursiveMode::NonRecursive)
}

fn existing_ancestor(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    absolute
        .ancestors()
        .skip(1)
        .find(|a| a.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, Flag, MetadataKind};

    fn event(kind: EventKind) -> notify::Result<notify::Event> {
        Ok(notify::Event::new(kind).add_path(PathBuf::from("/t/0001.x.poml")))
    }

    #[test]
    fn reads_are_dropped_and_writes_and_permission_changes_kept() {
        assert_eq!(filter(event(EventKind::Access(AccessKind::Any))), None);
        assert_eq!(
            filter(event(EventKind::Modify(ModifyKind::Metadata(
                MetadataKind::AccessTime
            )))),
            None
        );
        // The poll watcher reports a write as a new modification time; chmod can make a
        // file readable.
        for kind in [
            MetadataKind::WriteTime,
            MetadataKind::Permissions,
            MetadataKind::Any,
        ] {
            assert!(
                matches!(
                    filter(event(EventKind::Modify(ModifyKind::Metadata(kind)))),
                    Some(WatchMsg::Paths(_))
                ),
                "{kind:?}"
            );
        }
        assert_eq!(
            filter(event(EventKind::Create(CreateKind::File))),
            Some(WatchMsg::Paths(vec![PathBuf::from("/t/0001.x.poml")]))
        );
        assert!(matches!(
            filter(event(EventKind::Modify(ModifyKind::Data(DataChange::Any)))),
            Some(WatchMsg::Paths(_))
        ));
    }

    #[test]
    fn overflow_asks_for_a_rescan() {
        let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(filter(Ok(overflow)), Some(WatchMsg::Rescan));
        let err = notify::Error::generic("boom");
        assert_eq!(filter(Err(err)), Some(WatchMsg::Error("boom".into())));
    }

    #[test]
    fn missing_paths_wait_on_an_existing_ancestor() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("later/pomlruns");
        let (tx, _rx) = std::sync::mpsc::channel();
        let mut watch = Watch::start(
            std::slice::from_ref(&root),
            true,
            Duration::from_millis(50),
            tx,
        )
        .expect("watch");
        assert_eq!(watch.waiting(), vec![root.clone()]);
        assert!(watch.check_waiting().is_empty());
        std::fs::create_dir_all(&root).expect("mkdir");
        assert_eq!(watch.check_waiting(), vec![root]);
        assert!(watch.waiting().is_empty());
    }
}
