//! One client connection, on a thread of its own: requests one after another (SDK exporters
//! keep one connection), each head and body read by a deadline. The connection is closed
//! after an idle timeout, when the client asks, or whenever what follows on it is in doubt.

use super::Sink;
use super::http::{self, Answer, Body, Conn, Framing, HeadError, Timed};
use super::request;
use super::server::Shared;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// How long an answer may take to leave; answers are small, so only a peer that never
/// reads runs into it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long, and how much, a closing connection still reads what the client sends.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: u64 = 1 << 20;
/// What may follow the end of a gzip stream inside a body and still be read past.
const TRAILING_BYTES: u64 = 64 << 10;

pub fn serve<S: Sink>(stream: TcpStream, shared: &Shared<S>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let options = &shared.options;
    let mut conn = BufReader::with_capacity(64 << 10, Timed::new(stream, Instant::now()));
    while !shared.is_closed() {
        let idle_until = Instant::now() + options.idle_timeout;
        let head = match http::read_head(&mut conn, idle_until, options.request_timeout) {
            Ok((head, _deadline)) => head,
            // Closed, reset, or idle too long between requests: nothing to answer.
            Err(HeadError::Gone) => return,
            Err(HeadError::TimedOut) => {
                shared.refused();
                let answer = Answer::text(408, "the request head did not arrive in time");
                return close_with(&mut conn, &answer, false);
            }
            Err(HeadError::Bad(code, why)) => {
                shared.refused();
                return close_with(&mut conn, &Answer::text(code, &why), false);
            }
        };
        let head_only = head.method == "HEAD";
        let (answer, reusable) = exchange(&mut conn, &head, shared);
        if !(reusable && head.keep_alive() && !shared.is_closed()) {
            return close_with(&mut conn, &answer, head_only);
        }
        if answer
            .write(conn.get_ref().stream(), false, head_only)
            .is_err()
        {
            return;
        }
    }
}

/// Answer one request; whether the connection can carry another (its body was read to
/// the end and the sink still listens).
fn exchange<S: Sink>(conn: &mut Conn, head: &http::Head, shared: &Shared<S>) -> (Answer, bool) {
    let options = &shared.options;
    let framing = match head.framing() {
        Ok(framing) => framing,
        Err((code, why)) => {
            shared.refused();
            return (Answer::text(code, &why), false);
        }
    };
    let accepted = match request::check(head, options) {
        Ok(accepted) => accepted,
        Err(answer) => {
            shared.refused();
            // The body was not read. A small one is dropped to keep the connection; a
            // large one, or one the client holds back until a 100 Continue, ends it.
            let small = match framing {
                Framing::Length(n) => n <= options.max_body,
                Framing::Chunked => true,
            };
            let reusable = small
                && !head.expects_continue()
                && Body::new(conn, framing).discard(options.max_body);
            return (answer, reusable);
        }
    };
    if head.expects_continue() {
        let mut stream = conn.get_ref().stream();
        if stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
            return (Answer::text(500, "cannot write"), false);
        }
    }
    let mut body = Body::new(conn, framing);
    let read = request::read_body(&mut body, accepted.gzip, options);
    // Bytes after the end of a gzip stream are read past, so the next request starts
    // where it should.
    let finished = body.finished() || (read.is_ok() && body.discard(TRAILING_BYTES));
    let decoded = match &read {
        Ok(bytes) => request::decode(accepted.signal, accepted.encoding, bytes),
        Err(refusal) => Err(refusal.clone()),
    };
    match decoded {
        Err(refusal) => {
            shared.refused();
            (refusal.answer(accepted.encoding), finished)
        }
        Ok(decoded) => {
            let (answer, open) = shared.deliver(accepted.encoding, decoded);
            (answer, finished && open)
        }
    }
}

/// Answer and close. Unread bytes left at close turn it into a reset, which can destroy
/// the answer before the client reads it: so stop sending, then read and drop what the
/// client still sends, briefly.
fn close_with(conn: &mut Conn, answer: &Answer, head_only: bool) {
    if answer
        .write(conn.get_ref().stream(), true, head_only)
        .is_err()
    {
        return;
    }
    let _ = conn.get_ref().stream().shutdown(Shutdown::Write);
    conn.get_mut().set_deadline(Instant::now() + LINGER);
    let _ = io::copy(&mut conn.by_ref().take(LINGER_BYTES), &mut io::sink());
}
