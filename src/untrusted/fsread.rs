//! Reading trace files: read-only, bounded, and never blocked by a FIFO or a device node.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Bytes read from the start of a file, and how long the file is.
#[derive(Debug)]
pub struct Prefix {
    pub bytes: Vec<u8>,
    pub len: u64,
}

impl Prefix {
    pub fn truncated(&self) -> bool {
        (self.bytes.len() as u64) < self.len
    }
}

/// Open a regular file for reading only; anything else is refused before it can block.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = fs::metadata(path).map_err(|e| explain_missing(path, e))?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            not_regular(&meta),
        ));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    // The path may have been swapped between the check and the open.
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Why a file that is not a regular file is not read, naming what it is.
pub fn not_regular(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let what = if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    if what == "not a regular file" {
        format!("{what}; not read")
    } else {
        format!("not a regular file ({what}); not read")
    }
}

/// A missing target behind a symlink is a dangling link, not a file that vanished.
fn explain_missing(path: &Path, e: io::Error) -> io::Error {
    if e.kind() != io::ErrorKind::NotFound {
        return e;
    }
    match fs::read_link(path) {
        Ok(target) => io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "dangling symlink (its target {} does not exist)",
                target.display()
            ),
        ),
        Err(_) => e,
    }
}

/// Read at most `limit` bytes from the start of a regular file.
pub fn read_prefix(path: &Path, limit: u64) -> io::Result<Prefix> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    let mut bytes = Vec::with_capacity(len.min(limit) as usize);
    file.take(limit).read_to_end(&mut bytes)?;
    let len = len.max(bytes.len() as u64);
    Ok(Prefix { bytes, len })
}

/// An I/O error as a short phrase for a problem message.
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        // A message of our own (a dangling link) says more than the kind.
        io::ErrorKind::NotFound if e.get_ref().is_some() => e.to_string(),
        io::ErrorKind::NotFound => "vanished before it could be read".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::InvalidInput => e.to_string(),
        _ if e.raw_os_error() == Some(libc::ELOOP) => "symlink loop".into(),
        _ if e.raw_os_error() == Some(libc::EISDIR) => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// `1.5 MB`, for sizes in messages.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// An I/O error as the few words a user needs ("permission denied", not "os error 13").
pub fn reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound if e.get_ref().is_none() => "no such file or directory".into(),
        ErrorKind::AddrInUse => "the address is already in use".into(),
        ErrorKind::AddrNotAvailable => "no interface of this machine has that address".into(),
        // "(os error 28)" means nothing to the reader of the sentence before it.
        _ => {
            let text = describe(e);
            let text = match text.find(" (os error ") {
                Some(at) if text.ends_with(')') => text[..at].to_string(),
                _ => text,
            };
            // The system's words begin a sentence ("Not a directory"); here they end one.
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
                    first.to_lowercase().chain(text.chars().skip(1)).collect()
                }
                _ => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_the_end_of_a_sentence() {
        let e = std::io::Error::from_raw_os_error(libc::ENOTDIR);
        assert_eq!(reason(&e), "not a directory");
        let e = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(reason(&e), "connection refused");
    }

    #[test]
    fn reads_a_bounded_prefix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        fs::write(&path, b"0123456789").expect("write");
        let p = read_prefix(&path, 4).expect("read");
        assert_eq!(p.bytes, b"0123");
        assert!(p.truncated());
        assert_eq!(p.len, 10);
        assert!(!read_prefix(&path, 100).expect("read").truncated());
    }

    #[test]
    fn refuses_fifos_and_directories_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("no nul");
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_prefix(&fifo, 10).unwrap_err();
        assert_eq!(describe(&err), "not a regular file (a FIFO); not read");
        assert!(read_prefix(dir.path(), 10).is_err());
        let gone = read_prefix(&dir.path().join("missing"), 10).unwrap_err();
        assert_eq!(describe(&gone), "vanished before it could be read");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("nowhere", &link).expect("symlink");
        let dangling = read_prefix(&link, 10).unwrap_err();
        assert_eq!(
            describe(&dangling),
            "dangling symlink (its target nowhere does not exist)"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_500_000), "1.5 MB");
        assert_eq!(human_size(1_000_000_000), "1.0 GB");
    }
}
