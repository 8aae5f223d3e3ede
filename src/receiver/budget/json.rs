//! An OTLP/JSON request counted before it is read: its resources, scopes and spans, each
//! span skipped over (spans are kept as their raw text, so what is inside costs nothing
//! until it is read). Nothing is allocated for what is counted.

use super::{Over, Tally};
use serde::de::{Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Count the resources, scopes and spans of an OTLP/JSON request. JSON that is not a
/// batch is refused here, in the words the batch reader would use: reading it on would
/// build what was not counted.
pub fn count(body: &[u8]) -> Result<Tally, Over> {
    serde_json::from_slice::<Batch>(body)
        .and_then(|batch| {
            // Each list stops at its own limit; together they must stay within it too.
            let (s, l) = (batch.resources.tally, batch.logs.tally);
            let tally = Tally {
                resources: s.resources + l.resources,
                scopes: s.scopes + l.scopes,
                spans: s.spans + l.spans,
                values: s.values + l.values,
            };
            match tally.over() {
                Some(Over::Limit(why)) => Err(serde::de::Error::custom(format!("{LIMIT}{why}"))),
                _ => Ok(tally),
            }
        })
        .map_err(|e| match e.to_string().strip_prefix(LIMIT) {
            Some(why) => Over::Limit(why.split(" at line ").next().unwrap_or(why).to_string()),
            None => Over::Malformed(crate::formats::json::describe(e)),
        })
}

const LIMIT: &str = "limit: ";

// The shape of `formats::otlp::Batch`, with each list counted instead of kept.

#[derive(serde::Deserialize)]
struct Batch {
    #[serde(rename = "resourceSpans", alias = "resource_spans", default)]
    resources: Counted<Resource>,
    /// Log records count as spans: each is kept as its raw text, as a span is.
    #[serde(rename = "resourceLogs", alias = "resource_logs", default)]
    logs: Counted<LogsResource>,
}

#[derive(serde::Deserialize)]
struct LogsResource {
    #[serde(rename = "scopeLogs", alias = "scope_logs", default)]
    scopes: Counted<LogsScope>,
    #[serde(
        rename = "instrumentationLibraryLogs",
        alias = "instrumentation_library_logs",
        default
    )]
    library: Counted<LogsScope>,
}

#[derive(serde::Deserialize)]
struct LogsScope {
    #[serde(rename = "logRecords", alias = "log_records", default)]
    records: Counted<IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct Resource {
    #[serde(rename = "scopeSpans", alias = "scope_spans", default)]
    scopes: Counted<Scope>,
    #[serde(
        rename = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        default
    )]
    library: Counted<Scope>,
}

#[derive(serde::Deserialize)]
struct Scope {
    #[serde(default)]
    spans: Counted<IgnoredAny>,
}

/// What a list element adds to the tally.
trait Counts {
    fn add_to(&self, tally: &mut Tally);
}

impl Counts for Resource {
    fn add_to(&self, tally: &mut Tally) {
        tally.resources += 1;
        for scopes in [&self.scopes, &self.library] {
            tally.scopes += scopes.tally.scopes;
            tally.spans += scopes.tally.spans;
        }
    }
}

impl Counts for LogsResource {
    fn add_to(&self, tally: &mut Tally) {
        tally.resources += 1;
        for scopes in [&self.scopes, &self.library] {
            tally.scopes += scopes.tally.scopes;
            tally.spans += scopes.tally.spans;
        }
    }
}

impl Counts for LogsScope {
    fn add_to(&self, tally: &mut Tally) {
        tally.scopes += 1;
        tally.spans += self.records.tally.spans;
    }
}

impl Counts for Scope {
    fn add_to(&self, tally: &mut Tally) {
        tally.scopes += 1;
        tally.spans += self.spans.tally.spans;
    }
}

impl Counts for IgnoredAny {
    fn add_to(&self, tally: &mut Tally) {
        tally.spans += 1;
    }
}

/// A list, counted element by element and not kept; stops at the first limit passed.
struct Counted<T> {
    tally: Tally,
    _of: PhantomData<T>,
}

impl<T> Default for Counted<T> {
    fn default() -> Self {
        Self {
            tally: Tally::default(),
            _of: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de> + Counts> Deserialize<'de> for Counted<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Each<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Counts> Visitor<'de> for Each<T> {
            type Value = Counted<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut counted = Counted::default();
                while let Some(item) = seq.next_element::<T>()? {
                    item.add_to(&mut counted.tally);
                    if let Some(Over::Limit(why)) = counted.tally.over() {
                        return Err(serde::de::Error::custom(format!("{LIMIT}{why}")));
                    }
                }
                Ok(counted)
            }
        }
        d.deserialize_seq(Each(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receiver::budget::MAX_SPANS;

    #[test]
    fn log_records_count_as_spans_and_share_the_limit() {
        let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{},{"body":[[[]]]}]}]},
            {"instrumentationLibraryLogs":[{"logRecords":[{}]}]}],
            "resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}"#;
        assert_eq!(
            count(body),
            Ok(Tally {
                resources: 3,
                scopes: 3,
                spans: 4,
                values: 0
            })
        );
        let many = format!(
            r#"{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{}{{}}]}}]}}]}}"#,
            "{},".repeat(MAX_SPANS as usize)
        );
        assert!(matches!(count(many.as_bytes()), Err(Over::Limit(_))));
    }

    #[test]
    fn resources_scopes_and_spans_are_counted() {
        let body = br#"{"resourceSpans":[{"resource":{"attributes":[]},
            "scopeSpans":[{"spans":[{"spanId":"a","attributes":[[[[]]]]},{}]},{"spans":[]}]},
            {"instrumentationLibrarySpans":[{"spans":[{}]}]},{}]}"#;
        assert_eq!(
            count(body),
            Ok(Tally {
                resources: 3,
                scopes: 3,
                spans: 3,
                values: 0
            })
        );
        // What is inside a span is skipped, however deep.
        let deep = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"a":{}{}}}]}}]}}]}}"#,
            "[".repeat(500),
            "]".repeat(500)
        );
        assert_eq!(count(deep.as_bytes()).map(|t| t.spans), Ok(1));
        for bad in [
            &b"{not json"[..],
            br#"{"resourceSpans":5}"#,
            br#"{"resourceSpans":[{}"#,
        ] {
            let batch = crate::formats::otlp::reader::read_batch(bad, &|_| unreachable!());
            assert_eq!(
                count(bad),
                Err(Over::Malformed(batch.err().expect("an error")))
            );
        }
    }

    #[test]
    fn counting_stops_past_a_limit() {
        let spans = vec!["{}"; MAX_SPANS as usize + 1].join(",");
        let body = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{spans}]}}]}}]}}"#);
        let Err(Over::Limit(why)) = count(body.as_bytes()) else {
            panic!("over the span limit");
        };
        assert_eq!(
            why,
            format!("the request holds more than {MAX_SPANS} spans; send smaller batches")
        );
        let resources = vec!["{}"; MAX_SPANS as usize + 1].join(",");
        let body = format!(r#"{{"resourceSpans":[{resources}]}}"#);
        assert!(matches!(count(body.as_bytes()), Err(Over::Limit(m)) if m.contains("resources")));
    }
}
