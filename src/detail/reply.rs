//! The model's reply at the end of a POML call's Messages: its text and tool calls under a
//! `── reply ──` header like the speakers' above, then why it stopped. Read from the call's
//! `.response.json` when shown; a response that cannot be read is said in a line.

use super::Rendered;
use super::doc::{Speaker, Tone};
use crate::formats::poml::call::{RESPONSE, read_reply};
use crate::model::PomlCall;

/// Append the reply, if the call has a response file. Each header is an anchor, after the
/// recorded messages' own.
pub fn append(call: &PomlCall, out: &mut Rendered) {
    let Some(read) = read_reply(call) else {
        return;
    };
    let reply = match read {
        Ok(reply) => reply,
        Err(e) => {
            header(out, "── reply ──");
            let file = call.file(RESPONSE).map_or_else(
                || RESPONSE.to_string(),
                |f| f.name.to_string_lossy().into_owned(),
            );
            let line = format!("{file}: the reply could not be read: {e}");
            out.doc.line(&[(&line, Tone::Warn)]);
            return;
        }
    };
    let count = reply.messages.len();
    for (i, message) in reply.messages.iter().enumerate() {
        if count > 1 {
            header(out, &format!("── reply, choice {} of {count} ──", i + 1));
        } else {
            header(out, "── reply ──");
        }
        if message.content.as_str() == Some("") {
            out.doc.line(&[("(no text and no tool calls)", Tone::Dim)]);
        } else {
            super::poml::content(&mut out.doc, &message.content, "");
        }
        out.doc.blank();
    }
    if count == 0 {
        header(out, "── reply ──");
        out.doc
            .line(&[("(the response holds no choices)", Tone::Dim)]);
    }
    if let Some(reason) = &reply.finish_reason {
        out.doc.field("finish reason", reason);
    }
}

fn header(out: &mut Rendered, text: &str) {
    out.anchors.push(out.doc.lines.len());
    out.doc.line(&[(text, Tone::Speaker(Speaker::Ai))]);
}
