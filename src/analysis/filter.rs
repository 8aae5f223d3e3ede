//! The filter language, the same everywhere (`/` in the UI, `--filter` on the command line):
//! space-separated terms that must all hold.
//!
//! - `tool:github:create_issue` (or `tool:create_issue`, `tool:github:*`): the span's name
//! - `status:error` (`ok`, `error`, `incomplete`, `running`)
//! - `after:read_file`: spans right after a sibling named so (in time order)
//! - `since:24h`, `since:30m`, `since:2025-11-01`, `since:yesterday`
//! - `min:50ms`, `min:1.5s`: at least this long
//! - `kind:capability` (`execution`, `tool_call`, `poml_call`, ...)
//! - anything else: text, searched in names, ids and payloads (case-insensitive;
//!   `"two words"` in quotes)

use crate::model::time::{NS_PER_MS, NS_PER_SEC, Nanos, Zone};
use crate::model::{Status, Store};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// The expression as typed.
    pub expr: String,
    pub(crate) terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Term {
    Tool(Glob),
    Status(Status),
    After(Glob),
    Since(Nanos),
    Min(Nanos),
    Kind(String),
    Text(String),
}

impl Filter {
    /// Parse `expr`; relative times count back from `now_ns`, dates are in `zone`.
    pub fn parse(expr: &str, now_ns: Nanos, zone: Zone) -> Result<Self, String> {
        let mut terms = Vec::new();
        for token in tokens(expr)? {
            let term = match token.split_once(':') {
                Some(("tool", v)) if !v.is_empty() => Term::Tool(Glob::new(v)),
                Some(("after", v)) if !v.is_empty() => Term::After(Glob::new(v)),
                Some(("status", v)) => Term::Status(status(v)?),
                Some(("since", v)) => Term::Since(since(v, now_ns, zone)?),
                Some(("min", v)) => Term::Min(duration(v)?),
                Some(("kind", v)) if !v.is_empty() => Term::Kind(v.to_ascii_lowercase()),
                _ => Term::Text(token.to_lowercase()),
            };
            terms.push(term);
        }
        Ok(Self {
            expr: expr.trim().to_string(),
            terms,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether any term needs the spans' payloads read (free text).
    pub fn reads_payloads(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Text(_)))
    }

    /// The terms that can be decided from the model alone, for one span.
    pub(crate) fn matches_structure(
        &self,
        store: &Store,
        session: &crate::model::Session,
        id: crate::model::SpanId,
    ) -> bool {
        let span = session.span(id);
        self.terms.iter().all(|term| match term {
            // A POML call matches the tools its messages carry requests for.
            Term::Tool(glob) => {
                glob.matches_span(store, span)
                    || match &span.payload {
                        crate::model::Payload::Poml(call) => {
                            call.prompt.as_ref().is_some_and(|p| {
                                p.tool_calls.iter().any(|(_, name)| glob.matches_tool(name))
                            })
                        }
                        _ => false,
                    }
            }
            Term::Status(s) => span.status == *s,
            Term::After(glob) => session
                .previous_sibling(id)
                .is_some_and(|p| glob.matches_span(store, session.span(p))),
            Term::Since(t) => span.start_ns().is_some_and(|s| s >= *t),
            Term::Min(d) => span.duration_ns().is_some_and(|x| x >= *d),
            Term::Kind(k) => span.kind.as_str() == k,
            Term::Text(_) => true,
        })
    }

    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|t| match t {
            Term::Text(s) => Some(s.as_str()),
            _ => None,
        })
    }
}

