//! The prompt pane: tabs for the selected call, and the document for the current tab.

use super::{Theme, fit, focused, pane_block};
use crate::app::input::tab_labels;
use crate::app::{App, Focus};
use crate::detail::Subject;
use crate::model::time::format_duration;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut title = vec![Span::raw(" Prompt ")];
    match app.subject() {
        Some(Subject::Span(sid, id)) => {
            if let Some((session, span)) =
                app.store.session(sid).and_then(|s| Some((s, s.get(id)?)))
            {
                // A POML call's key is its file prefix (`0003.planner`), a PML event's its
                // id; an OpenTelemetry span id is opaque hex: show its name instead.
                let label = match span.payload {
                    crate::model::Payload::Span(_) => app.store.name(span.name),
                    _ => session.key(id),
                };
                let mut text = format!("· {} ", crate::untrusted::sanitize::label(label));
                if let Some(d) = span.duration_ns() {
                    text.push_str(&format!("· {} ", format_duration(d)));
                }
                title.push(Span::raw(text));
                title.push(Span::styled(
                    format!("{} ", span.status.as_str()),
                    theme.status(span.status),
                ));
            }
        }
        Some(Subject::Session(sid)) => {
            if let Some(s) = app.store.session(sid) {
                title.push(Span::raw(format!(
                    "· session {} ",
                    crate::untrusted::sanitize::label(&s.id)
                )));
            }
        }
        None => {}
    }
    let rows = app.prompt.rows();
    let body = app.panes.prompt_body();
    let scroll = app.prompt.scroll();
    if let Some(position) = app.prompt.search.position() {
        title.push(Span::styled(format!("{position} "), theme.key()));
    }
    if rows.len() > body.height as usize && body.height > 0 {
        let last = (scroll + body.height as usize).min(rows.len());
        title.push(Span::styled(
            format!("[{}-{}/{}] ", scroll + 1, last, rows.len()),
            theme.dim(),
        ));
    }
    // Narrow: the pane's name goes first, then the scroll position and the rest from the end.
    let full: usize = title.iter().map(|s| super::width(&s.content)).sum();
    if full + 2 > usize::from(area.width) && title.len() > 1 {
        title[0] = Span::raw(" ");
        if let Some(second) = title.get_mut(1)
            && let Some(rest) = second.content.strip_prefix("· ")
        {
            second.content = rest.to_string().into();
        }
    }
    let block = pane_block(
        super::fit_title(title, area.width),
        focused(app, Focus::Prompt),
        theme,
    );
    frame.render_widget(block, area);

    let tabs = app.panes.prompt_tabs();
    if tabs.area() > 0 && matches!(app.subject(), Some(Subject::Span(..))) {
        let mut spans = Vec::new();
        let offered = app.tabs();
        let current = app.prompt.current();
        for (&tab, text) in offered.iter().zip(tab_labels(offered, current, tabs.width)) {
            let style = if Some(tab) == current {
                theme.active_tab()
            } else {
                theme.dim()
            };
            spans.push(Span::styled(text, style));
        }
        frame.render_widget(Line::from(spans), tabs);
    }
    for (i, row) in rows
        .iter()
        .skip(scroll)
        .take(body.height as usize)
        .enumerate()
    {
        let hits: Vec<(usize, usize, bool)> = app
            .prompt
            .search
            .on_row(scroll + i)
            .map(|(h, current)| (h.start, h.len, current))
            .collect();
        let line = highlight(super::doc_line(row, theme), &hits, theme);
        let y = body.y + i as u16;
        frame.render_widget(line, Rect::new(body.x, y, body.width, 1));
    }
    if rows.is_empty() && body.area() > 0 {
        let note = if app.subject().is_none() {
            "Select a call to see its prompt."
        } else {
            "(nothing to show)"
        };
        frame.render_widget(
            Line::styled(fit(note, body.width as usize), theme.dim()),
            body,
        );
    }
}

/// `line` with the characters of each hit (start, length, current) drawn as a match; the
/// current one (where `n` went) stands out from the rest.
fn highlight(line: Line<'static>, hits: &[(usize, usize, bool)], theme: &Theme) -> Line<'static> {
    if hits.is_empty() {
        return line;
    }
    let style_at = |at: usize| {
        hits.iter()
            .find(|(start, len, _)| at >= *start && at < start + len)
            .map(|&(_, _, current)| theme.search_hit(current))
    };
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut at = 0;
    for span in line.spans {
        let mut piece = String::new();
        let mut piece_style = None;
        for c in span.content.chars() {
            let style = style_at(at).map(|hit| span.style.patch(hit));
            if style != piece_style && !piece.is_empty() {
                out.push(Span::styled(
                    std::mem::take(&mut piece),
                    piece_style.unwrap_or(span.style),
                ));
            }
            piece_style = style;
            piece.push(c);
            at += 1;
        }
        if !piece.is_empty() {
            out.push(Span::styled(piece, piece_style.unwrap_or(span.style)));
        }
    }
    Line::from(out)
}
