//! What can be told about an embedded image without drawing it: type, size, pixel size.

use base64::Engine as _;

#[derive(Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub bytes: usize,
    pub width_height: Option<(u32, u32)>,
}

/// `image/png · 12.0 KB · 640×480 · alt: a chart` (without brackets): what the prompt pane and
/// the compare show for an image part.
pub fn describe(mime: &str, base64: &str, alt: Option<&str>) -> String {
    let mut line = mime.to_string();
    match inspect(base64) {
        Some(info) => {
            line.push_str(&format!(
                " · {}",
                crate::untrusted::fsread::human_size(info.bytes as u64)
            ));
            if let Some((w, h)) = info.width_height {
                line.push_str(&format!(" · {w}×{h}"));
            }
        }
        None => line.push_str(" · base64 does not decode"),
    }
    if let Some(alt) = alt {
        line.push_str(&format!(" · alt: {alt}"));
    }
    line
}

/// Decode base64 and read PNG or JPEG dimensions; `None` when it does not decode.
pub fn inspect(base64: &str) -> Option<ImageInfo> {
    let cleaned: String = base64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let data = base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned.as_bytes()))
        .ok()?;
    Some(ImageInfo {
        bytes: data.len(),
        width_height: png_size(&data).or_else(|| jpeg_size(&data)),
    })
}

/// The pixel size of a PNG or JPEG.
pub fn dimensions(data: &[u8]) -> Option<(u32, u32)> {
    png_size(data).or_else(|| jpeg_size(data))
}

fn png_size(data: &[u8]) -> Option<(u32, u32)> {
    if data.len() < 24 || &data[..8] != b"\x89PNG\r\n\x1a\n" || &data[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(data[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(data[20..24].try_into().ok()?);
    Some((w, h))
}

fn jpeg_size(data: &[u8]) -> Option<(u32, u32)> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    while at + 4 <= data.len() {
        if data[at] != 0xFF {
            return None;
        }
        let marker = data[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = u16::from_be_bytes([data[at + 2], data[at + 3]]) as usize;
        // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([*data.get(at + 5)?, *data.get(at + 6)?]);
            let w = u16::from_be_bytes([*data.get(at + 7)?, *data.get(at + 8)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        at += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_dimensions() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        let info = inspect(&b64).expect("decodes");
        assert_eq!(info.width_height, Some((640, 480)));
        assert_eq!(info.bytes, png.len());
    }

    #[test]
    fn jpeg_dimensions_after_an_app_segment() {
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&jpg);
        assert_eq!(inspect(&b64).and_then(|i| i.width_height), Some((640, 480)));
    }

    #[test]
    fn garbage_does_not_decode() {
        assert_eq!(inspect("!!!not base64"), None);
        assert_eq!(
            inspect("aGVsbG8=").map(|i| i.width_height),
            Some(None),
            "decodes but is no image"
        );
    }
}
