//! MLflow attachments: an image (or audio, a PDF) a span's inputs or outputs held is stored
//! beside the trace as `artifacts/attachments/<id>` and replaced in the span by a reference,
//! `mlflow-attachment://<id>?content_type=image%2Fpng&trace_id=tr-...&size=74`. This reads
//! a reference and says where its file is.

use std::path::{Path, PathBuf};

pub const SCHEME: &str = "mlflow-attachment://";

/// What a reference names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub id: String,
    pub content_type: String,
    pub size: Option<u64>,
}

/// The reference in `text`, if it is one. The id must be a plain name (letters, digits,
/// `-`): it becomes a file name, and a trace must not name files outside its folder.
pub fn parse(text: &str) -> Option<Reference> {
    let rest = text.trim().strip_prefix(SCHEME)?;
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let mut content_type = String::from("application/octet-stream");
    let mut size = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "content_type" => content_type = unescape(value),
            "size" => size = value.parse().ok(),
            _ => {}
        }
    }
    Some(Reference {
        id: id.to_string(),
        content_type,
        size,
    })
}

/// Where the file of `reference` is for a span read from `span_file` (a trace's
/// `artifacts/traces.json` in the file store): `artifacts/attachments/<id>`.
pub fn path(span_file: &Path, reference: &Reference) -> Option<PathBuf> {
    Some(span_file.parent()?.join("attachments").join(&reference.id))
}

/// `%2F` and `+` as a query string writes them.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_and_ids_kept_inside_the_trace() {
        let r = parse(
            "mlflow-attachment://e8d28dcc-1cc1?content_type=image%2Fpng&trace_id=tr-1&size=73",
        )
        .expect("a reference");
        assert_eq!(r.id, "e8d28dcc-1cc1");
        assert_eq!(r.content_type, "image/png");
        assert_eq!(r.size, Some(73));
        assert_eq!(
            path(Path::new("/t/artifacts/traces.json"), &r),
            Some(PathBuf::from("/t/artifacts/attachments/e8d28dcc-1cc1"))
        );
        assert!(parse("mlflow-attachment://../../etc/passwd?content_type=x").is_none());
        assert!(parse("mlflow-attachment://a%2F..?size=1").is_none());
        assert!(parse("https://example.com/x.png").is_none());
        assert_eq!(
            parse("mlflow-attachment://x?content_type=%zz").map(|r| r.content_type),
            Some("%zz".into())
        );
    }
}
