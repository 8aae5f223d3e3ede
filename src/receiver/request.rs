//! One OTLP/HTTP request: route, limits, decoding (JSON or protobuf, gzip or not), the
//! memory policy, delivery, and the answer the OTLP spec asks for.

use super::proto::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use super::{Delivery, ReceiverOptions, ReceiverStatus, Sink};
use crate::formats::otlp::reader::{BatchSpan, emit, read_batch};
use crate::model::{Problem, SessionKey, SpanSource, Update};
use prost::Message as _;
use std::collections::HashSet;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response};

pub struct State {
    options: ReceiverOptions,
    /// How received sessions name their path.
    origin: PathBuf,
    sessions: HashSet<SessionKey>,
    status: ReceiverStatus,
    /// The memory limit was reached (and said once).
    over_memory: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Json,
    Protobuf,
}

/// A refusal: status code and why.
struct Refusal(u16, String);

impl State {
    pub fn new(addr: SocketAddr, options: ReceiverOptions) -> Self {
        Self {
            origin: PathBuf::from(format!("http://{addr}/v1/traces")),
            status: ReceiverStatus {
                addr: addr.to_string(),
                ..ReceiverStatus::default()
            },
            options,
            sessions: HashSet::new(),
            over_memory: false,
        }
    }

    /// Answer one request; false once nobody takes spans any more.
    pub fn handle(&mut self, mut req: Request, sink: &impl Sink) -> bool {
        self.status.requests += 1;
        let encoding = match self.check(&req) {
            Ok(e) => e,
            Err(Refusal(code, why)) => {
                self.status.refused += 1;
                respond(req, code, Encoding::Json, why.into_bytes());
                sink.status(&self.status);
                return true;
            }
        };
        let outcome = self
            .body(&mut req)
            .and_then(|body| self.decode(encoding, &body));
        let (spans, errors) = match outcome {
            Ok(read) => read,
            Err(Refusal(code, why)) => {
                self.status.refused += 1;
                respond(req, code, encoding, status_message(encoding, &why));
                sink.status(&self.status);
                return true;
            }
        };
        let count = spans.len() as u64;
        let (updates, held) = self.updates(spans);
        match sink.deliver(updates) {
            Delivery::Delivered => {
                self.status.spans += count;
                self.status.rejected += errors.len() as u64;
                self.status.held_bytes += held;
                let body = success(encoding, &errors);
                respond(req, 200, encoding, body);
                sink.status(&self.status);
                true
            }
            Delivery::Full => {
                // Nothing was kept: the client retries later, nothing is lost.
                self.status.refused += 1;
                let mut response = Response::from_data(status_message(
                    encoding,
                    "tracetui is behind; retry shortly",
                ))
                .with_status_code(503);
                if let Ok(h) = Header::from_bytes("Retry-After", "1") {
                    response.add_header(h);
                }
                let _ = req.respond(response);
                sink.status(&self.status);
                true
            }
            Delivery::Closed => {
                respond(
                    req,
                    503,
                    encoding,
                    status_message(encoding, "shutting down"),
                );
                false
            }
        }
    }

