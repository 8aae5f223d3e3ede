//! How big each prompt is and what it cost: characters of the rendered messages, an
//! estimated token count, the growth since the previous call of the session ("what entered
//! the context window"), and the token usage a trace reports, per span and per session.
//!
//! The estimate is one token per four characters, rounded up: the rule of thumb OpenAI gives
//! for English text with its BPE tokenizers. It is an estimate (code, JSON and non-Latin
//! scripts take more tokens per character; images are not counted) and is always labelled
//! as one; a trace's own usage, where it has one, is the real count and is shown beside it.
//! A real tokenizer would tie tracetui to one model family's vocabulary (megabytes of data)
//! while traces come from many.

use crate::model::{Session, SpanId, Usage};

pub const CHARS_PER_TOKEN: u64 = 4;
/// How far back to look for an earlier call with a prompt (siblings without one, such as
/// tool events, are skipped).
const LOOK_BACK: usize = 1_000;

pub fn estimate_tokens(chars: u64) -> u64 {
    chars.div_ceil(CHARS_PER_TOKEN)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub chars: u64,
    /// Estimated tokens of `chars`.
    pub tokens: u64,
    /// This estimate minus the previous call's, and which call that was.
    pub growth: Option<(i64, SpanId)>,
}

/// The size of a span's prompt, if it has one.
pub fn of_span(session: &Session, id: SpanId) -> Option<Size> {
    let chars = session.get(id)?.payload.prompt_chars()?;
    let tokens = estimate_tokens(chars);
    let growth = previous_with_prompt(session, id).and_then(|(prev, prev_chars)| {
        let prev_tokens = estimate_tokens(prev_chars);
        Some((
            i64::try_from(tokens).ok()? - i64::try_from(prev_tokens).ok()?,
            prev,
        ))
    });
    Some(Size {
        chars,
        tokens,
        growth,
    })
}

/// The nearest earlier sibling that has a prompt (for POML: the previous call).
fn previous_with_prompt(session: &Session, id: SpanId) -> Option<(SpanId, u64)> {
    let mut at = id;
    for _ in 0..LOOK_BACK {
        at = session.previous_sibling(at)?;
        if let Some(chars) = session.get(at).and_then(|s| s.payload.prompt_chars()) {
            return Some((at, chars));
        }
    }
    None
}

/// What a session reported using: the sum over spans with usage whose ancestors have none
/// (a parent that reports its children's total is not counted twice).
pub fn session_usage(session: &Session) -> Option<Usage> {
    let mut items = Vec::new();
    let mut stack: Vec<SpanId> = session
        .roots()
        .iter()
        .chain(session.orphans())
        .rev()
        .copied()
        .collect();
    while let Some(id) = stack.pop() {
        match session.get(id).and_then(|s| s.payload.usage()) {
            Some(u) => items.push(u),
            None => stack.extend(session.children(id).iter().rev()),
        }
    }
    crate::formats::usage::sum(items)
}

/// Estimated tokens of every prompt in a session.
pub fn session_tokens(session: &Session) -> Option<u64> {
    let mut total = None;
    for id in session.spans_in_order() {
        if let Some(chars) = session.span(id).payload.prompt_chars() {
            *total.get_or_insert(0) += estimate_tokens(chars);
        }
    }
    total
}

/// `1,912`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `+312`, `−40`, `±0`.
pub fn signed(n: i64) -> String {
    match n {
        0 => "±0".into(),
        n if n > 0 => format!("+{}", thousands(n.unsigned_abs())),
        n => format!("−{}", thousands(n.unsigned_abs())),
    }
}

/// `632 in · 75 out` (the sides that are known), for reported usage.
/// `632→75`: reported input and output tokens, short (`?` for a side not reported).
pub fn usage_arrow(u: Usage) -> String {
    let side = |n: Option<u64>| n.map_or_else(|| "?".to_string(), thousands);
    format!("{}→{}", side(u.input), side(u.output))
}

pub fn usage_text(u: Usage) -> String {
    let mut parts = Vec::new();
    if let Some(i) = u.input {
        parts.push(format!("{} in", thousands(i)));
    }
    if let Some(o) = u.output {
        parts.push(format!("{} out", thousands(o)));
    }
    if parts.is_empty()
        && let Some(t) = u.total()
    {
        parts.push(format!("{} total", thousands(t)));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_and_formatting() {
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(1), 1);
        assert_eq!(estimate_tokens(8), 2);
        assert_eq!(estimate_tokens(9), 3);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(signed(312), "+312");
        assert_eq!(signed(-1_040), "−1,040");
        assert_eq!(signed(0), "±0");
        let u = Usage {
            input: Some(1_557),
            output: Some(104),
            total: Some(1_661),
        };
        assert_eq!(usage_text(u), "1,557 in · 104 out");
        assert_eq!(
            usage_text(Usage {
                total: Some(9),
                ..Usage::default()
            }),
            "9 total"
        );
    }
}
