//! A streaming JSON writer: objects and arrays opened and closed as the dump walks the
//! store, strings escaped by serde_json, and values already in JSON (event fields copied
//! from the trace file) written verbatim, so nothing is parsed twice.

use serde::Serialize;
use std::io::{self, Write};

pub struct JsonWriter<W: Write> {
    w: W,
    /// Per open object or array: whether it has no element yet.
    frames: Vec<bool>,
    /// A key was just written; its value needs no separator.
    after_key: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(w: W) -> Self {
        Self {
            w,
            frames: Vec::new(),
            after_key: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.w
    }

    fn before_value(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.after_key) {
            return Ok(());
        }
        if let Some(first) = self.frames.last_mut()
            && !std::mem::replace(first, false)
        {
            self.w.write_all(b",")?;
        }
        Ok(())
    }

    pub fn begin_object(&mut self) -> io::Result<()> {
        self.before_value()?;
        self.frames.push(true);
        self.w.write_all(b"{")
    }

    pub fn end_object(&mut self) -> io::Result<()> {
        self.frames.pop();
        self.w.write_all(b"}")
    }

    pub fn begin_array(&mut self) -> io::Result<()> {
        self.before_value()?;
        self.frames.push(true);
        self.w.write_all(b"[")
    }

    pub fn end_array(&mut self) -> io::Result<()> {
        self.frames.pop();
        self.w.write_all(b"]")
    }

    /// A key: one of the schema's own names, which never need escaping.
    pub fn key(&mut self, key: &'static str) -> io::Result<()> {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.before_value()?;
        self.w.write_all(b"\"")?;
        self.w.write_all(key.as_bytes())?;
        self.w.write_all(b"\":")?;
        self.after_key = true;
        Ok(())
    }

    pub fn string(&mut self, s: &str) -> io::Result<()> {
        self.before_value()?;
        serde_json::to_writer(&mut self.w, s).map_err(io::Error::other)
    }

    pub fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> io::Result<()> {
        self.before_value()?;
        serde_json::to_writer(&mut self.w, v).map_err(io::Error::other)
    }

    /// A complete JSON value, as it is.
    pub fn raw(&mut self, json: &[u8]) -> io::Result<()> {
        self.before_value()?;
        self.w.write_all(json)
    }

    /// Fields written elsewhere (`"a":1,"b":2`, or nothing), added to the open object.
    pub fn raw_fields(&mut self, fields: &[u8]) -> io::Result<()> {
        if fields.is_empty() {
            return Ok(());
        }
        self.before_value()?;
        self.w.write_all(fields)
    }

    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> io::Result<()> {
        self.key(key)?;
        self.value(v)
    }

    pub fn newline(&mut self) -> io::Result<()> {
        self.w.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_separates_and_escapes() {
        let mut w = JsonWriter::new(Vec::new());
        w.begin_object().expect("w");
        w.field("a", &1).expect("w");
        w.key("b").expect("w");
        w.begin_array().expect("w");
        w.string("x\"\u{1b}").expect("w");
        w.raw(br#"{"k": [1, 2]}"#).expect("w");
        w.value(&None::<i64>).expect("w");
        w.end_array().expect("w");
        w.field("c", "d").expect("w");
        w.raw_fields(b"").expect("w");
        w.raw_fields(br#""e":2,"f":[]"#).expect("w");
        w.end_object().expect("w");
        let text = String::from_utf8(w.into_inner()).expect("utf8");
        assert_eq!(
            text,
            r#"{"a":1,"b":["x\"\u001b",{"k": [1, 2]},null],"c":"d","e":2,"f":[]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["b"][1]["k"][1], 2);
        // Fields from elsewhere as an object's first.
        let mut w = JsonWriter::new(Vec::new());
        w.begin_object().expect("w");
        w.raw_fields(br#""g":3"#).expect("w");
        w.field("h", &4).expect("w");
        w.end_object().expect("w");
        assert_eq!(w.into_inner(), br#"{"g":3,"h":4}"#);
    }
}
