//! Questions asked of the loaded spans: the filter language, the patterns (stats) view,
//! where the problems are, and how big each prompt is.
//! UI-free: the UI, `dump --filter` and `tracetui stats` all use these.

pub mod filter;
pub mod matches;
pub mod problems;
pub mod relate;
pub mod size;
pub mod stats;

pub use filter::Filter;
pub use matches::Matches;
pub use stats::Stats;