/// Split on spaces, keeping `"quoted phrases"` whole.
fn tokens(expr: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in expr.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

fn status(v: &str) -> Result<Status, String> {
    match v.to_ascii_lowercase().as_str() {
        "ok" | "success" => Ok(Status::Ok),
        "error" | "failed" | "fail" => Ok(Status::Error),
        "incomplete" => Ok(Status::Incomplete),
        "running" => Ok(Status::Running),
        _ => Err(format!("status:{v}: use ok, error, incomplete or running")),
    }
}

/// `50ms`, `1.5s`, `2m`, `1h`, `250us`; a bare number is milliseconds.
pub fn duration(v: &str) -> Result<Nanos, String> {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{v:?} is not a duration (like 50ms or 1.5s)"))?;
    let scale = match unit {
        "" | "ms" => NS_PER_MS as f64,
        "us" | "µs" => 1_000.0,
        "ns" => 1.0,
        "s" => NS_PER_SEC as f64,
        "m" | "min" => 60.0 * NS_PER_SEC as f64,
        "h" => 3600.0 * NS_PER_SEC as f64,
        "d" => 86_400.0 * NS_PER_SEC as f64,
        _ => return Err(format!("{v:?}: unknown unit {unit:?} (ms, s, m, h, d)")),
    };
    Ok((n * scale) as Nanos)
}

/// `24h` (ago), `2025-11-01`, `2025-11-01T10:00`, `today`, `yesterday`.
fn since(v: &str, now_ns: Nanos, zone: Zone) -> Result<Nanos, String> {
    let midnight = |days_back: i64| -> Result<Nanos, String> {
        let today = chrono::DateTime::from_timestamp_nanos(now_ns);
        let date = match zone {
            Zone::Utc => today.date_naive(),
            Zone::Local => today.with_timezone(&chrono::Local).date_naive(),
        } - Duration::days(days_back);
        zone.from_naive(date.and_time(NaiveTime::MIN))
            .ok_or_else(|| format!("since:{v}: no such local time"))
    };
    match v {
        "today" => return midnight(0),
        "yesterday" => return midnight(1),
        _ => {}
    }
    if let Ok(date) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return zone
            .from_naive(date.and_time(NaiveTime::MIN))
            .ok_or_else(|| format!("since:{v}: no such local time"));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return zone
                .from_naive(t)
                .ok_or_else(|| format!("since:{v}: no such local time"));
        }
    }
    duration(v)
        .map(|d| now_ns - d)
        .map_err(|_| format!("since:{v}: use an age like 24h or a date like 2025-11-01"))
}

/// A name pattern with `*` wildcards, case-insensitive. A pattern without `:` also
/// matches the part of `server:name` after the colon.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Glob(String);

impl Glob {
    fn new(pattern: &str) -> Self {
        Self(pattern.to_lowercase())
    }

    /// A span's name, or the tool it names (`execute_tool get_weather` is `get_weather`).
    fn matches_span(&self, store: &Store, span: &crate::model::Span) -> bool {
        let name = store.name(span.name);
        let tool = crate::model::span::tool_name(span.kind, name);
        self.matches_tool(name) || (tool != name && self.matches_tool(tool))
    }

    fn matches_tool(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        if wildcard(&self.0, &name) {
            return true;
        }
        !self.0.contains(':')
            && name
                .split_once(':')
                .is_some_and(|(_, tool)| wildcard(&self.0, tool))
    }
}

fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Nanos = 1_700_000_000_000_000_000;

    fn parse(expr: &str) -> Filter {
        Filter::parse(expr, NOW, Zone::Utc).expect("parses")
    }

    #[test]
    fn terms() {
        let f = parse(
            "tool:github:create_issue status:error min:50ms since:24h \"rate limit\" kind:tool_call",
        );
        assert_eq!(
            f.terms,
            vec![
                Term::Tool(Glob::new("github:create_issue")),
                Term::Status(Status::Error),
                Term::Min(50 * NS_PER_MS),
                Term::Since(NOW - 24 * 3600 * NS_PER_SEC),
                Term::Text("rate limit".into()),
                Term::Kind("tool_call".into()),
            ]
        );
        assert!(f.reads_payloads());
        assert!(!parse("status:ok").reads_payloads());
    }

    #[test]
    fn dates_and_errors() {
        assert_eq!(
            parse("since:2023-11-14").terms,
            vec![Term::Since(1_699_920_000 * NS_PER_SEC)]
        );
        assert_eq!(
            parse("since:yesterday").terms,
            vec![Term::Since(1_699_833_600 * NS_PER_SEC)]
        );
        assert!(
            Filter::parse("status:weird", NOW, Zone::Utc)
                .unwrap_err()
                .contains("status:weird")
        );
        assert!(Filter::parse("min:fast", NOW, Zone::Utc).is_err());
        assert!(Filter::parse("\"open", NOW, Zone::Utc).is_err());
        assert!(parse("  ").is_empty());
        // Unknown keys are text (a URL, say).
        assert_eq!(parse("http://x").terms, vec![Term::Text("http://x".into())]);
    }

    #[test]
    fn globs() {
        assert!(Glob::new("read_file").matches_tool("filesystem:read_file"));
        assert!(Glob::new("filesystem:*").matches_tool("filesystem:write_file"));
        assert!(Glob::new("*issue").matches_tool("github:create_issue"));
        assert!(!Glob::new("github:read_file").matches_tool("filesystem:read_file"));
        assert!(Glob::new("Planner").matches_tool("planner"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxbyy"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("1.5s"), Ok(1_500 * NS_PER_MS));
        assert_eq!(duration("200"), Ok(200 * NS_PER_MS));
        assert_eq!(duration("2m"), Ok(120 * NS_PER_SEC));
        assert!(duration("5 parsecs").is_err());
    }
}
