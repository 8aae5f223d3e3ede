//! An answer on the wire: status line, Content-Type and Content-Length, extra headers,
//! and whether the connection ends after it.

use std::io::{self, Write};
use std::net::TcpStream;

/// An answer: status, body and its type, and any extra headers.
#[derive(Clone, Debug)]
pub struct Answer {
    pub code: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

const TEXT: &str = "text/plain; charset=utf-8";

impl Answer {
    pub fn new(code: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            code,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    /// A plain-text answer, for refusals made before the request's encoding is known.
    pub fn text(code: u16, message: &str) -> Self {
        Self::new(code, TEXT, format!("{message}\n").into_bytes())
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The answer on the wire; `close` says the connection ends after it, `head_only` leaves
    /// the body out (an answer to HEAD).
    pub fn to_bytes(&self, close: bool, head_only: bool) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.code,
            reason(self.code),
            self.content_type,
            self.body.len()
        );
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        let mut out = out.into_bytes();
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }

    pub fn write(&self, mut stream: &TcpStream, close: bool, head_only: bool) -> io::Result<()> {
        stream.write_all(&self.to_bytes(close, head_only))?;
        stream.flush()
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
