//! A request's head: the request line and headers, read by a deadline and within size
//! limits, and what they say about keep-alive, 100 Continue and how the body is framed.

use super::Conn;
use std::io::{self, BufRead, Read};
use std::time::{Duration, Instant};

/// The longest request head accepted (request line and headers); past it, 431.
pub const MAX_HEAD: usize = 64 << 10;
/// Headers accepted in one request; past it, 431.
const MAX_HEADERS: usize = 100;

/// A request line and its headers.
#[derive(Debug)]
pub struct Head {
    pub method: String,
    /// The target's path, without the query.
    pub path: String,
    /// HTTP/1.0: no keep-alive unless asked for.
    pub http10: bool,
    pub headers: Vec<(String, String)>,
}

/// How the body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Length(u64),
    Chunked,
}

/// Why no request could be read from the connection.
#[derive(Debug)]
pub enum HeadError {
    /// The peer closed, reset, or sent nothing before the idle timeout: close quietly.
    Gone,
    /// The head did not arrive in time.
    TimedOut,
    /// Not a request we can read: answer with this status and close.
    Bad(u16, String),
}

impl Head {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the client wants the connection kept after this request.
    pub fn keep_alive(&self) -> bool {
        if self.http10 {
            self.has_token("Connection", "keep-alive")
        } else {
            !self.has_token("Connection", "close")
        }
    }

    /// The client waits for `100 Continue` before sending the body.
    pub fn expects_continue(&self) -> bool {
        !self.http10 && self.has_token("Expect", "100-continue")
    }

    /// How the body is delimited; a request without either header has none. Both headers,
    /// or lengths that disagree, are refused: a proxy in front may read them differently.
    pub fn framing(&self) -> Result<Framing, (u16, String)> {
        let chunked = self.header("Transfer-Encoding");
        let mut lengths = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim);
        let length = match lengths.next() {
            None => None,
            Some(first) => {
                let parse = |s: &str| {
                    s.bytes()
                        .all(|b| b.is_ascii_digit())
                        .then(|| s.parse::<u64>().ok())
                        .flatten()
                };
                let n = parse(first).ok_or((400, "invalid Content-Length".to_string()))?;
                if lengths.any(|other| parse(other) != Some(n)) {
                    return Err((400, "conflicting Content-Length headers".into()));
                }
                Some(n)
            }
        };
        match (chunked, length) {
            (Some(_), Some(_)) => Err((
                400,
                "both Transfer-Encoding and Content-Length; send one".into(),
            )),
            (Some(te), None) if te.trim().eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
            (Some(te), None) => Err((501, format!("unsupported Transfer-Encoding {te}"))),
            (None, n) => Ok(Framing::Length(n.unwrap_or(0))),
        }
    }
}

/// Wait until `idle_until` for the next request to begin, then read its head by `deadline`
/// (set once the first byte is there). Blank lines before a request are skipped, as
/// RFC 9112 allows.
pub fn read_head(
    conn: &mut Conn,
    idle_until: Instant,
    request_timeout: Duration,
) -> Result<(Head, Instant), HeadError> {
    conn.get_mut().set_deadline(idle_until);
    match conn.fill_buf() {
        Ok([]) | Err(_) => return Err(HeadError::Gone),
        Ok(_) => {}
    }
    let deadline = Instant::now() + request_timeout;
    conn.get_mut().set_deadline(deadline);
    let mut budget = MAX_HEAD;
    let mut line = Vec::new();
    let request_line = loop {
        read_line(conn, &mut line, &mut budget)?;
        if !line.is_empty() {
            break String::from_utf8_lossy(&line).into_owned();
        }
    };
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Bad(400, "malformed request line".into()));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(HeadError::Bad(
                505,
                format!("unsupported version {version}"),
            ));
        }
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(HeadError::Bad(400, "malformed method".into()));
    }
    let mut headers = Vec::new();
    loop {
        read_line(conn, &mut line, &mut budget)?;
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::Bad(
                400,
                "folded header lines are not accepted".into(),
            ));
        }
        let text = String::from_utf8_lossy(&line);
        let Some((name, value)) = text.split_once(':') else {
            return Err(HeadError::Bad(400, "a header line without a colon".into()));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(HeadError::Bad(400, "malformed header name".into()));
        }
        if headers.len() == MAX_HEADERS {
            return Err(HeadError::Bad(431, "too many headers".into()));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok((
        Head {
            method: method.to_string(),
            path: path_of(target),
            http10,
            headers,
        },
        deadline,
    ))
}

