//! The HTTP side of talking to an MLflow tracking server: the endpoints tracetui reads (and
//! only those: nothing here can change the server), MLflow's auth variables, timeouts and
//! size caps on every answer, and failures sorted into what the status bar should say.

use base64::Engine as _;
use std::time::Duration;

/// The most a page of summaries or the experiment list may weigh.
const PAGE_LIMIT: u64 = 32 << 20;
/// The most one trace's spans may weigh.
pub const TRACE_LIMIT: u64 = 256 << 20;
/// Traces per search page: the server's own maximum.
pub const PAGE_SIZE: usize = 500;
/// The first page of a walk: about a screenful, since a server's time grows with the page.
pub const FIRST_PAGE_SIZE: usize = 50;
/// How many of the newest experiments each poll looks at for ones made since.
const NEWEST_EXPERIMENTS: usize = 50;

/// Why a request did not give an answer to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answered (refused, timed out, DNS, TLS): worth retrying.
    Unreachable(String),
    /// 401 or 403: the credentials are missing or wrong.
    Auth(String),
    /// Any other non-success status, with what the server said.
    Status(u16, String),
    /// An answer that is not what MLflow sends.
    BadData(String),
}

impl Failure {
    pub fn message(&self) -> String {
        match self {
            Failure::Unreachable(why) => format!("unreachable: {why}"),
            Failure::Auth(why) => format!(
                "refused the credentials ({why}); set MLFLOW_TRACKING_TOKEN or \
                 MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            ),
            Failure::Status(code, why) => format!("answered {code}: {why}"),
            Failure::BadData(why) => format!("answered something unreadable: {why}"),
        }
    }
}

pub struct Client {
    base: String,
    agent: ureq::Agent,
    auth: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials.
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

impl Client {
    /// A client for the server at `url` (`http(s)://host:port[/prefix]`), with the
    /// credentials MLflow's own client would use from the environment.
    pub fn new(url: &str) -> Self {
        Self::with_auth(url, auth_from_env())
    }

    pub fn with_auth(url: &str, auth: Option<String>) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect could carry the credentials elsewhere: report it instead.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("tracetui/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        Self {
            base: url.trim_end_matches('/').to_string(),
            agent,
            auth,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// One page of the experiment list (active experiments only).
    pub fn experiments(&self, page_token: Option<&str>) -> Result<Vec<u8>, Failure> {
        let mut url = format!(
            "{}/api/2.0/mlflow/experiments/search?max_results=1000",
            self.base
        );
        if let Some(t) = page_token {
            url.push_str("&page_token=");
            url.push_str(&percent_encode(t));
        }
        self.get(&url, PAGE_LIMIT)
    }

    /// The most recently created experiments, newest first: one small request that finds
    /// an experiment made since the list was read.
    pub fn newest_experiments(&self) -> Result<Vec<u8>, Failure> {
        let url = format!(
            "{}/api/2.0/mlflow/experiments/search?max_results={NEWEST_EXPERIMENTS}&order_by=creation_time%20DESC",
            self.base
        );
        self.get(&url, PAGE_LIMIT)
    }

    /// One page of trace summaries in `experiments`, newest first, optionally filtered
    /// (MLflow's search syntax). Search is a POST in MLflow's API, and only reads.
    pub fn search_traces(
        &self,
        experiments: &[String],
        filter: Option<&str>,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<Vec<u8>, Failure> {
        let locations: Vec<serde_json::Value> = experiments
            .iter()
            .map(|id| {
                serde_json::json!({"type": "MLFLOW_EXPERIMENT",
                                   "mlflow_experiment": {"experiment_id": id}})
            })
            .collect();
        let mut body = serde_json::json!({
            "locations": locations,
            "max_results": page_size,
            "order_by": ["timestamp_ms DESC"],
        });
        if let Some(f) = filter {
            body["filter"] = f.into();
        }
        if let Some(t) = page_token {
            body["page_token"] = t.into();
        }
        let url = format!("{}/api/3.0/mlflow/traces/search", self.base);
        let mut request = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if let Some(a) = &self.auth {
            request = request.header("Authorization", a);
        }
        let answer = request.send(body.to_string());
        read(answer, PAGE_LIMIT)
    }

    /// One trace's summary (GetTraceInfoV3).
    pub fn trace_info(&self, trace_id: &str) -> Result<Vec<u8>, Failure> {
        let url = format!(
            "{}/api/3.0/mlflow/traces/{}",
            self.base,
            percent_encode(trace_id)
        );
        self.get(&url, PAGE_LIMIT)
    }

    /// One trace's spans as MLflow stores them (`{"spans": [...]}`), wherever the server
    /// keeps them (its database or its artifact store): the endpoint MLflow's own UI reads.
    pub fn trace_data(&self, trace_id: &str) -> Result<Vec<u8>, Failure> {
        let url = format!(
            "{}/ajax-api/3.0/mlflow/get-trace-artifact?request_id={}",
            self.base,
            percent_encode(trace_id)
        );
        self.get(&url, TRACE_LIMIT)
    }

    fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>, Failure> {
        let mut request = self.agent.get(url);
        if let Some(a) = &self.auth {
            request = request.header("Authorization", a);
        }
        read(request.call(), limit)
    }
}

fn read(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<Vec<u8>, Failure> {
    let mut response = answer.map_err(|e| Failure::Unreachable(transport_reason(e)))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => {
                Failure::BadData(format!("an answer over {} MiB", limit >> 20))
            }
            other => Failure::Unreachable(transport_reason(other)),
        })?;
    match status {
        200..=299 => Ok(body),
        401 | 403 => Err(Failure::Auth(format!("{status}"))),
        300..=399 => Err(Failure::Status(
            status,
            "a redirect; give the URL it points to".into(),
        )),
        _ => Err(Failure::Status(status, server_message(&body))),
    }
}

/// MLflow's error answers are `{"error_code": ..., "message": ...}`; anything else is cut.
fn server_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
        .chars()
        .take(300)
        .collect()
}

/// `Authorization` as MLflow's client builds it: a token first, else user and password.
fn auth_from_env() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(token) = var("MLFLOW_TRACKING_TOKEN") {
        return Some(format!("Bearer {token}"));
    }
    let user = var("MLFLOW_TRACKING_USERNAME")?;
    let password = var("MLFLOW_TRACKING_PASSWORD").unwrap_or_default();
    Some(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    ))
}

