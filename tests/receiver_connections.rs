//! The OTLP receiver's cap on connections, alone in its test binary so the thread count it
//! reads is the receiver's: past the cap a connection is answered 503 with Retry-After and
//! closed at once, no thread is made for it, and requests go through again once a place
//! is free.

mod common;

use common::receiver::{JSON, batch, closed_by_peer, connect, http, read_response, start};
use std::io::BufReader;
use std::net::TcpStream;
use std::time::Duration;
use tracetui::receiver::ReceiverOptions;

/// This process's threads, as the kernel counts them.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a Threads line")
}

#[test]
fn connections_past_the_cap_are_turned_away() {
    const CAP: usize = 4;
    const EXTRA: usize = 60;
    let options = ReceiverOptions {
        max_connections: CAP,
        // Longer than the test: the held connections stay until they are closed here.
        idle_timeout: Duration::from_secs(120),
        ..ReceiverOptions::default()
    };
    let (addr, rx) = start(options, false);
    let before = threads();
    let held: Vec<TcpStream> = (0..CAP).map(|_| connect(addr)).collect();
    // Every connection past the cap is answered at once and closed, idle or not.
    let mut extra = Vec::new();
    for _ in 0..EXTRA {
        let mut conn = BufReader::new(connect(addr));
        let (code, head, _) = read_response(&mut conn).expect("an answer past the cap");
        assert_eq!(code, 503, "{head}");
        assert!(head.contains("Retry-After: 1"), "{head}");
        assert!(closed_by_peer(conn.get_mut()));
        extra.push(conn);
    }
    let post = format!("POST /v1/traces HTTP/1.1\r\n{JSON}");
    assert_eq!(http(addr, &post, &batch(1, "x")).0, 503, "still full");
    // A thread per held connection and the accepting one; none for those turned away.
    let grown = threads().saturating_sub(before);
    assert!(
        grown <= CAP + 2,
        "{grown} threads for {CAP} + {EXTRA} connections"
    );
    // A place frees up: requests go through again.
    drop(held);
    let accepted = (0..100).any(|_| {
        let (code, _, _) = http(addr, &post, &batch(1, "x"));
        if code != 200 {
            std::thread::sleep(Duration::from_millis(100));
        }
        code == 200
    });
    assert!(accepted, "a POST once the held connections closed");
    assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok());
}