/// One head line into `line`, without its CRLF (or bare LF), taken from `budget`.
fn read_line(conn: &mut Conn, line: &mut Vec<u8>, budget: &mut usize) -> Result<(), HeadError> {
    line.clear();
    let read = conn
        .by_ref()
        .take(*budget as u64)
        .read_until(b'\n', line)
        .map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut => HeadError::TimedOut,
            _ => HeadError::Gone,
        })?;
    *budget -= read;
    if line.last() != Some(&b'\n') {
        return Err(if *budget == 0 {
            HeadError::Bad(431, "request head too large".into())
        } else {
            HeadError::Gone
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(())
}

/// `/v1/traces` from `/v1/traces?x`, or from the absolute form `http://host/v1/traces`.
fn path_of(target: &str) -> String {
    let target = target.split(['?', '#']).next().unwrap_or("");
    let path = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receiver::http::Timed;
    use crate::receiver::http::testing::conn_with;
    use std::io::{BufReader, Write};
    use std::net::{TcpListener, TcpStream};

    fn head(bytes: &[u8]) -> Result<Head, HeadError> {
        let mut conn = conn_with(bytes);
        read_head(
            &mut conn,
            Instant::now() + Duration::from_secs(10),
            Duration::from_secs(10),
        )
        .map(|(h, _)| h)
    }

    #[test]
    fn heads_are_read_within_limits() {
        let h = head(b"\r\nPOST http://x:1/v1/traces?a=b HTTP/1.1\r\nContent-Length: 3\r\nconnection: Close\r\n\r\n")
            .expect("head");
        assert_eq!((h.method.as_str(), h.path.as_str()), ("POST", "/v1/traces"));
        assert_eq!(h.framing().expect("framing"), Framing::Length(3));
        assert!(!h.keep_alive());
        let h = head(b"GET / HTTP/1.0\r\n\r\n").expect("head");
        assert!(h.http10 && !h.keep_alive());
        assert_eq!(h.framing().expect("framing"), Framing::Length(0));
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(head(big.as_bytes()), Err(HeadError::Bad(431, _))));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X{i}: y\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert!(matches!(head(many.as_bytes()), Err(HeadError::Bad(431, _))));
        assert!(matches!(
            head(b"GET / HTTP/2\r\n\r\n"),
            Err(HeadError::Bad(505, _))
        ));
        assert!(matches!(
            head(b"GET /\r\n\r\n"),
            Err(HeadError::Bad(400, _))
        ));
        assert!(matches!(
            head(b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"),
            Err(HeadError::Bad(400, _))
        ));
        assert!(matches!(
            head(b"GET / HTTP/1.1\r\nA: b"),
            Err(HeadError::Gone)
        ));
        assert!(matches!(head(b""), Err(HeadError::Gone)));
    }

    #[test]
    fn framing_that_could_be_read_two_ways_is_refused() {
        let framing = |extra: &str| {
            head(format!("POST / HTTP/1.1\r\n{extra}\r\n").as_bytes())
                .expect("head")
                .framing()
        };
        assert_eq!(
            framing("Transfer-Encoding: chunked\r\n"),
            Ok(Framing::Chunked)
        );
        assert_eq!(
            framing("Content-Length: 5\r\nContent-Length: 5\r\n"),
            Ok(Framing::Length(5))
        );
        for bad in [
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            "Content-Length: -1\r\n",
            "Content-Length: +5\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        ] {
            assert_eq!(framing(bad).map_err(|e| e.0), Err(400), "{bad}");
        }
        assert_eq!(
            framing("Transfer-Encoding: gzip\r\n").map_err(|e| e.0),
            Err(501)
        );
    }

    #[test]
    fn reads_stop_at_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut client = TcpStream::connect(listener.local_addr().expect("addr")).expect("dial");
        let (server, _) = listener.accept().expect("accept");
        client.write_all(b"POST / HTTP/1.1\r\n").expect("send");
        let mut conn = BufReader::new(Timed::new(server, Instant::now()));
        let got = read_head(
            &mut conn,
            Instant::now() + Duration::from_secs(10),
            Duration::from_millis(50),
        );
        assert!(matches!(got, Err(HeadError::TimedOut)), "{got:?}");
    }
}
