//! Finding the real POML renderer: `--poml CMD`, then `$TRACETUI_POML`, then `poml-cli` on
//! PATH, then `python3 -m poml`. Never a renderer of our own: a prompt must come out exactly
//! as the package that traced it renders it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to tell someone who has no renderer, in one line.
pub const INSTALL_HINT: &str = "install it with: pip install poml";

#[derive(Clone, Debug)]
pub struct Renderer {
    /// The command and its leading arguments (`python3 -m poml`).
    pub argv: Vec<OsString>,
    /// Where it was found: `--poml`, `$TRACETUI_POML`, `PATH`, `python3 -m poml`.
    pub found_by: &'static str,
    /// Asked once: it costs a Python start.
    version: std::sync::OnceLock<Option<String>>,
}

impl Renderer {
    pub fn shown(&self) -> String {
        self.argv
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.argv[0]);
        command.args(&self.argv[1..]);
        if let Some(dir) = super::compile_cache::dir() {
            command.env("NODE_COMPILE_CACHE", dir);
        }
        command
    }

    /// The poml package's version, asked of the Python that runs it (the CLI's own
    /// `--version` says "unknown"); `None` when that Python cannot be told.
    pub fn version(&self) -> Option<String> {
        self.version.get_or_init(|| self.ask_version()).clone()
    }

    fn ask_version(&self) -> Option<String> {
        let python = self.python()?;
        let out = Command::new(python)
            .args([
                "-c",
                "import importlib.metadata as m; print(m.version('poml'))",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !text.is_empty() && text.len() < 64).then_some(text)
    }

    /// The interpreter behind the command: itself for `python3 -m poml`, else the `#!`
    /// line of a console script such as `poml-cli`.
    fn python(&self) -> Option<PathBuf> {
        let first = PathBuf::from(&self.argv[0]);
        if self.argv.get(1).is_some_and(|a| a == "-m") {
            return Some(first);
        }
        let path = if first.components().count() > 1 {
            first
        } else {
            on_path(first.as_os_str())?
        };
        let head = crate::untrusted::fsread::read_prefix(&path, 512).ok()?;
        let line = head.bytes.split(|&b| b == b'\n').next()?;
        let interpreter = std::str::from_utf8(line.strip_prefix(b"#!")?).ok()?.trim();
        (!interpreter.contains(' ')).then(|| PathBuf::from(interpreter))
    }
}

/// The renderer to use, or the one line that says how to get one.
pub fn locate(flag: Option<&str>) -> Result<Renderer, String> {
    if let Some(cmd) = flag {
        return from_words(cmd, "--poml");
    }
    if let Some(cmd) = std::env::var("TRACETUI_POML")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return from_words(&cmd, "$TRACETUI_POML");
    }
    if let Some(path) = on_path("poml-cli".as_ref()) {
        return Ok(Renderer {
            argv: vec![path.into_os_string()],
            found_by: "PATH",
            version: Default::default(),
        });
    }
    if let Some(python) = on_path("python3".as_ref()) {
        let has_poml = Command::new(&python)
            .args(["-c", "import poml.cli"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if has_poml {
            return Ok(Renderer {
                argv: vec![python.into_os_string(), "-m".into(), "poml".into()],
                found_by: "python3 -m poml",
                version: Default::default(),
            });
        }
    }
    Err(format!(
        "no POML renderer found (--poml, $TRACETUI_POML, poml-cli on PATH, python3 -m poml): {INSTALL_HINT}"
    ))
}

/// A command given as words (`python3 -m poml`); its program must be there.
fn from_words(cmd: &str, found_by: &'static str) -> Result<Renderer, String> {
    let argv: Vec<OsString> = cmd.split_whitespace().map(OsString::from).collect();
    let Some(program) = argv.first() else {
        return Err(format!("{found_by} is empty: {INSTALL_HINT}"));
    };
    let program_path = Path::new(program);
    let there = if program_path.components().count() > 1 {
        program_path.is_file()
    } else {
        on_path(program).is_some()
    };
    if !there {
        return Err(format!(
            "the renderer {found_by} names ({}) is not there: {INSTALL_HINT}",
            program.to_string_lossy()
        ));
    }
    Ok(Renderer {
        argv,
        found_by,
        version: Default::default(),
    })
}

/// `name` in a PATH folder, as an executable file.
fn on_path(name: &std::ffi::OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
