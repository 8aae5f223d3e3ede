//! Driving the OTLP receiver in-process on loopback: a sink that collects what it delivers,
//! raw HTTP/1.1 over a TcpStream, and OTLP/JSON batches.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;
use tracetui::model::{Store, Update};
use tracetui::receiver::{self, Delivery, ReceiverOptions, ReceiverStatus, Sink};

pub const JSON: &str = "Content-Type: application/json";
pub const PROTOBUF: &str = "Content-Type: application/x-protobuf";

/// Collects what the receiver delivers, and the statuses it reports; can pretend to be
/// full for a number of deliveries.
pub struct TestSink {
    tx: Mutex<Sender<Vec<Update>>>,
    statuses: Mutex<Sender<ReceiverStatus>>,
    full_for: AtomicUsize,
}

impl Sink for TestSink {
    fn deliver(&self, updates: Vec<Update>) -> Delivery {
        let full = self
            .full_for
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        if full {
            return Delivery::Full;
        }
        match self.tx.lock().map(|tx| tx.send(updates)) {
            Ok(Ok(())) => Delivery::Delivered,
            _ => Delivery::Closed,
        }
    }

    fn status(&self, status: &ReceiverStatus) {
        if let Ok(tx) = self.statuses.lock() {
            let _ = tx.send(status.clone());
        }
    }
}

/// A receiver on a port of its own on 127.0.0.1; `full`: its sink is always behind.
pub fn start(options: ReceiverOptions, full: bool) -> (SocketAddr, Receiver<Vec<Update>>) {
    let (addr, rx, _) = start_behind(options, if full { usize::MAX } else { 0 });
    (addr, rx)
}

/// A receiver whose sink is behind for its first `deliveries`; what it delivers, and the
/// statuses it reports.
pub fn start_behind(
    options: ReceiverOptions,
    deliveries: usize,
) -> (SocketAddr, Receiver<Vec<Update>>, Receiver<ReceiverStatus>) {
    let (handle, rx, statuses) = spawn_behind(options, deliveries);
    (handle.addr, rx, statuses)
}

/// `start_behind`, with the receiver's whole handle.
pub fn spawn_behind(
    options: ReceiverOptions,
    deliveries: usize,
) -> (
    receiver::Handle,
    Receiver<Vec<Update>>,
    Receiver<ReceiverStatus>,
) {
    let (tx, rx) = mpsc::channel();
    let (status_tx, status_rx) = mpsc::channel();
    let handle = receiver::spawn(
        ReceiverOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..options
        },
        TestSink {
            tx: Mutex::new(tx),
            statuses: Mutex::new(status_tx),
            full_for: AtomicUsize::new(deliveries),
        },
    )
    .expect("listen on loopback");
    (handle, rx, status_rx)
}

/// A receiver serving HTTP and gRPC on loopback ports of the system's choosing: its two
/// addresses and what it delivers.
pub fn start_grpc(options: ReceiverOptions) -> (SocketAddr, SocketAddr, Receiver<Vec<Update>>) {
    start_grpc_behind(options, 0)
}

/// `start_grpc` with a sink that is behind for its first `deliveries`.
pub fn start_grpc_behind(
    options: ReceiverOptions,
    deliveries: usize,
) -> (SocketAddr, SocketAddr, Receiver<Vec<Update>>) {
    let (tx, rx) = mpsc::channel();
    let (status_tx, _status_rx) = mpsc::channel();
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let http = std::net::TcpListener::bind(loopback).expect("listen on loopback");
    let grpc = std::net::TcpListener::bind(loopback).expect("listen on loopback");
    let handle = receiver::serve(
        http,
        Some(grpc),
        ReceiverOptions {
            addr: loopback,
            ..options
        },
        TestSink {
            tx: Mutex::new(tx),
            statuses: Mutex::new(status_tx),
            full_for: AtomicUsize::new(deliveries),
        },
    )
    .expect("serve");
    (handle.addr, handle.grpc_addr.expect("gRPC served"), rx)
}

/// A receiver (HTTP; gRPC for the `grpc*` modes) sent spans by the real OpenTelemetry SDK
/// (`fixtures/otel/send_spans.py MODE`): the trace id the script printed, and what the
/// receiver delivers.
pub fn sent_by_the_sdk(mode: &str, options: ReceiverOptions) -> (String, Receiver<Vec<Update>>) {
    let (python, endpoint, rx) = if mode.starts_with("grpc") {
        let (_, grpc, rx) = start_grpc(options);
        (super::otel_grpc_python(), grpc.to_string(), rx)
    } else {
        let (addr, rx) = start(options, false);
        (super::otel_python(), format!("http://{addr}/v1/traces"), rx)
    };
    let out = super::run_ok(
        std::process::Command::new(&python)
            .arg(super::fixture("otel/send_spans.py"))
            .arg(&endpoint)
            .arg(mode),
        &format!("the SDK ({mode})"),
    );
    (String::from_utf8_lossy(&out.stdout).trim().to_string(), rx)
}

/// Everything delivered until nothing more comes for a while.
pub fn store_from(rx: &Receiver<Vec<Update>>) -> Store {
    let mut store = Store::new();
    while let Ok(batch) = rx.recv_timeout(Duration::from_millis(300)) {
        store.apply_all(batch);
    }
    store
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream
}

/// A request's bytes: `head` is the request line and any headers, without the final CRLF.
pub fn request(head: &str, body: &[u8], close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    let mut out = format!(
        "{head}\r\nHost: tracetui\r\nContent-Length: {}\r\n{connection}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// One raw HTTP/1.1 request on a connection of its own; the status code, the head and the
/// body of the answer.
pub fn http(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = connect(addr);
    stream.write_all(&request(head, body, true)).expect("write");
    read_response(&mut BufReader::new(stream)).expect("a response")
}

/// One answer from a connection, read by its Content-Length; None when the connection
/// closed first.
pub fn read_response(conn: &mut BufReader<TcpStream>) -> Option<(u16, String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    conn.read_exact(&mut body).ok()?;
    Some((code, head, body))
}

/// Whether the peer closed the connection (end of stream, or reset) within the stream's
/// read timeout, after any answer it sent first.
pub fn closed_by_peer(stream: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    match stream.read_to_end(&mut sink) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// An OTLP/JSON batch of `spans` spans in one trace, each with one string attribute.
pub fn batch(spans: usize, attribute: &str) -> Vec<u8> {
    let spans: Vec<String> = (0..spans)
        .map(|i| {
            format!(
                r#"{{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"{i:016x}","name":"s{i}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{{"key":"payload","value":{{"stringValue":"{attribute}"}}}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    )
    .into_bytes()
}
