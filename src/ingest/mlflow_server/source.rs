//! What tracetui knows of one tracking server, and turning what the server answers into
//! model updates: summaries page by page (newest first), a trace's spans when it is opened
//! (or, headless, every trace's), and only what changed on each poll. No threads here: the
//! caller decides when to ask (see `mod.rs`).

use super::cache::Cache;
use super::client::{self, Client, Failure};
use crate::formats::mlflow::rest::{self, Summary};
use crate::formats::mlflow::trace::{PENDING_KEY, session_key};
use crate::model::{Problem, SessionKey, Update};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A poll searches traces that started this long before the newest one seen: MLflow logs a
/// trace when it ends, stamped with its start, so a long trace lands behind newer ones.
const LOOKBACK_MS: i64 = 10 * 60 * 1000;
/// The most pages one poll reads (a burst larger than this is caught by the next full pass).
const POLL_PAGES: usize = 20;
/// In-progress traces older than the poll window looked up one by one, at most, per poll.
const RECHECK_MAX: usize = 50;

#[derive(Debug)]
struct Known {
    summary: Summary,
    /// The keys of its spans, once fetched; `None` while only the summary row shows.
    spans: Option<BTreeSet<Box<str>>>,
}

/// One walk through search pages: the whole server (which also finds deleted traces), or
/// the window a poll looks at.
#[derive(Debug, Default)]
pub struct Listing {
    filter: Option<String>,
    token: Option<String>,
    pages: usize,
    /// Set on a full walk: the ids seen, so the rest are known to be gone.
    seen: Option<HashSet<String>>,
}

impl Listing {
    pub fn full() -> Self {
        Self {
            seen: Some(HashSet::new()),
            ..Self::default()
        }
    }

    pub fn is_full(&self) -> bool {
        self.seen.is_some()
    }
}

#[derive(Debug)]
pub struct ServerSource {
    client: Client,
    /// The URL as given: every session's path and the origin of the server's problems.
    origin: PathBuf,
    experiment: Option<String>,
    /// The experiments read: (id, name), narrowed to `--experiment` when given.
    experiments: Vec<(String, String)>,
    traces: HashMap<String, Known>,
    cache: Cache,
    /// Fetch every trace's spans as it is listed (`dump` and the other headless commands).
    fetch_all: bool,
    /// Traces opened before their spans were there (in progress): fetched when they change.
    awaited: HashSet<String>,
    newest_ms: Option<i64>,
}

impl ServerSource {
    pub fn new(origin: &Path, experiment: Option<String>, cache: Cache, fetch_all: bool) -> Self {
        Self {
            client: Client::new(&origin.to_string_lossy()),
            origin: origin.to_path_buf(),
            experiment,
            experiments: Vec::new(),
            traces: HashMap::new(),
            cache,
            fetch_all,
            awaited: HashSet::new(),
            newest_ms: None,
        }
    }

    pub fn trace_count(&self) -> usize {
        self.traces.len()
    }

    /// Add the experiments made since the list was read (an agent's first run calls
    /// `set_experiment("new")` while tracetui watches): the newest few, in one request.
    pub fn read_newer_experiments(&mut self) -> Result<(), Failure> {
        let body = self.client.newest_experiments()?;
        let page = rest::experiments(&body).map_err(Failure::BadData)?;
        for (id, name) in page.items {
            if self.wanted(&id, &name) && !self.experiments.iter().any(|(known, _)| *known == id) {
                self.experiments.push((id, name));
            }
        }
        Ok(())
    }

    /// Whether `--experiment` (a name or an id) takes this experiment; without it, all.
    fn wanted(&self, id: &str, name: &str) -> bool {
        self.experiment
            .as_ref()
            .is_none_or(|want| want == id || want == name)
    }

