//! Where untrusted input is made safe: trace text made printable, and files read only when
//! they are regular files, never written.

pub mod fsread;
pub mod private_files;
pub mod sanitize;
