//! The HTTP/1.1 the receiver speaks, and no more: a request head read within size limits
//! (`head`), a body framed by Content-Length or chunked (`body`), an answer with its length
//! (`answer`). Every read on the socket has a deadline, so a peer that stalls or trickles
//! costs its own connection only.

mod answer;
mod body;
mod head;

pub use answer::Answer;
pub use body::Body;
pub use head::{Framing, Head, HeadError, read_head};

use std::io::{self, BufReader, Read};
use std::net::TcpStream;
use std::time::Instant;

/// A socket whose reads give up at a deadline. The deadline is for the whole of what is
/// being read (a head, a body), not for each read: a peer sending a byte a second still
/// runs out of time.
pub struct Timed {
    stream: TcpStream,
    deadline: Instant,
}

impl Timed {
    pub fn new(stream: TcpStream, deadline: Instant) -> Self {
        Self { stream, deadline }
    }

    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        match self.stream.read(buf) {
            // What a socket timeout looks like on Unix.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::ErrorKind::TimedOut.into()),
            other => other,
        }
    }
}

pub type Conn = BufReader<Timed>;

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::Duration;

    /// A connection whose peer has sent `bytes` and closed its side.
    pub fn conn_with(bytes: &[u8]) -> Conn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut client = TcpStream::connect(listener.local_addr().expect("addr")).expect("dial");
        let (server, _) = listener.accept().expect("accept");
        client.write_all(bytes).expect("send");
        client
            .shutdown(std::net::Shutdown::Write)
            .expect("shutdown");
        BufReader::new(Timed::new(server, Instant::now() + Duration::from_secs(10)))
    }
}
