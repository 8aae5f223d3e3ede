//! Driving the real binary in a real terminal: tmux with a private socket, send-keys and
//! capture-pane, polling for what a person would wait to see (never sleeping blindly).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
    commands: std::cell::Cell<u32>,
}

/// tmux must be installed (CI installs it); say so plainly instead of skipping silently.
pub fn require_tmux() {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "these tests need tmux (apt-get install tmux); .ci/run installs it"
    );
}

impl Tmux {
    /// A shell in a detached `width` x `height` terminal, in `cwd`.
    pub fn start(width: u16, height: u16, cwd: &Path) -> Self {
        require_tmux();
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("tmux.sock");
        let tmux = Self {
            socket,
            _dir: dir,
            commands: std::cell::Cell::new(0),
        };
        tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-c",
            &cwd.display().to_string(),
            "env",
            "-i",
            &format!("PATH={}", std::env::var("PATH").unwrap_or_default()),
            "HOME=/tmp",
            // The receiver's recording, by default under here, goes away with the test.
            &format!(
                "XDG_STATE_HOME={}",
                tmux._dir.path().join("state").display()
            ),
            // Node's compile cache for the renderer: under the target folder, kept warm
            // between runs, never in a home folder.
            &format!(
                "XDG_CACHE_HOME={}",
                Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join("tmux-cache-home")
                    .display()
            ),
            "TERM=xterm-256color",
            "TZ=UTC",
            "PS1=$ ",
            "bash",
            "--norc",
            "--noprofile",
        ]);
        tmux.wait_for("shell prompt", |s| s.contains('$'));
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Any tmux command on this server (`set -g set-clipboard on`, `show-buffer`).
    pub fn command(&self, args: &[&str]) -> String {
        self.run(args)
    }

    /// Type a line into the shell and press Enter.
    pub fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", "0", "-l", line]);
        self.run(&["send-keys", "-t", "0", "Enter"]);
    }

    /// Run a shell command to completion on a cleared screen; returns the screen and the
    /// exit code. Each command gets its own marker, so an earlier one's output never matches.
    pub fn shell(&self, command: &str) -> (String, i32) {
        let marker = self.launch(command);
        self.wait_exit(&marker)
    }

    /// Start a command (a full-screen program, say) and return its completion marker.
    pub fn launch(&self, command: &str) -> String {
        let n = self.commands.get() + 1;
        self.commands.set(n);
        let marker = format!("DONE{n}=");
        self.type_line(&format!("clear; {command}; echo {marker}$?"));
        marker
    }

    /// Wait for a `launch`ed command to exit; returns the screen and its exit code. The typed
    /// line starts with the prompt, so only the output line starts with the marker.
    pub fn wait_exit(&self, marker: &str) -> (String, i32) {
        let screen = self.wait_for(marker, |s| s.lines().any(|l| l.starts_with(marker)));
        let code = screen
            .lines()
            .find_map(|l| l.strip_prefix(marker))
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(-1);
        (screen, code)
    }

    /// Send tmux key names (`j`, `Enter`, `Tab`, `C-c`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "0"])
    }

    /// Poll the screen until `done` holds; panics with the last screen after a generous wait.
    pub fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// The terminal title tmux saw set by the program in the pane.
    pub fn title(&self) -> String {
        self.run(&["display-message", "-p", "-t", "0", "#{pane_title}"])
            .trim()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_tracetui")
}
