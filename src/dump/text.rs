//! `dump --format text`: a readable tree with times, safe to print to a terminal.

use crate::model::time::{Zone, format_duration};
use crate::model::{Payload, Session, Store};
use crate::sanitize;
use std::io::{self, Write};

const MESSAGE_PREVIEW: usize = 100;

pub fn write(store: &Store, zone: Zone, out: &mut impl Write) -> io::Result<()> {
    for problem in store.problems() {
        writeln!(out, "! {}", sanitize::label(&problem.to_string()))?;
    }
    for (_, session) in store.sessions() {
        session_block(store, session, zone, out)?;
    }
    Ok(())
}

fn session_block(
    store: &Store,
    session: &Session,
    zone: Zone,
    out: &mut impl Write,
) -> io::Result<()> {
    let start = session.start_ns();
    let order = session.spans_in_order();
    writeln!(
        out,
        "{}  [{}]  {}  {} spans  {}  {} problems  {}",
        sanitize::label(&session.id),
        session.source.as_str(),
        start.map_or_else(|| "-".into(), |s| zone.datetime(s)),
        order.len(),
        session
            .duration_ns()
            .map_or_else(|| "-".into(), format_duration),
        session.problem_count(),
        sanitize::label(&session.path.to_string_lossy()),
    )?;
    if let Some(note) = &session.note {
        writeln!(out, "  note: {}", sanitize::label(note))?;
    }
    for problem in session.problems() {
        writeln!(out, "  ! {}", sanitize::label(&problem.to_string()))?;
    }
    for &id in &order {
        let gap = session.gap_before(id);
        let span = session.span(id);
        let mut depth = 0;
        let mut up = span.parent;
        while let Some(p) = up {
            depth += 1;
            up = session.span(p).parent;
        }
        let indent = "  ".repeat(depth + 1);
        let label = match span.index {
            Some(i) => format!("{i:04} {}", store.name(span.name)),
            None => store.name(span.name).to_string(),
        };
        let offset = match (span.start_ns, start) {
            (Some(s), Some(t)) => format!("+{}", format_duration(s - t)),
            _ => "-".into(),
        };
        writeln!(
            out,
            "{indent}{:<28} {:>9} {:>8} {:>9}  {}",
            sanitize::label(&label),
            offset,
            span.duration_ns()
                .map_or_else(|| "-".into(), format_duration),
            gap.map_or_else(String::new, |g| if g < 0 {
                format!("overlap {}", format_duration(-g))
            } else {
                format!("gap {}", format_duration(g))
            }),
            span.status.as_str(),
        )?;
        if let Payload::Poml(call) = &span.payload
            && let Some(prompt) = &call.prompt
        {
            for m in &prompt.messages {
                let line: String = m.first_line.chars().take(MESSAGE_PREVIEW).collect();
                writeln!(
                    out,
                    "{indent}    {}: {}",
                    sanitize::label(&m.speaker),
                    sanitize::label(&line)
                )?;
            }
        }
        for problem in &span.problems {
            writeln!(out, "{indent}  ! {}", sanitize::label(&problem.to_string()))?;
        }
    }
    Ok(())
}