    fn check(&self, req: &Request) -> Result<Encoding, Refusal> {
        let path = req.url().split('?').next().unwrap_or("");
        if path != "/v1/traces" {
            return Err(Refusal(
                404,
                format!("no such endpoint: {path}; use POST /v1/traces"),
            ));
        }
        if *req.method() != Method::Post {
            return Err(Refusal(405, "use POST".into()));
        }
        let header = |name: &'static str| {
            req.headers()
                .iter()
                .find(|h| h.field.equiv(name))
                .map(|h| h.value.as_str().to_ascii_lowercase())
        };
        let encoding = match header("Content-Type")
            .as_deref()
            .map(|t| t.split(';').next().unwrap_or("").trim().to_string())
        {
            Some(t) if t == "application/json" => Encoding::Json,
            Some(t) if t == "application/x-protobuf" || t == "application/protobuf" => {
                Encoding::Protobuf
            }
            other => {
                return Err(Refusal(
                    415,
                    format!(
                        "unsupported content type {:?}; send application/json or application/x-protobuf",
                        other.unwrap_or_default()
                    ),
                ));
            }
        };
        if let Some(enc) = header("Content-Encoding")
            && !matches!(enc.as_str(), "gzip" | "identity" | "")
        {
            return Err(Refusal(415, format!("unsupported content encoding {enc}")));
        }
        if req
            .body_length()
            .is_some_and(|n| n as u64 > self.options.max_body)
        {
            return Err(Refusal(413, self.too_large()));
        }
        Ok(encoding)
    }

    fn too_large(&self) -> String {
        format!(
            "request body over the {} limit",
            crate::fsread::human_size(self.options.max_body)
        )
    }

    /// The body, decompressed, at most `max_body` bytes.
    fn body(&self, req: &mut Request) -> Result<Vec<u8>, Refusal> {
        let limit = self.options.max_body;
        let gzip = req.headers().iter().any(|h| {
            h.field.equiv("Content-Encoding") && h.value.as_str().eq_ignore_ascii_case("gzip")
        });
        let mut body = Vec::new();
        let read = if gzip {
            flate2::read::GzDecoder::new(req.as_reader())
                .take(limit + 1)
                .read_to_end(&mut body)
        } else {
            req.as_reader().take(limit + 1).read_to_end(&mut body)
        };
        read.map_err(|e| Refusal(400, format!("cannot read the body: {e}")))?;
        if body.len() as u64 > limit {
            return Err(Refusal(413, self.too_large()));
        }
        Ok(body)
    }

    fn decode(
        &self,
        encoding: Encoding,
        body: &[u8],
    ) -> Result<(Vec<BatchSpan>, Vec<String>), Refusal> {
        let json;
        let bytes = match encoding {
            Encoding::Json => body,
            Encoding::Protobuf => {
                let request = ExportTraceServiceRequest::decode(body)
                    .map_err(|e| Refusal(400, format!("not an OTLP protobuf request: {e}")))?;
                json = serde_json::to_vec(&super::proto::to_json(&request))
                    .map_err(|e| Refusal(500, e.to_string()))?;
                &json
            }
        };
        let place =
            |raw: &serde_json::value::RawValue| SpanSource::Memory(Arc::from(raw.get().as_bytes()));
        read_batch(bytes, &place).map_err(|e| Refusal(400, e))
    }

    /// Updates for the spans, applying the memory policy. Returns the bytes now held.
    fn updates(&mut self, spans: Vec<BatchSpan>) -> (Vec<Update>, u64) {
        let mut out = Vec::new();
        let mut held = 0u64;
        for mut span in spans {
            if let SpanSource::Memory(bytes) = &span.source {
                let size = bytes.len() as u64;
                if self.status.held_bytes + held + size > self.options.max_memory {
                    span.source = SpanSource::Memory(skeleton(bytes));
                    self.status.bodies_dropped += 1;
                    if !self.over_memory {
                        self.over_memory = true;
                        out.push(Update::Problems {
                            session: None,
                            origin: self.origin.display().to_string().into(),
                            problems: vec![Problem::new(
                                self.origin.display().to_string(),
                                format!(
                                    "received spans passed the {} memory limit: later spans keep their name, times and status, not their attributes and events (--listen-memory raises it)",
                                    crate::fsread::human_size(self.options.max_memory)
                                ),
                            )],
                        });
                    }
                } else {
                    held += size;
                }
            }
            emit(span, &self.origin, &mut self.sessions, &mut out);
        }
        (out, held)
    }
}

/// A span's JSON without its attributes and events: what is kept past the memory limit.
fn skeleton(bytes: &[u8]) -> Arc<[u8]> {
    let Ok(serde_json::Value::Object(mut obj)) = serde_json::from_slice(bytes) else {
        return Arc::from(&b"{}"[..]);
    };
    obj.remove("attributes");
    obj.remove("events");
    obj.remove("links");
    Arc::from(serde_json::to_vec(&obj).unwrap_or_default())
}

/// The success answer: an empty response, or partial success naming rejected spans.
fn success(encoding: Encoding, errors: &[String]) -> Vec<u8> {
    let partial = (!errors.is_empty()).then(|| ExportTracePartialSuccess {
        rejected_spans: errors.len() as i64,
        error_message: errors.join("; "),
    });
    match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: partial,
        }
        .encode_to_vec(),
        Encoding::Json => {
            let body = match partial {
                Some(p) => serde_json::json!({"partialSuccess": {
                    "rejectedSpans": p.rejected_spans.to_string(),
                    "errorMessage": p.error_message,
                }}),
                None => serde_json::json!({}),
            };
            body.to_string().into_bytes()
        }
    }
}

/// An error body: `google.rpc.Status` in the request's encoding (its message field only).
fn status_message(encoding: Encoding, message: &str) -> Vec<u8> {
    match encoding {
        Encoding::Json => serde_json::json!({"message": message})
            .to_string()
            .into_bytes(),
        Encoding::Protobuf => {
            #[derive(Clone, PartialEq, prost::Message)]
            struct RpcStatus {
                #[prost(int32, tag = "1")]
                code: i32,
                #[prost(string, tag = "2")]
                message: String,
            }
            RpcStatus {
                code: 0,
                message: message.into(),
            }
            .encode_to_vec()
        }
    }
}

fn respond(req: Request, code: u16, encoding: Encoding, body: Vec<u8>) {
    let content_type = match encoding {
        Encoding::Json => "application/json",
        Encoding::Protobuf => "application/x-protobuf",
    };
    let mut response = Response::from_data(body).with_status_code(code);
    if let Ok(h) = Header::from_bytes("Content-Type", content_type) {
        response.add_header(h);
    }
    let _ = req.respond(response);
}