/// A query value with everything but RFC 3986's unreserved characters escaped.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why the server could not be reached, in the few words a user needs ("connection
/// refused", not "io: Connection refused (os error 111)").
fn transport_reason(e: ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => crate::untrusted::fsread::reason(&io),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(percent_encode("eyJ+/=="), "eyJ%2B%2F%3D%3D");
        assert_eq!(percent_encode("tr-ab_c.d~"), "tr-ab_c.d~");
    }

    /// A one-shot server: answers one request with `answer`, hands back what it was sent.
    fn one_shot(
        answer: impl AsRef<[u8]> + Send + 'static,
    ) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            let mut request = vec![0; 4096];
            let n = conn.read(&mut request).unwrap_or(0);
            let _ = conn.write_all(answer.as_ref());
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        (url, handle)
    }

    #[test]
    fn credentials_are_sent_and_a_refusal_says_which_variables_to_set() {
        let (url, server) = one_shot(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        let client = Client::with_auth(&url, Some("Bearer sekrit".into()));
        let failure = client.experiments(None).expect_err("refused");
        let request = server.join().expect("server");
        assert!(
            request.starts_with("GET /api/2.0/mlflow/experiments/search?"),
            "{request}"
        );
        assert!(
            request.contains("authorization: Bearer sekrit")
                || request.contains("Authorization: Bearer sekrit"),
            "{request}"
        );
        assert!(failure.message().contains("MLFLOW_TRACKING_TOKEN"));
        assert!(!format!("{client:?}").contains("sekrit"));
    }

    #[test]
    fn answers_are_capped_and_redirects_not_followed() {
        let (url, server) = one_shot(
            b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/\r\nContent-Length: 0\r\n\r\n",
        );
        let failure = Client::with_auth(&url, None)
            .trace_data("tr-1")
            .expect_err("redirect");
        assert!(matches!(failure, Failure::Status(302, _)), "{failure:?}");
        server.join().expect("server");
        // A page larger than the cap: read up to it, then refused.
        let mut huge = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        huge.resize(huge.len() + (PAGE_LIMIT as usize) + 1024, b' ');
        let (url, server) = one_shot(huge);
        let failure = Client::with_auth(&url, None)
            .experiments(None)
            .expect_err("too large");
        assert!(matches!(failure, Failure::BadData(_)), "{failure:?}");
        server.join().expect("server");
    }

    #[test]
    fn error_answers_say_what_the_server_said() {
        assert_eq!(
            server_message(br#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no"}"#),
            "no"
        );
        assert_eq!(server_message(b"<html>"), "<html>");
    }
}
