//! One render: the prompt, context and stylesheet written into a scratch folder, the
//! renderer run there on them (speaker mode, strict, tracing off), its output read back.

use super::located::{self, Located};
use super::scratch::Scratch;
use super::{Base, Renderer, TraceCall};
use crate::formats::poml::call::PARSE_LIMIT;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A renderer that has not finished by then is stopped: a prompt that loops forever
/// must not hold a golden run (or the UI's worker) for ever.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Which prompt text is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// The `.poml` the trace kept: the prompt as it was.
    Recorded,
    /// The person's prompt file today (the `.source.poml` link's target, or `SOURCE_PATH`).
    Live(PathBuf),
    /// A prompt file given to render instead.
    Given(PathBuf),
}

impl SourceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::Recorded => "recorded",
            SourceKind::Live(_) => "live",
            SourceKind::Given(_) => "given",
        }
    }

    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            SourceKind::Recorded => None,
            SourceKind::Live(p) | SourceKind::Given(p) => Some(p),
        }
    }
}

/// Everything one render needs, read into memory, so the render never reads the trace.
#[derive(Clone, Debug)]
pub struct Job {
    pub call: TraceCall,
    pub source: SourceKind,
    pub text: Vec<u8>,
    pub base: Base,
    /// The context file's bytes as they go to the renderer (the recorded ones, unchanged,
    /// unless edited).
    pub context: Option<Vec<u8>>,
    pub stylesheet: Option<Vec<u8>>,
    /// Speaker mode, as the recorded result was made (a result whose `messages` is not a
    /// list of messages was rendered with chat off).
    pub chat: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The renderer ran and refused the prompt.
    Renderer(Located),
    /// It could not be run, or what it wrote could not be read.
    Other(String),
}

impl Failure {
    pub fn describe(&self) -> String {
        match self {
            Failure::Renderer(l) => l.describe(),
            Failure::Other(s) => s.clone(),
        }
    }
}

impl Job {
    /// The call as recorded, with its source as `source` says; `None` source = recorded.
    pub fn for_call(call: &TraceCall, source: SourceKind) -> Result<Self, String> {
        let recorded = call
            .read(".poml", PARSE_LIMIT)?
            .ok_or_else(|| format!("{}: the call has no .poml", call.label()))?;
        let (text, base) = match &source {
            SourceKind::Recorded => (recorded, Base::of_recorded(call)),
            SourceKind::Live(path) | SourceKind::Given(path) => {
                let bytes = crate::untrusted::fsread::read_prefix(path, PARSE_LIMIT)
                    .map_err(|e| {
                        format!(
                            "{}: {}",
                            path.display(),
                            crate::untrusted::fsread::describe(&e)
                        )
                    })?
                    .bytes;
                (bytes, Base::of_source(path.clone()))
            }
        };
        let chat = match call.read(".result.json", PARSE_LIMIT) {
            Ok(Some(bytes)) => crate::formats::poml::PomlResult::parse(&bytes)
                .map(|r| r.chat)
                .unwrap_or(true),
            _ => true,
        };
        Ok(Self {
            call: call.clone(),
            source,
            text,
            base,
            context: call.read(".context.json", PARSE_LIMIT)?,
            stylesheet: call.read(".stylesheet.json", PARSE_LIMIT)?,
            chat,
        })
    }

    /// The context as JSON, for editing; `{}` when the call has none.
    pub fn context_value(&self) -> Result<Value, String> {
        match &self.context {
            Some(bytes) => serde_json::from_slice(bytes)
                .map_err(|e| format!("{}: {e}", self.call.path(".context.json").display())),
            None => Ok(Value::Object(Default::default())),
        }
    }

    /// Render; `avoid` are the folders the scratch folder must stay out of.
    pub fn render(&self, renderer: &Renderer, avoid: &[PathBuf]) -> Result<Value, Failure> {
        let other = |what: &str, e: std::io::Error| Failure::Other(format!("{what}: {e}"));
        // The renderer would say only "Unexpected end of JSON input", with no file: say which.
        for (suffix, bytes) in [
            (".context.json", &self.context),
            (".stylesheet.json", &self.stylesheet),
        ] {
            if let Some(bytes) = bytes
                && let Err(e) = serde_json::from_slice::<Value>(bytes)
            {
                return Err(Failure::Other(format!("its {suffix} is not JSON ({e})")));
            }
        }
        let mut avoid = avoid.to_vec();
        avoid.push(self.call.dir.clone());
        let scratch = Scratch::new(&avoid).map_err(|e| other("scratch folder", e))?;
        let prompt = scratch
            .write("call.poml", &self.text)
            .map_err(|e| other("scratch copy", e))?;
        // The renderer reads `call.env` beside the prompt and takes SOURCE_PATH from it as
        // the prompt's own path: that is how relative paths resolve where they did.
        let env = format!("SOURCE_PATH={}\n", self.base.file.display());
        scratch
            .write("call.env", env.as_bytes())
            .map_err(|e| other("scratch copy", e))?;
        let output = scratch.dir().join("out.json");
        let stderr_path = scratch.dir().join("stderr.txt");
        let mut command = renderer.command();
        command
            .arg("-f")
            .arg(&prompt)
            .arg("-o")
            .arg(&output)
            .args(["--chat", if self.chat { "true" } else { "false" }])
            .arg("--cwd")
            .arg(scratch.dir())
            .current_dir(scratch.dir())
            // Tracing on would write a new call into the person's trace folder.
            .env_remove("POML_TRACE")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if let Some(bytes) = &self.context {
            let path = scratch
                .write("context.json", bytes)
                .map_err(|e| other("scratch copy", e))?;
            command.arg("--context-file").arg(path);
        }
        if let Some(bytes) = &self.stylesheet {
            let path = scratch
                .write("stylesheet.json", bytes)
                .map_err(|e| other("scratch copy", e))?;
            command.arg("--stylesheet-file").arg(path);
        }
        let stderr = std::fs::File::create(&stderr_path).map_err(|e| other("scratch", e))?;
        command.stderr(stderr);
        let mut child = command
            .spawn()
            .map_err(|e| other(&format!("cannot run {}", renderer.shown()), e))?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Failure::Other(format!(
                        "the renderer did not finish within {} s",
                        TIMEOUT.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(other("waiting for the renderer", e)),
            }
        };
        if !status.success() {
            let said = crate::untrusted::fsread::read_prefix(&stderr_path, 1 << 20)
                .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
                .unwrap_or_default();
            let source = String::from_utf8_lossy(&self.text);
            return Err(Failure::Renderer(located::parse(&said, &source)));
        }
        let out = crate::untrusted::fsread::read_prefix(&output, PARSE_LIMIT)
            .map_err(|e| other("the renderer's output", e))?;
        if out.truncated() {
            return Err(Failure::Other("the renderer's output is too large".into()));
        }
        serde_json::from_slice(&out.bytes)
            .map_err(|e| Failure::Other(format!("the renderer's output is not JSON: {e}")))
    }
}
