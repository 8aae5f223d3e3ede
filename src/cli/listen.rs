//! `--listen ADDR`: the forms an address may take, checked while the arguments are parsed so
//! a mistake is a usage error before anything starts.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

/// What the errors suggest.
const FORMS: &str = "expected HOST:PORT, :PORT or PORT, such as 127.0.0.1:4318 or 0.0.0.0:4318";

/// `HOST:PORT`, `:PORT` or `PORT`. Without a host, loopback (127.0.0.1), like `--listen`
/// alone: reaching beyond this machine is never implied. HOST is an IPv4 address, an IPv6
/// one in brackets (`[::1]:4318`), or a name such as `localhost` (its first address). Port 0
/// lets the system choose one (the status bar shows which).
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, port),
        None if is_digits(text) => ("", text),
        None => return Err(FORMS.into()),
    };
    let port = parse_port(port)?;
    if host.is_empty() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<IpAddr>()
            .map(|ip| SocketAddr::new(ip, port))
            .map_err(|_| format!("{inner:?} is not an IPv6 address"));
    }
    if host.contains(':') {
        return Err("write an IPv6 address in brackets, such as [::1]:4318".into());
    }
    if host.parse::<IpAddr>().is_err() && !is_host_name(host) {
        return Err(format!("{host:?} is not a host; {FORMS}"));
    }
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| format!("no address found for the host {host:?}"))
}

/// `--listen-grpc`: an address as for `--listen`, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grpc {
    Off,
    At(SocketAddr),
}

pub fn parse_grpc(text: &str) -> Result<Grpc, String> {
    match text {
        "off" | "no" | "none" => Ok(Grpc::Off),
        _ => parse_addr(text).map(Grpc::At),
    }
}

/// Where gRPC goes for `--listen ADDR` and `--listen-grpc`: given, off, or by default
/// ADDR's host on OTLP's gRPC port (or a port of the system's choosing beside port 0).
pub fn grpc_for(http: SocketAddr, given: Option<Grpc>) -> Option<crate::receiver::GrpcListen> {
    match given {
        Some(Grpc::Off) => None,
        Some(Grpc::At(addr)) => Some(crate::receiver::GrpcListen {
            addr,
            explicit: true,
        }),
        None => Some(crate::receiver::GrpcListen {
            addr: SocketAddr::new(
                http.ip(),
                if http.port() == 0 {
                    0
                } else {
                    crate::receiver::DEFAULT_GRPC_PORT
                },
            ),
            explicit: false,
        }),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    if !is_digits(text) {
        return Err(format!("{text:?} is not a port number; {FORMS}"));
    }
    text.parse::<u16>()
        .map_err(|_| format!("port {text} is out of range (0 to 65535)"))
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Letters, digits, `-` and `.`: a name worth asking the resolver about.
fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_goes_beside_http_unless_told() {
        let http: SocketAddr = "0.0.0.0:4318".parse().expect("addr");
        let default = grpc_for(http, None).expect("on by default");
        assert_eq!(default.addr, "0.0.0.0:4317".parse().expect("addr"));
        assert!(!default.explicit);
        let any = grpc_for("127.0.0.1:0".parse().expect("addr"), None).expect("on");
        assert_eq!(any.addr.port(), 0, "beside a chosen port, a chosen port");
        assert!(grpc_for(http, Some(parse_grpc("off").expect("off"))).is_none());
        let given = grpc_for(http, Some(parse_grpc(":5317").expect("addr"))).expect("on");
        assert_eq!(given.addr, "127.0.0.1:5317".parse().expect("addr"));
        assert!(given.explicit);
        assert!(parse_grpc("nonsense:port").is_err());
    }

    fn ok(text: &str) -> String {
        parse_addr(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .to_string()
    }

    #[test]
    fn the_forms_taken() {
        assert_eq!(ok("127.0.0.1:4318"), "127.0.0.1:4318");
        assert_eq!(ok("0.0.0.0:4318"), "0.0.0.0:4318");
        assert_eq!(ok(":4318"), "127.0.0.1:4318");
        assert_eq!(ok("4318"), "127.0.0.1:4318");
        assert_eq!(ok("127.0.0.1:0"), "127.0.0.1:0");
        assert_eq!(ok("[::1]:4318"), "[::1]:4318");
        assert_eq!(ok(":65535"), "127.0.0.1:65535");
        // A name goes to the resolver; localhost is loopback wherever the tests run.
        assert!(parse_addr("localhost:4318").is_ok_and(|a| a.ip().is_loopback()));
    }

    #[test]
    fn listen_alone_is_the_receivers_default() {
        let default = crate::receiver::ReceiverOptions::default().addr;
        assert_eq!(parse_addr(crate::receiver::DEFAULT_ADDR), Ok(default));
    }

    #[test]
    fn the_mistakes_refused() {
        for (text, says) in [
            ("notanaddr", "expected HOST:PORT"),
            ("", "expected HOST:PORT"),
            (":99999", "port 99999 is out of range"),
            ("127.0.0.1:65536", "port 65536 is out of range"),
            ("127.0.0.1:", "\"\" is not a port number"),
            ("127.0.0.1:http", "\"http\" is not a port number"),
            (":-1", "\"-1\" is not a port number"),
            ("::1:4318", "in brackets"),
            ("[nope]:4318", "\"nope\" is not an IPv6 address"),
            ("a b:4318", "\"a b\" is not a host"),
            ("\u{1b}[2J:1", "is not a host"),
        ] {
            let err = parse_addr(text).expect_err(text);
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
