//! A request body, read as its framing says (Content-Length, or chunked) and no further,
//! so the next request on the connection starts where it should.

use super::Conn;
use super::head::{Framing, MAX_HEAD};
use std::io::{self, BufRead, Read};

/// The longest chunk-size or trailer line of a chunked body.
const MAX_CHUNK_LINE: usize = 4 << 10;

/// A request body, read as its framing says and no further, so the next request on the
/// connection starts where it should.
pub enum Body<'a> {
    Length(io::Take<&'a mut Conn>),
    Chunked(Chunked<'a>),
}

impl<'a> Body<'a> {
    pub fn new(conn: &'a mut Conn, framing: Framing) -> Self {
        match framing {
            Framing::Length(n) => Body::Length(conn.take(n)),
            Framing::Chunked => Body::Chunked(Chunked {
                conn,
                left: 0,
                state: ChunkState::Size,
            }),
        }
    }

    /// Whether all of the body has been read.
    pub fn finished(&self) -> bool {
        match self {
            Body::Length(take) => take.limit() == 0,
            Body::Chunked(c) => c.state == ChunkState::Done,
        }
    }

    /// Read and drop the rest of the body, if it is at most `limit` bytes; whether it all
    /// was (then the connection can carry another request).
    pub fn discard(&mut self, limit: u64) -> bool {
        let copied = io::copy(&mut self.by_ref().take(limit), &mut io::sink());
        copied.is_ok() && self.finished()
    }
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Length(take) => {
                let want = take.limit();
                let n = take.read(buf)?;
                if n == 0 && want > 0 && !buf.is_empty() {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the body ended before its Content-Length",
                    ));
                }
                Ok(n)
            }
            Body::Chunked(c) => c.read(buf),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkState {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data.
    Data,
    /// After the last chunk: trailer lines until an empty one.
    Trailers,
    Done,
}

/// The chunked transfer coding, decoded.
pub struct Chunked<'a> {
    conn: &'a mut Conn,
    left: u64,
    state: ChunkState,
}

impl Chunked<'_> {
    fn line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        self.conn
            .by_ref()
            .take(MAX_CHUNK_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if line.pop() != Some(b'\n') {
            return Err(invalid("a chunk line too long or cut short"));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.state {
                ChunkState::Done => return Ok(0),
                ChunkState::Size => {
                    let line = self.line()?;
                    let text = String::from_utf8_lossy(&line);
                    let size = text.split(';').next().unwrap_or("").trim();
                    if size.is_empty() || size.len() > 15 {
                        return Err(invalid("a malformed chunk size"));
                    }
                    self.left = u64::from_str_radix(size, 16)
                        .map_err(|_| invalid("a malformed chunk size"))?;
                    self.state = if self.left == 0 {
                        ChunkState::Trailers
                    } else {
                        ChunkState::Data
                    };
                }
                ChunkState::Data => {
                    if buf.is_empty() {
                        return Ok(0);
                    }
                    let want = buf
                        .len()
                        .min(usize::try_from(self.left).unwrap_or(usize::MAX));
                    let n = self.conn.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    self.left -= n as u64;
                    if self.left == 0 {
                        if !self.line()?.is_empty() {
                            return Err(invalid("chunk data longer than its size"));
                        }
                        self.state = ChunkState::Size;
                    }
                    return Ok(n);
                }
                ChunkState::Trailers => {
                    // Trailers are read and ignored, at most a head's worth of them.
                    let mut budget = MAX_HEAD;
                    loop {
                        let line = self.line()?;
                        if line.is_empty() {
                            break;
                        }
                        budget = budget
                            .checked_sub(line.len())
                            .ok_or_else(|| invalid("too many trailers"))?;
                    }
                    self.state = ChunkState::Done;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receiver::http::testing::conn_with;

    #[test]
    fn chunked_bodies_decode_and_stop_at_their_end() {
        let mut conn = conn_with(b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT");
        let mut body = Body::new(&mut conn, Framing::Chunked);
        let mut out = String::new();
        body.read_to_string(&mut out).expect("read");
        assert_eq!(out, "hello world");
        assert!(body.finished());
        let mut rest = String::new();
        conn.read_to_string(&mut rest).expect("rest");
        assert_eq!(rest, "NEXT", "the next request is left alone");
        for bad in [
            &b"zz\r\nhello\r\n0\r\n\r\n"[..],
            b"5\r\nhelloXX\r\n0\r\n\r\n",
            b"ffffffffffffffffff\r\n",
            b"5\r\nhel",
        ] {
            let mut conn = conn_with(bad);
            let mut body = Body::new(&mut conn, Framing::Chunked);
            assert!(body.read_to_end(&mut Vec::new()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_body_cut_short_is_an_error_and_the_rest_can_be_discarded() {
        let mut conn = conn_with(b"abc");
        let mut body = Body::new(&mut conn, Framing::Length(10));
        assert!(body.read_to_end(&mut Vec::new()).is_err());
        let mut conn = conn_with(b"abcdefGET");
        let mut body = Body::new(&mut conn, Framing::Length(6));
        assert!(!body.discard(3), "longer than allowed");
        assert!(body.discard(3));
    }
}
