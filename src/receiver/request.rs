//! One OTLP/HTTP request: whether it is one we take (route, method, content type and
//! coding, declared size), its body read and decompressed within the limit, decoded (JSON
//! or protobuf) into spans or log records, and the answers the OTLP spec asks for.

use super::ReceiverOptions;
use super::budget::{self, Over};
use super::http::{Answer, Body, Head};
use super::proto::{
    ExportLogsServiceRequest, ExportTracePartialSuccess, ExportTraceServiceRequest,
    ExportTraceServiceResponse,
};
use crate::formats::otlp::logs::ReadLogs;
use crate::formats::otlp::reader::BatchSpan;
use crate::model::{LineRef, SpanSource};
use prost::Message as _;
use std::borrow::Cow;
use std::io::{self, Read};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Protobuf,
}

/// What a request carries: `/v1/traces` or `/v1/logs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Traces,
    Logs,
}

/// What the head says about a request we take.
#[derive(Clone, Copy, Debug)]
pub struct Accepted {
    pub signal: Signal,
    pub encoding: Encoding,
    pub gzip: bool,
}

/// A refusal once the encoding is known: status code and why, answered in that encoding.
#[derive(Clone, Debug)]
pub struct Refusal(pub u16, pub String);

impl Refusal {
    pub fn answer(&self, encoding: Encoding) -> Answer {
        status_answer(self.0, encoding, &self.1)
    }
}

/// Route, method, content type and coding, and the declared size; the refusal otherwise.
pub fn check(head: &Head, options: &ReceiverOptions) -> Result<Accepted, Answer> {
    // Before the encoding is known (or when it is not one we speak), the answer is text.
    let refuse = |code, why: String| Answer::text(code, &why);
    let signal = match head.path.as_str() {
        "/v1/traces" => Signal::Traces,
        "/v1/logs" => Signal::Logs,
        other => {
            return Err(refuse(
                404,
                format!(
                    "no such endpoint: {}; use POST /v1/traces or /v1/logs",
                    crate::untrusted::sanitize::label(other)
                ),
            ));
        }
    };
    if head.method != "POST" {
        return Err(refuse(405, "use POST".into()).with_header("Allow", "POST"));
    }
    let content_type = head.header("Content-Type").map(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let encoding = match content_type.as_deref() {
        Some("application/json") => Encoding::Json,
        Some("application/x-protobuf" | "application/protobuf") => Encoding::Protobuf,
        other => {
            return Err(refuse(
                415,
                format!(
                    "unsupported content type {:?}; send application/json or application/x-protobuf",
                    crate::untrusted::sanitize::label(other.unwrap_or_default())
                ),
            ));
        }
    };
    let coding = head
        .header("Content-Encoding")
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let gzip = match coding.as_str() {
        "gzip" => true,
        "identity" | "" => false,
        other => {
            return Err(refuse(
                415,
                format!(
                    "unsupported content encoding {}",
                    crate::untrusted::sanitize::label(other)
                ),
            ));
        }
    };
    if let Ok(super::http::Framing::Length(n)) = head.framing()
        && n > options.max_body
    {
        return Err(status_answer(413, encoding, &too_large(options)));
    }
    Ok(Accepted {
        signal,
        encoding,
        gzip,
    })
}

fn too_large(options: &ReceiverOptions) -> String {
    format!(
        "request body over the {} limit (--listen-max-body)",
        super::limit_text(options.max_body)
    )
}

/// The body, decompressed, at most `max_body` bytes. A body that stops arriving before
/// the request's deadline is a 408.
pub fn read_body(
    body: &mut Body<'_>,
    gzip: bool,
    options: &ReceiverOptions,
) -> Result<Vec<u8>, Refusal> {
    let limit = options.max_body;
    let mut out = Vec::new();
    let read = if gzip {
        flate2::read::GzDecoder::new(&mut *body)
            .take(limit + 1)
            .read_to_end(&mut out)
    } else {
        (&mut *body).take(limit + 1).read_to_end(&mut out)
    };
    match read {
        Ok(_) if out.len() as u64 > limit => Err(Refusal(413, too_large(options))),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == io::ErrorKind::TimedOut => Err(Refusal(
            408,
            "the body did not arrive in time; send it faster, or smaller".into(),
        )),
        Err(e) => Err(Refusal(400, format!("cannot read the body: {e}"))),
    }
}

/// A body read into spans and log records.
pub struct Decoded<'a> {
    pub signal: Signal,
    /// The request as OTLP/JSON (the body itself when it came as JSON): the spans' and
    /// records' places are byte ranges into it, under `in_text`, until the state puts them
    /// in the recording or copies them out.
    pub text: Cow<'a, [u8]>,
    /// The stand-in file of places that are still ranges of `text`.
    pub in_text: Arc<std::path::Path>,
    pub spans: Vec<BatchSpan>,
    /// Log records (a logs request's), and why any could not be read.
    pub logs: ReadLogs,
    /// Why spans could not be read (the rest were).
    pub errors: Vec<String>,
    /// Sequences in strings that were not UTF-8, replaced with U+FFFD.
    pub not_utf8: u64,
}

