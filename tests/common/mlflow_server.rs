//! A real `mlflow server` (the pinned mlflow's) on 127.0.0.1, backed by a SQL store in a
//! scratch folder. It starts slowly, so a test binary starts one and its tests take turns
//! (`lock`). It runs under a small shell that kills its whole process group when told to on
//! its stdin, or when the test process's end of it closes; then (a static is never dropped)
//! it also removes the scratch folder.

use std::io::Write;
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Server {
    pub dir: tempfile::TempDir,
    pub port: u16,
    shell: Option<(Child, ChildStdin)>,
}

static SERVER: Mutex<Option<Server>> = Mutex::new(None);

/// The shared server, started on first use; held until the guard drops.
pub fn lock() -> MutexGuard<'static, Option<Server>> {
    let mut guard = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Server {
            dir,
            port,
            shell: None,
        };
        server.start();
        *guard = Some(server);
    } else if let Some(server) = guard.as_mut().filter(|s| !s.healthy()) {
        // A test that failed while it was stopped.
        server.stop();
        server.start();
    }
    guard
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("mlflow.db")
    }

    /// Start (again, on the same port) and wait until it answers.
    pub fn start(&mut self) {
        let mlflow = crate::common::mlflow_python()
            .parent()
            .expect("venv bin")
            .join("mlflow");
        // TERM is ignored by the shell only once mlflow has started (children inherit it).
        let script = format!(
            "'{}' server --backend-store-uri 'sqlite:///{}' --host 127.0.0.1 --port {} \
             --workers 1 >>server.log 2>&1 & trap '' TERM; \
             if read _; then kill -TERM 0; wait; \
             else kill -TERM 0; wait; cd /; rm -rf '{}'; fi",
            mlflow.display(),
            self.db().display(),
            self.port,
            self.dir.path().display()
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start mlflow server");
        let stdin = child.stdin.take().expect("stdin");
        self.shell = Some((child, stdin));
        let deadline = Instant::now() + Duration::from_secs(180);
        while !self.healthy() {
            assert!(
                Instant::now() < deadline,
                "mlflow server did not come up: {}",
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Stop it and wait until the port refuses connections.
    pub fn stop(&mut self) {
        if let Some((mut child, mut stdin)) = self.shell.take() {
            let _ = stdin.write_all(b"\n");
            drop(stdin);
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "mlflow server did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn healthy(&self) -> bool {
        let Ok(mut conn) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!(
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let mut answer = String::new();
        conn.write_all(request.as_bytes()).is_ok()
            && std::io::Read::read_to_string(&mut conn, &mut answer).is_ok()
            && answer.starts_with("HTTP/1.1 200")
    }

    /// Log a round of traces with the real client (in a scratch folder: it writes ./mlruns).
    pub fn log_traces(&self, round: &str) {
        log_traces(&self.url(), round);
    }

    /// Log a round into `experiment`, made by the client if it is new.
    pub fn log_traces_in(&self, round: &str, experiment: &str) {
        log_traces_to(&self.url(), round, experiment);
    }
}

pub fn log_traces(target: &str, round: &str) {
    log_traces_to(target, round, "tripwise");
}

fn log_traces_to(target: &str, round: &str, experiment: &str) {
    let scratch = tempfile::tempdir().expect("scratch");
    crate::common::run_ok(
        Command::new(crate::common::mlflow_python())
            .arg(crate::common::fixture("mlflow_sql/log_traces.py"))
            .arg(target)
            .arg(round)
            .arg(experiment)
            .current_dir(scratch.path()),
        "mlflow",
    );
}
