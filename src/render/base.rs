//! Where a call's relative paths (`<document src>`, `<img src>`, `<include>`) resolve: the
//! renderer takes them relative to the prompt file, so re-rendering must name the file the
//! call was rendered from, or the nearest thing to it still on disk.

use super::TraceCall;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseKind {
    /// `SOURCE_PATH` from the call's `.env`: the prompt file it was rendered from.
    SourcePath,
    /// The `.source.poml` link's target (`SOURCE_PATH` is not on this machine).
    SourceLink,
    /// The trace folder itself: neither is there.
    TraceFolder,
    /// The prompt file given to render with (`--source`, the live file).
    SourceFile,
}

impl BaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BaseKind::SourcePath => "SOURCE_PATH",
            BaseKind::SourceLink => "source-link",
            BaseKind::TraceFolder => "trace-folder",
            BaseKind::SourceFile => "source-file",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            BaseKind::SourcePath => "SOURCE_PATH from the call's .env",
            BaseKind::SourceLink => "the .source.poml link's target (SOURCE_PATH is not here)",
            BaseKind::TraceFolder => {
                "the trace folder (neither SOURCE_PATH nor the .source.poml link resolves)"
            }
            BaseKind::SourceFile => "the prompt file rendered",
        }
    }
}

/// The file the renderer is told the prompt came from; relative paths resolve beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    pub file: PathBuf,
    pub kind: BaseKind,
}

impl Base {
    /// For the recorded source: `SOURCE_PATH` if it exists, else the link's target if it
    /// resolves, else the trace folder.
    pub fn of_recorded(call: &TraceCall) -> Self {
        if let Some(path) = call.source_path().filter(|p| p.is_absolute() && p.exists()) {
            return Self {
                file: path,
                kind: BaseKind::SourcePath,
            };
        }
        if let Some(path) = call.link_target() {
            return Self {
                file: path,
                kind: BaseKind::SourceLink,
            };
        }
        let dir = std::fs::canonicalize(&call.dir).unwrap_or_else(|_| call.dir.clone());
        let mut name = call.prefix.clone();
        name.push(".poml");
        Self {
            file: dir.join(name),
            kind: BaseKind::TraceFolder,
        }
    }

    /// For another prompt file: beside that file.
    pub fn of_source(file: PathBuf) -> Self {
        let file = std::fs::canonicalize(&file).unwrap_or(file);
        Self {
            file,
            kind: BaseKind::SourceFile,
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.file
            .parent()
            .map_or_else(|| PathBuf::from("/"), |p| p.to_path_buf())
    }
}
