//! The terminal layer, the only code that touches the terminal: the interactive run loop,
//! taking the terminal and giving it back on every exit path, signals, pausing input while
//! the editor has the terminal, and carrying out effects (clipboard, editor).

pub mod clipboard;
pub mod host;
pub mod input_gate;
pub mod run;
pub mod screen;
pub mod signals;
