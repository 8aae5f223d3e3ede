//! Re-rendering a traced POML call with the real renderer (`poml-cli`): finding it
//! (`locate`) and starting it warm (`compile_cache`), the call's files (`call`), where its
//! relative paths resolve (`base`), edited context values (`set`), a private scratch folder
//! (`scratch`), running it and reading its errors (`run`, `located`), the verdict against
//! the recorded result (`outcome`), and the UI's background renderer (`worker`). Nothing
//! here writes into a trace folder.

pub mod base;
pub mod call;
mod compile_cache;
pub mod locate;
pub mod located;
pub mod outcome;
pub mod run;
pub mod scratch;
pub mod set;
pub mod worker;

pub use base::{Base, BaseKind};
pub use call::TraceCall;
pub use locate::Renderer;
pub use outcome::{Outcome, Verdict};
pub use run::{Failure, Job, SourceKind};