    /// Read the experiment list (every page), narrowed to `--experiment`.
    pub fn read_experiments(&mut self) -> Result<(), Failure> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let body = self.client.experiments(token.as_deref())?;
            let page = rest::experiments(&body).map_err(Failure::BadData)?;
            all.extend(page.items);
            match page.next {
                Some(t) if token.as_ref() != Some(&t) => token = Some(t),
                _ => break,
            }
        }
        all.retain(|(id, name)| self.wanted(id, name));
        if let Some(want) = &self.experiment
            && all.is_empty()
        {
            return Err(Failure::Status(
                404,
                format!("no experiment named or numbered {want}"),
            ));
        }
        self.experiments = all;
        Ok(())
    }

    /// The listing a poll walks: traces started since shortly before the newest one seen.
    pub fn poll_listing(&self) -> Listing {
        Listing {
            filter: self
                .newest_ms
                .map(|ms| format!("trace.timestamp_ms >= {}", ms.saturating_sub(LOOKBACK_MS))),
            ..Listing::default()
        }
    }

    /// Read the next page of `listing`; `Ok(true)` while there are more to read.
    pub fn page(&mut self, listing: &mut Listing, out: &mut Vec<Update>) -> Result<bool, Failure> {
        // The whole list on a full walk (experiments deleted or renamed), the newest at the
        // start of every poll (experiments made since).
        if self.experiments.is_empty() || (listing.pages == 0 && listing.is_full()) {
            self.read_experiments()?;
        } else if listing.pages == 0 {
            self.read_newer_experiments()?;
        }
        let ids: Vec<String> = self.experiments.iter().map(|(id, _)| id.clone()).collect();
        let size = if listing.pages == 0 {
            client::FIRST_PAGE_SIZE
        } else {
            client::PAGE_SIZE
        };
        let body = self.client.search_traces(
            &ids,
            listing.filter.as_deref(),
            listing.token.as_deref(),
            size,
        )?;
        let rest::Page {
            items: summaries,
            problems,
            next,
        } = rest::trace_page(&body).map_err(Failure::BadData)?;
        listing.pages += 1;
        if !problems.is_empty() {
            out.push(Update::Problems {
                session: None,
                origin: format!("{} page {}", self.origin.display(), listing.pages).into(),
                problems: problems
                    .into_iter()
                    .map(|p| Problem::new(self.origin.display().to_string(), p))
                    .collect(),
            });
        }
        for summary in summaries {
            if let Some(seen) = &mut listing.seen {
                seen.insert(summary.id.clone());
            }
            self.apply(summary, out);
        }
        let more = next.is_some()
            && next != listing.token
            && (listing.is_full() || listing.pages < POLL_PAGES);
        listing.token = next;
        if !more && let Some(seen) = listing.seen.take() {
            self.drop_unseen(&seen, out);
        }
        Ok(more)
    }

    /// In-progress traces older than the poll window: looked up by id until they end.
    pub fn recheck_in_progress(&mut self, out: &mut Vec<Update>) -> Result<(), Failure> {
        let since = self.newest_ms.map(|ms| ms.saturating_sub(LOOKBACK_MS));
        let stale: Vec<String> = self
            .traces
            .values()
            .filter(|k| k.summary.in_progress())
            .filter(|k| k.summary.request_time_ms() < since)
            .map(|k| k.summary.id.clone())
            .take(RECHECK_MAX)
            .collect();
        for id in stale {
            let body = self.client.trace_info(&id)?;
            match rest::trace_info(&body) {
                Ok(summary) => self.apply(summary, out),
                Err(e) => out.push(self.session_problems(&id, vec![e])),
            }
        }
        Ok(())
    }

    /// The session `key` was opened: fetch its spans unless they are held.
    pub fn open(&mut self, key: &SessionKey, out: &mut Vec<Update>) -> Result<(), Failure> {
        let Some(id) = key.strip_prefix("mlflow:") else {
            return Ok(());
        };
        match self.traces.get(id) {
            Some(known) if known.spans.is_some() => {
                self.cache.touch(id);
                Ok(())
            }
            Some(_) => self.fetch(&id.to_string(), out),
            None => Ok(()),
        }
    }

    /// A summary as listed: new or changed traces are reported, and refetched if their
    /// spans were held (or every trace is wanted).
    fn apply(&mut self, summary: Summary, out: &mut Vec<Update>) {
        if let Some(ms) = summary.request_time_ms() {
            self.newest_ms = Some(self.newest_ms.map_or(ms, |n| n.max(ms)));
        }
        let held = match self.traces.get(&summary.id) {
            Some(known) if known.summary == summary => return,
            Some(known) => known.spans.is_some(),
            None => false,
        };
        let experiment = self
            .experiments
            .iter()
            .find(|(id, _)| *id == summary.experiment)
            .map(|(_, name)| name.as_str());
        let session = rest::session(&self.origin, &summary, experiment);
        let key = session.key.clone();
        out.push(Update::Session(session));
        let id = summary.id.clone();
        if !held {
            out.push(Update::Span {
                session: key,
                span: rest::summary_span(&summary),
            });
        }
        let spans = self.traces.remove(&id).and_then(|k| k.spans);
        self.traces.insert(id.clone(), Known { summary, spans });
        if held || self.fetch_all || self.awaited.contains(&id) {
            // A failure here is the trace's, not the server's: the summary row stays.
            if let Err(e) = self.fetch(&id, out) {
                out.push(self.session_problems(&id, vec![e.message()]));
            }
        }
    }

    /// Fetch a trace's spans and put them in place of what it showed.
    fn fetch(&mut self, id: &String, out: &mut Vec<Update>) -> Result<(), Failure> {
        let key = session_key(id);
        let in_progress = self.traces.get(id).is_some_and(|k| k.summary.in_progress());
        let body = match self.client.trace_data(id) {
            Ok(b) => b,
            // Not exported yet: the summary row (running) stays until it is.
            Err(Failure::Status(404, _)) if in_progress => {
                self.awaited.insert(id.clone());
                return Ok(());
            }
            Err(e @ (Failure::Status(..) | Failure::BadData(_))) => {
                out.push(self.session_problems(id, vec![e.message()]));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let (spans, mut problems) = match rest::spans(&body, id) {
            Ok(read) => read,
            Err(e) => (Vec::new(), vec![Problem::new(id.clone(), e)]),
        };
        if spans.is_empty() {
            if in_progress {
                self.awaited.insert(id.clone());
            }
            out.push(Update::Problems {
                session: Some(key),
                origin: self.origin.display().to_string().into(),
                problems,
            });
            return Ok(());
        }
        self.awaited.remove(id);
        let keys: BTreeSet<Box<str>> = spans.iter().map(|s| s.key.clone()).collect();
        let before = self
            .traces
            .get_mut(id)
            .and_then(|k| k.spans.replace(keys.clone()));
        match before {
            Some(before) => {
                for gone in before.difference(&keys) {
                    out.push(Update::RemoveSpan {
                        session: key.clone(),
                        key: gone.clone(),
                    });
                }
            }
            None => out.push(Update::RemoveSpan {
                session: key.clone(),
                key: PENDING_KEY.into(),
            }),
        }
        for span in spans {
            out.push(Update::Span {
                session: key.clone(),
                span,
            });
        }
        problems.shrink_to_fit();
        out.push(Update::Problems {
            session: Some(key),
            origin: self.origin.display().to_string().into(),
            problems,
        });
        for evicted in self.cache.insert(id, body.len()) {
            self.evict(&evicted, out);
        }
        Ok(())
    }

    /// Let go of a trace's spans: it shows its summary row again until opened once more.
    fn evict(&mut self, id: &str, out: &mut Vec<Update>) {
        let Some(known) = self.traces.get_mut(id) else {
            return;
        };
        let key = session_key(id);
        for span in known.spans.take().into_iter().flatten() {
            out.push(Update::RemoveSpan {
                session: key.clone(),
                key: span,
            });
        }
        out.push(Update::Span {
            session: key,
            span: rest::summary_span(&known.summary),
        });
    }

    fn drop_unseen(&mut self, seen: &HashSet<String>, out: &mut Vec<Update>) {
        let gone: Vec<String> = self
            .traces
            .keys()
            .filter(|id| !seen.contains(*id))
            .cloned()
            .collect();
        for id in gone {
            self.traces.remove(&id);
            self.cache.remove(&id);
            self.awaited.remove(&id);
            out.push(Update::RemoveSession {
                key: session_key(&id),
            });
        }
    }

    fn session_problems(&self, id: &str, problems: Vec<String>) -> Update {
        Update::Problems {
            session: Some(session_key(id)),
            origin: self.origin.display().to_string().into(),
            problems: problems
                .into_iter()
                .map(|p| Problem::new(id.to_string(), p))
                .collect(),
        }
    }
}
