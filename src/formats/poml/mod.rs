//! POML trace folders as Microsoft's `poml` package writes them (formats.md section 1).

pub mod call;
pub mod folder;
pub mod names;
pub mod parts;
pub mod result;
pub mod session_name;

pub use call::build_call;
pub use folder::{Entry, EntryKind, group_calls, list_dir};
pub use result::PomlResult;
