//! Server-Sent Events captures: `event: <type>` and `data: <json>` lines, a blank line ends
//! an event. PML drops the envelope's timestamp and source, so payloads carry none.

use crate::model::LineRef;

/// One complete SSE event: its type and the place of its data in the file.
#[derive(Debug, PartialEq)]
pub struct SseEvent {
    pub kind: String,
    pub data: Vec<u8>,
    /// The data line (for a one-line payload, exactly its JSON).
    pub at: LineRef,
}

#[derive(Debug, Default)]
pub struct SseParser {
    kind: Option<String>,
    data: Vec<u8>,
    at: Option<LineRef>,
}

impl SseParser {
    /// Feed one line (without its newline) starting at `offset`; returns an event when a
    /// blank line completes one.
    pub fn line(&mut self, bytes: &[u8], number: u64, offset: u64) -> Option<SseEvent> {
        if bytes.is_empty() {
            return self.dispatch();
        }
        if bytes.starts_with(b":") {
            return None;
        }
        let (field, value) = match bytes.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &bytes[i + 1..];
                let skip = usize::from(value.first() == Some(&b' '));
                (&bytes[..i], &value[skip..])
            }
            None => (bytes, &b""[..]),
        };
        match field {
            b"event" => self.kind = Some(String::from_utf8_lossy(value).into_owned()),
            b"data" => {
                let value_offset = offset + (bytes.len() - value.len()) as u64;
                if self.at.is_none() {
                    self.at = Some(LineRef::new(number, value_offset, value.len()));
                } else {
                    self.data.push(b'\n');
                    // A multi-line payload: the range now spans from its first line on.
                    if let Some(at) = &mut self.at {
                        *at = LineRef::new(
                            at.number(),
                            at.offset,
                            (value_offset + value.len() as u64 - at.offset) as usize,
                        );
                    }
                }
                self.data.extend_from_slice(value);
            }
            _ => {}
        }
        None
    }

    /// Some `data:` was read for an event not yet closed by a blank line.
    pub fn is_open(&self) -> bool {
        self.at.is_some()
    }

    /// The stream ended: an event not yet closed by a blank line still counts.
    pub fn finish(&mut self) -> Option<SseEvent> {
        self.dispatch()
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let kind = self.kind.take().unwrap_or_else(|| "message".into());
        let at = self.at.take()?;
        Some(SseEvent {
            kind,
            data: std::mem::take(&mut self.data),
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_end_at_blank_lines() {
        let mut p = SseParser::default();
        let text = b"event: tool.start\ndata: {\"a\":1}\n\n: comment\nevent: heartbeat\ndata: {}\n";
        let mut offset = 0u64;
        let mut events = Vec::new();
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            events.extend(p.line(line, i as u64 + 1, offset));
            offset += line.len() as u64 + 1;
        }
        events.extend(p.finish());
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, "tool.start");
        assert_eq!(events[0].data, b"{\"a\":1}");
        assert_eq!(events[0].at, LineRef::new(2, 24, 7));
        assert_eq!(&text[24..31], b"{\"a\":1}");
        assert_eq!(events[1].kind, "heartbeat");
    }
}
