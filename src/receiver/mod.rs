//! An OTLP receiver (`tracetui --listen`): `POST /v1/traces` in JSON or protobuf over HTTP,
//! and `TraceService/Export` over gRPC (`grpc.rs`, port 4317), so
//! any OpenTelemetry-instrumented program, or a Collector fanning in from many machines,
//! streams spans into the same views as files. Loopback unless told otherwise; bodies past
//! a limit are refused (413); when the UI cannot keep up the client is told to retry (503);
//! every accepted request is appended to a recording on disk (`recording.rs`) and bodies
//! are read back from it when shown, as an opened file's are; without one, bodies are held
//! in memory, and past a memory limit spans keep their structure but not their bodies, and
//! say so.
//! Each connection has a thread of its own and deadlines on every read, so a slow or
//! stalled client holds up only itself; past a cap on connections, new ones are told to
//! retry (503) and closed.

pub mod budget;
mod connection;
mod grpc;
mod http;
pub mod proto;
pub mod proto_json;
pub mod recording;
mod request;
pub mod retention;
mod server;
mod state;
mod utf8;

use crate::model::Update;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:4318";
/// OTLP's gRPC port, used beside `--listen`'s host unless `--listen-grpc` says otherwise.
pub const DEFAULT_GRPC_PORT: u16 = 4317;
/// Connections served at once unless `--listen-connections` says otherwise: each costs a
/// thread and a socket.
pub const DEFAULT_CONNECTIONS: u16 = 64;

#[derive(Clone, Debug)]
pub struct ReceiverOptions {
    pub addr: SocketAddr,
    /// Largest request body accepted, after decompression, in bytes.
    pub max_body: u64,
    /// Span bodies (attributes and events) kept in memory at most; past it, new spans keep
    /// their name, times and status only.
    pub max_memory: u64,
    /// How long a kept-alive connection may wait for its next request before it is closed.
    pub idle_timeout: Duration,
    /// How long a request, head and body, may take to arrive once it has begun; past it,
    /// 408 and the connection is closed.
    pub request_timeout: Duration,
    /// Connections served at once; one more is answered 503 with Retry-After and closed.
    pub max_connections: usize,
    /// Where to serve OTLP over gRPC too, if anywhere.
    pub grpc: Option<GrpcListen>,
    /// The folder the recording of received requests goes to (bodies are then read back
    /// from it, not held); `None` keeps bodies in memory, up to `max_memory`.
    pub record: Option<std::path::PathBuf>,
    /// A recording's file is closed and the next begun past this many bytes.
    pub record_segment: u64,
    /// Which earlier recordings in `record`'s folder are removed when this one begins.
    pub retention: retention::Retention,
}

/// The gRPC address, and whether the user gave it (then failing to bind it is their
/// mistake to fix; the default port being taken only means no gRPC).
#[derive(Clone, Copy, Debug)]
pub struct GrpcListen {
    pub addr: SocketAddr,
    pub explicit: bool,
}

impl Default for ReceiverOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 4318)),
            max_body: 32 << 20,
            max_memory: 256 << 20,
            // Past the 5 s between an SDK's batch exports, so their connection stays open.
            idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_CONNECTIONS.into(),
            grpc: None,
            record: None,
            record_segment: recording::DEFAULT_SEGMENT,
            retention: retention::Retention::default(),
        }
    }
}

/// What the receiver has done, for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiverStatus {
    pub addr: String,
    /// Where gRPC is served too, if it is.
    pub grpc_addr: Option<String>,
    pub requests: u64,
    pub spans: u64,
    /// Log records kept for their spans (`/v1/logs`).
    pub log_records: u64,
    /// Spans in accepted requests that could not be read.
    pub rejected: u64,
    /// Requests refused: too large, unreadable, while the UI was behind, or connections past
    /// the cap (the last two retryable).
    pub refused: u64,
    /// Spans kept without their bodies, and log records dropped, once the memory limit was
    /// reached.
    pub bodies_dropped: u64,
    pub held_bytes: u64,
}

/// Whether a batch reached the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The consumer is behind: the client should retry.
    Full,
    /// Nobody is listening any more: stop.
    Closed,
}

/// Where received spans go: the UI's event channel, or a test's.
pub trait Sink: Send + 'static {
    fn deliver(&self, updates: Vec<Update>) -> Delivery;
    /// Best effort: the status after each request.
    fn status(&self, _status: &ReceiverStatus) {}
}

pub struct Handle {
    pub addr: SocketAddr,
    pub grpc_addr: Option<SocketAddr>,
    /// The recording's first file, when there is one.
    pub recording: Option<std::path::PathBuf>,
    /// What removing old recordings did, when it did anything.
    pub pruned: Option<String>,
}

/// A limit as the user gave it: in MiB (`--listen-max-body 16` is "16 MiB", not
/// "16.8 MB"), or in bytes when it is not a whole number of them.
pub fn limit_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes}-byte")
    }
}

/// Bind, and accept on a thread of its own.
pub fn spawn(options: ReceiverOptions, sink: impl Sink) -> std::io::Result<Handle> {
    let listener = TcpListener::bind(options.addr)?;
    serve(listener, None, options, sink)
}

/// Accept on `listener` (bound by the caller, which tells a failure to bind, the user's
/// to fix, from one here) on a thread of its own.
pub fn serve(
    listener: TcpListener,
    grpc: Option<TcpListener>,
    options: ReceiverOptions,
    sink: impl Sink,
) -> std::io::Result<Handle> {
    let addr = listener.local_addr()?;
    let grpc_addr = grpc.as_ref().map(TcpListener::local_addr).transpose()?;
    // Before this run's recording begins, so that it is not among what is weighed.
    let pruned = options.record.as_deref().and_then(|dir| {
        retention::prune(dir, &options.retention, std::time::SystemTime::now()).summary()
    });
    let state = state::State::new(addr, grpc_addr, &options);
    let recording = state.recording_path();
    if let Some(problems) = state.opening_problems() {
        // Said before any span arrives: a recording that could not begin.
        sink.deliver(vec![problems]);
    }
    let shared = Arc::new(server::Shared::new(options, state, sink));
    if let Some(grpc) = grpc {
        grpc::serve(grpc, Arc::clone(&shared))?;
    }
    thread::Builder::new()
        .name("otlp-receiver".into())
        .spawn(move || server::run(listener, shared))?;
    Ok(Handle {
        addr,
        grpc_addr,
        recording,
        pruned,
    })
}

/// The UI's sink: batches go on the main loop's bounded channel without waiting.
pub struct ChannelSink(pub std::sync::mpsc::SyncSender<crate::app::event::AppEvent>);

impl Sink for ChannelSink {
    fn deliver(&self, updates: Vec<Update>) -> Delivery {
        use std::sync::mpsc::TrySendError;
        match self
            .0
            .try_send(crate::app::event::AppEvent::Ingested(updates))
        {
            Ok(()) => Delivery::Delivered,
            Err(TrySendError::Full(_)) => Delivery::Full,
            Err(TrySendError::Disconnected(_)) => Delivery::Closed,
        }
    }

    fn status(&self, status: &ReceiverStatus) {
        let _ = self
            .0
            .try_send(crate::app::event::AppEvent::Receiver(status.clone()));
    }
}