/// The body's spans, and why any could not be read. What the body holds is counted
/// first, and a body that would cost too much to decode is refused before it is.
pub fn decode(signal: Signal, encoding: Encoding, body: &[u8]) -> Result<Decoded<'_>, Refusal> {
    let refuse = |over| match over {
        Over::Limit(why) => Refusal(413, why),
        Over::Malformed(why) => Refusal(400, why),
    };
    let (json, not_utf8) = match encoding {
        Encoding::Json => {
            // Bad bytes can only stand inside strings of JSON that parses.
            let (text, bad) = super::utf8::lossy(body);
            let json = match text {
                Cow::Borrowed(_) => Cow::Borrowed(body),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            };
            (json, bad)
        }
        Encoding::Protobuf if signal == Signal::Logs => {
            budget::protobuf::count_logs(body).map_err(refuse)?;
            // From `Bytes`, strings are slices of the body, not copies.
            let request = ExportLogsServiceRequest::decode(bytes::Bytes::copy_from_slice(body))
                .map_err(|e| Refusal(400, format!("not an OTLP protobuf logs request: {e}")))?;
            let written = super::proto_json::logs_to_json(&request);
            drop(request);
            (Cow::Owned(written.json), written.not_utf8)
        }
        Encoding::Protobuf => {
            budget::protobuf::count(body).map_err(refuse)?;
            let request = ExportTraceServiceRequest::decode(bytes::Bytes::copy_from_slice(body))
                .map_err(|e| Refusal(400, format!("not an OTLP protobuf request: {e}")))?;
            let written = super::proto_json::to_json(&request);
            drop(request);
            (Cow::Owned(written.json), written.not_utf8)
        }
    };
    if encoding == Encoding::Json {
        budget::json::count(&json).map_err(refuse)?;
    }
    // Places relative to the text: no copy of any span is made before the state decides
    // where bodies live.
    let in_text: Arc<std::path::Path> = Arc::from(std::path::Path::new(""));
    let base = json.as_ptr() as usize;
    let place = |raw: &serde_json::value::RawValue| {
        let span = raw.get();
        SpanSource::File {
            file: Arc::clone(&in_text),
            at: LineRef::new(1, (span.as_ptr() as usize - base) as u64, span.len()),
        }
    };
    let read = crate::formats::otlp::reader::read(&json, &place).map_err(|e| Refusal(400, e))?;
    // A JSON body is read as what it holds; each route takes its own signal only.
    let (spans, errors, logs) = match signal {
        Signal::Traces => (read.spans, read.errors, ReadLogs::default()),
        Signal::Logs => (Vec::new(), Vec::new(), read.logs),
    };
    Ok(Decoded {
        signal,
        text: json,
        in_text,
        spans,
        logs,
        errors,
        not_utf8,
    })
}

/// What a client is told about text that was not UTF-8.
pub fn not_utf8_warning(n: u64) -> String {
    format!("{n} sequences of bytes in strings were not UTF-8; they were kept as U+FFFD")
}

/// Rejected spans named in a partial success at most; the rest are counted.
const ERRORS_SAID: usize = 10;

/// The success answer: an empty response, or partial success naming rejected spans and
/// any warning (the spec's partial success with nothing rejected).
pub fn success(
    encoding: Encoding,
    signal: Signal,
    errors: &[String],
    warning: Option<String>,
) -> Answer {
    let mut said: Vec<String> = errors[..errors.len().min(ERRORS_SAID)].to_vec();
    if errors.len() > ERRORS_SAID {
        said.push(format!("and {} more", errors.len() - ERRORS_SAID));
    }
    said.extend(warning);
    let partial = (!said.is_empty()).then(|| ExportTracePartialSuccess {
        rejected_spans: errors.len() as i64,
        error_message: said.join("; "),
    });
    // ExportLogsServiceResponse has the same fields and numbers; only JSON names differ.
    let body = match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: partial,
        }
        .encode_to_vec(),
        Encoding::Json => {
            let rejected = match signal {
                Signal::Traces => "rejectedSpans",
                Signal::Logs => "rejectedLogRecords",
            };
            let body = match partial {
                Some(p) => serde_json::json!({"partialSuccess": {
                    rejected: p.rejected_spans.to_string(),
                    "errorMessage": p.error_message,
                }}),
                None => serde_json::json!({}),
            };
            body.to_string().into_bytes()
        }
    };
    Answer::new(200, content_type(encoding), body)
}

/// An error answer: `google.rpc.Status` in the request's encoding (its message field only).
pub fn status_answer(code: u16, encoding: Encoding, message: &str) -> Answer {
    let body = match encoding {
        Encoding::Json => serde_json::json!({"message": message})
            .to_string()
            .into_bytes(),
        Encoding::Protobuf => super::proto::RpcStatus {
            code: 0,
            message: message.into(),
        }
        .encode_to_vec(),
    };
    Answer::new(code, content_type(encoding), body)
}

fn content_type(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Json => "application/json",
        Encoding::Protobuf => "application/x-protobuf",
    }
}
