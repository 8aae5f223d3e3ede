//! Questions asked of the loaded spans: the filter language and the patterns (stats) view.
//! UI-free: the UI, `dump --filter` and `tracetui stats` all use these.

pub mod filter;
pub mod matches;
pub mod stats;

pub use filter::Filter;
pub use matches::Matches;
pub use stats::Stats;
