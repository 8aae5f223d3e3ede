//! What a request will cost to decode, counted on its bytes before anything is built from
//! them: a few bytes of (compressed) protobuf can declare a million spans, each a struct,
//! a JSON object and a model record once decoded. `--listen-max-body` bounds the bytes;
//! these bound what the bytes stand for: spans, resources and scopes, and every other
//! message (attributes, values, events) in one request, and how deep they nest. Past a
//! limit the request is refused (413) with what to do about it.

pub mod json;
pub mod protobuf;

/// Spans in one request. The OpenTelemetry Collector's batches are 8192 spans unless
/// configured otherwise; SDK exporters send 512.
pub const MAX_SPANS: u64 = 100_000;
/// Resources, and scopes, in one request (each alone: a resource per span is fine).
pub const MAX_RESOURCES: u64 = MAX_SPANS;
/// Every other message of a protobuf request: resource and scope descriptions,
/// attributes, their values, events, statuses.
pub const MAX_VALUES: u64 = 2_000_000;
/// Messages nested in messages (prost's own recursion limit).
pub const MAX_DEPTH: usize = 100;

/// What a request holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub resources: u64,
    pub scopes: u64,
    pub spans: u64,
    pub values: u64,
}

/// Why a request is not decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Over {
    /// Past a limit: the message says which and what to do.
    Limit(String),
    /// Not what the encoding says it is.
    Malformed(String),
}

impl Tally {
    /// The first limit this tally is past, if any. Counting stops at the first element
    /// past a limit, so the message says "more than" the limit, not how many were sent.
    pub fn over(&self) -> Option<Over> {
        let past = |what: &str, n: u64, max: u64| {
            (n > max).then(|| {
                Over::Limit(format!(
                    "the request holds more than {max} {what}; send smaller batches"
                ))
            })
        };
        past("spans", self.spans, MAX_SPANS)
            .or_else(|| past("resources", self.resources, MAX_RESOURCES))
            .or_else(|| past("scopes", self.scopes, MAX_RESOURCES))
            .or_else(|| past("attributes, values and events", self.values, MAX_VALUES))
    }
}

pub fn too_deep() -> Over {
    Over::Limit(format!(
        "values nested more than {MAX_DEPTH} levels deep; send flatter attributes"
    ))
}
