//! An OTLP/HTTP receiver (`tracetui --listen`): `POST /v1/traces` in JSON or protobuf, so
//! any OpenTelemetry-instrumented program, or a Collector fanning in from many machines,
//! streams spans into the same views as files. Loopback unless told otherwise; bodies past
//! a limit are refused (413); when the UI cannot keep up the client is told to retry (503);
//! past a memory limit, spans keep their structure but not their bodies, and say so.

pub mod proto;
mod request;

use crate::model::Update;
use std::net::SocketAddr;
use std::thread;

pub const DEFAULT_ADDR: &str = "127.0.0.1:4318";

#[derive(Clone, Debug)]
pub struct ReceiverOptions {
    pub addr: String,
    /// Largest request body accepted, after decompression.
    pub max_body: u64,
    /// Span bodies (attributes and events) kept in memory at most; past it, new spans keep
    /// their name, times and status only.
    pub max_memory: u64,
}

impl Default for ReceiverOptions {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR.into(),
            max_body: 32 << 20,
            max_memory: 256 << 20,
        }
    }
}

/// What the receiver has done, for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiverStatus {
    pub addr: String,
    pub requests: u64,
    pub spans: u64,
    /// Spans in accepted requests that could not be read.
    pub rejected: u64,
    /// Requests refused: too large, unreadable, or while the UI was behind (retryable).
    pub refused: u64,
    /// Spans kept without their bodies once the memory limit was reached.
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
}

/// Bind and serve on a thread of its own.
pub fn spawn(options: ReceiverOptions, sink: impl Sink) -> std::io::Result<Handle> {
    let server = tiny_http::Server::http(&options.addr)
        .map_err(|e| std::io::Error::other(format!("cannot listen on {}: {e}", options.addr)))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("not an IP address"))?;
    thread::Builder::new()
        .name("otlp-receiver".into())
        .spawn(move || {
            let mut state = request::State::new(addr, options);
            for req in server.incoming_requests() {
                if !state.handle(req, &sink) {
                    return;
                }
            }
        })?;
    Ok(Handle { addr })
}

/// The UI's sink: batches go on the main loop's bounded channel without waiting.
pub struct ChannelSink(pub std::sync::mpsc::SyncSender<crate::event::AppEvent>);

impl Sink for ChannelSink {
    fn deliver(&self, updates: Vec<Update>) -> Delivery {
        use std::sync::mpsc::TrySendError;
        match self.0.try_send(crate::event::AppEvent::Ingested(updates)) {
            Ok(()) => Delivery::Delivered,
            Err(TrySendError::Full(_)) => Delivery::Full,
            Err(TrySendError::Disconnected(_)) => Delivery::Closed,
        }
    }

    fn status(&self, status: &ReceiverStatus) {
        let _ = self
            .0
            .try_send(crate::event::AppEvent::Receiver(status.clone()));
    }
}
