//! Reading a trace file for display: bounded, and honest about what was left out.

use crate::untrusted::fsread;
use std::path::Path;

/// Files are shown up to this many bytes.
pub const DISPLAY_LIMIT: u64 = 4 << 20;

#[derive(Debug, PartialEq)]
pub enum FileText {
    Text(String),
    Binary(Vec<u8>),
}

#[derive(Debug, PartialEq)]
pub struct Shown {
    pub content: FileText,
    /// `Some(total size)` when only the first `DISPLAY_LIMIT` bytes were read.
    pub cut_from: Option<u64>,
}

pub fn read(path: &Path) -> Result<Shown, String> {
    let prefix = fsread::read_prefix(path, DISPLAY_LIMIT).map_err(|e| fsread::describe(&e))?;
    let cut_from = prefix.truncated().then_some(prefix.len);
    let content = match String::from_utf8(prefix.bytes) {
        Ok(text) => FileText::Text(text),
        // A cut may split a character: keep the valid part as text.
        Err(e) if cut_from.is_some() && e.utf8_error().error_len().is_none() => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            FileText::Text(String::from_utf8(bytes).unwrap_or_default())
        }
        Err(e) => FileText::Binary(e.into_bytes()),
    };
    Ok(Shown { content, cut_from })
}

/// `00000000  89 50 4e 47 ...  |.PNG....|` for the first bytes of a binary file.
pub fn hex_dump(bytes: &[u8], max: usize) -> Vec<String> {
    bytes[..bytes.len().min(max)]
        .chunks(16)
        .enumerate()
        .map(|(row, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{ascii}|", row * 16, hex.join(" "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_binary_and_hex() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = dir.path().join("t");
        std::fs::write(&t, "héllo").expect("write");
        assert_eq!(
            read(&t).expect("read").content,
            FileText::Text("héllo".into())
        );
        let b = dir.path().join("b");
        std::fs::write(&b, [0xff, 0x00, b'A']).expect("write");
        assert_eq!(
            read(&b).expect("read").content,
            FileText::Binary(vec![0xff, 0, b'A'])
        );
        assert_eq!(
            hex_dump(&[0x89, b'P'], 64),
            vec![format!("00000000  {:<47}  |.P|", "89 50")]
        );
        assert!(read(&dir.path().join("none")).is_err());
    }
}
