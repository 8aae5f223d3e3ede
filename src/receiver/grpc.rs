//! OTLP over gRPC (`TraceService/Export` and `LogsService/Export`, the default of many SDKs
//! and Collectors, port 4317): the same receiver as HTTP behind a second listener. Requests reach the same
//! shared state through the same path: the body's cost counted before it is decoded
//! (`request::decode`), then delivered under the one lock. HTTP's answers map to gRPC
//! statuses: 503 is UNAVAILABLE (clients retry), 413 RESOURCE_EXHAUSTED, 400 and 415
//! INVALID_ARGUMENT. Built on tonic (HTTP/2, its framing and compression are not ours to
//! write), with a codec that hands over the raw message, so nothing is decoded unbudgeted.

use super::Sink;
use super::http::Answer;
use super::proto::ExportTraceServiceResponse;
use super::request::{self, Encoding, Signal};
use super::server::Shared;
use bytes::Buf;
use prost::Message;
use std::net::TcpListener;
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

/// Which OTLP service: its gRPC name and the signal it carries.
trait OtlpService {
    const NAME: &'static str;
    const SIGNAL: Signal;
}

struct Traces;
struct Logs;

impl OtlpService for Traces {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
    const SIGNAL: Signal = Signal::Traces;
}

impl OtlpService for Logs {
    const NAME: &'static str = "opentelemetry.proto.collector.logs.v1.LogsService";
    const SIGNAL: Signal = Signal::Logs;
}

/// Serve gRPC on `listener` (bound by the caller) on a thread of its own, into `shared`.
pub fn serve<S: Sink>(listener: TcpListener, shared: Arc<Shared<S>>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    std::thread::Builder::new()
        .name("otlp-grpc".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let timeout = shared.options.request_timeout;
                let cap = Arc::clone(&shared);
                let traces = OtlpServer::<S, Traces>::new(Arc::clone(&shared));
                let logs = OtlpServer::<S, Logs>::new(shared);
                let _ = tonic::transport::Server::builder()
                    .timeout(timeout)
                    .add_service(traces)
                    .add_service(logs)
                    .serve_with_incoming(Capped {
                        listener,
                        shared: cap,
                    })
                    .await;
            });
        })?;
    Ok(())
}

/// An OTLP service: one unary method, `Export`.
struct OtlpServer<S, K> {
    shared: Arc<Shared<S>>,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<S, K> OtlpServer<S, K> {
    fn new(shared: Arc<Shared<S>>) -> Self {
        Self {
            shared,
            kind: std::marker::PhantomData,
        }
    }
}

impl<S, K> Clone for OtlpServer<S, K> {
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.shared))
    }
}

impl<S, K: OtlpService> NamedService for OtlpServer<S, K> {
    const NAME: &'static str = K::NAME;
}

impl<S, K, B> Service<http::Request<B>> for OtlpServer<S, K>
where
    S: Sink,
    K: OtlpService + Send + 'static,
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        if req.uri().path() != format!("/{}/Export", K::NAME) {
            return Box::pin(async { Ok(Status::unimplemented("").into_http()) });
        }
        let max = usize::try_from(shared.options.max_body).unwrap_or(usize::MAX);
        Box::pin(async move {
            let mut grpc = Grpc::new(RawCodec)
                .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
                .max_decoding_message_size(max);
            let export = Export {
                shared,
                signal: K::SIGNAL,
            };
            let mut answer = grpc.unary(export, req).await;
            // tonic says a message past the limit is OUT_OF_RANGE, which OTLP exporters
            // retry; it is RESOURCE_EXHAUSTED (no retry info: do not retry), as HTTP's 413.
            let status = answer.headers().get("grpc-status");
            if status.is_some_and(|s| s.as_bytes() == b"11") {
                answer
                    .headers_mut()
                    .insert("grpc-status", http::HeaderValue::from_static("8"));
            }
            Ok(answer)
        })
    }
}

/// `Export`: the message's bytes, decoded and delivered off the runtime's thread (decoding
/// a large batch takes a while; the lock may be waited for).
struct Export<S> {
    shared: Arc<Shared<S>>,
    signal: Signal,
}

impl<S: Sink> UnaryService<Vec<u8>> for Export<S> {
    type Response = ExportTraceServiceResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;

    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let signal = self.signal;
        let bytes = request.into_inner();
        Box::pin(async move {
            let answer = tokio::task::spawn_blocking(move || {
                match request::decode(signal, Encoding::Protobuf, &bytes) {
                    Err(refusal) => {
                        shared.refused();
                        refusal.answer(Encoding::Protobuf)
                    }
                    Ok(decoded) => shared.deliver(Encoding::Protobuf, decoded).0,
                }
            })
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
            to_status(answer)
        })
    }
}

/// An HTTP answer as gRPC says it. (A logs response has the trace response's fields and
/// numbers: one message type answers both.)
fn to_status(answer: Answer) -> Result<Response<ExportTraceServiceResponse>, Status> {
    if answer.code == 200 {
        let body = ExportTraceServiceResponse::decode(&answer.body[..]).unwrap_or_default();
        return Ok(Response::new(body));
    }
    let message = why(&answer);
    Err(match answer.code {
        503 => Status::unavailable(message),
        413 => Status::resource_exhausted(message),
        400 | 415 => Status::invalid_argument(message),
        _ => Status::internal(message),
    })
}

/// The reason an answer carries: its text, or the message of a protobuf `google.rpc.Status`.
fn why(answer: &Answer) -> String {
    match std::str::from_utf8(&answer.body) {
        Ok(text) if answer.content_type.starts_with("text/") => text.trim().to_string(),
        _ => super::proto::RpcStatus::decode(&answer.body[..])
            .map(|s| s.message)
            .unwrap_or_else(|_| format!("HTTP {}", answer.code)),
    }
}

/// Hands the message over as bytes, and encodes the answer with prost.
struct RawCodec;

impl Codec for RawCodec {
    type Encode = ExportTraceServiceResponse;
    type Decode = Vec<u8>;
    type Encoder = ProstEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawDecoder
    }
}

struct RawDecoder;

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Self::Error> {
        let mut bytes = vec![0; buf.remaining()];
        buf.copy_to_slice(&mut bytes);
        Ok(Some(bytes))
    }
}

struct ProstEncoder;

impl Encoder for ProstEncoder {
    type Item = ExportTraceServiceResponse;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, buf: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        item.encode(buf)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

/// Accepted connections within the cap HTTP's share (`--listen-connections`); one past it is
/// closed at once, which a gRPC client takes as UNAVAILABLE and retries.
struct Capped<S: Sink> {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared<S>>,
}

impl<S: Sink> tonic::codegen::tokio_stream::Stream for Capped<S> {
    type Item = std::io::Result<Counted<S>>;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match self.listener.poll_accept(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Ok((stream, _))) => match self.shared.take_slot() {
                    Some(slot) => {
                        return Poll::Ready(Some(Ok(Counted {
                            stream,
                            _slot: slot,
                        })));
                    }
                    None => {
                        self.shared.turned_away_one();
                        drop(stream);
                    }
                },
            }
        }
    }
}

/// A gRPC connection holding its place under the cap until it closes.
struct Counted<S: Sink> {
    stream: tokio::net::TcpStream,
    _slot: super::server::Slot<S>,
}

impl<S: Sink> tonic::transport::server::Connected for Counted<S> {
    type ConnectInfo = tonic::transport::server::TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}

impl<S: Sink> tokio::io::AsyncRead for Counted<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: Sink> tokio::io::AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
