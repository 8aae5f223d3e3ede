//! The problems overlay: every problem in what is open, where it is, one per row; Enter
//! selects the call or session it belongs to.

use super::{Theme, fit, fit_middle, width};
use crate::app::layout::list_popup;
use crate::app::{Action, App, Overlay};
use crate::untrusted::sanitize::label;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, overlay: Overlay, theme: &Theme) {
    let list = app.problems();
    let (popup, visible) = list_popup(area, list.len());
    frame.render_widget(Clear, popup);
    let inner_w = popup.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = if list.is_empty() {
        vec![Line::styled(
            " No problems: everything read cleanly.",
            theme.dim(),
        )]
    } else {
        list.iter()
            .enumerate()
            .skip(overlay.scroll)
            .take(visible)
            .map(|(i, p)| row(app, p, inner_w, i == overlay.selected, theme))
            .collect()
    };
    let more = if overlay.scroll + visible < list.len() {
        format!(" {} more below ", list.len() - overlay.scroll - visible)
    } else {
        String::new()
    };
    let block = Block::bordered()
        .title(format!(" Problems · {} ", list.len()))
        .title_bottom(format!(
            " {} move · {} go to it · {} close{more} ",
            app.keys_for(Action::Down, Action::Up),
            app.key_for(Action::Toggle),
            app.key_for(Action::Back)
        ))
        .border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn row<'a>(
    app: &App,
    located: &crate::analysis::problems::Located,
    width_cols: usize,
    selected: bool,
    theme: &Theme,
) -> Line<'a> {
    let session = located.session.and_then(|sid| app.store.session(sid));
    // The call is what tells problems apart: it stays whole, and a long session id (they
    // share their beginnings and ends) is cut in the middle. Problems of no session give
    // the whole row to where and what.
    let column = (width_cols / 3).max(8);
    let place = match (session, located.span) {
        (Some(s), Some(id)) => {
            let call = fit(&label(s.key(id)), column);
            let room = column.saturating_sub(width(&call) + 3);
            if room >= 6 {
                format!("{} › {call}", fit_middle(&label(&s.id), room))
            } else {
                call
            }
        }
        (Some(s), None) => fit_middle(&label(&s.id), column),
        _ => String::new(),
    };
    let pad = if place.is_empty() {
        0
    } else {
        column.saturating_sub(width(&place)) + 1
    };
    let where_ = label(&located.problem.location).into_owned();
    let what = label(&located.problem.message).into_owned();
    let rest = width_cols.saturating_sub(width(&place) + pad + 2);
    let location_w = width(&where_).min(rest / 2);
    let where_ = fit(&where_, location_w);
    let what = fit(&what, rest.saturating_sub(width(&where_) + 2));
    let (base, loc, msg) = if selected {
        (theme.selected(), theme.selected(), theme.selected())
    } else {
        (
            theme.tone(crate::detail::Tone::Plain),
            theme.dim(),
            theme.error(),
        )
    };
    Line::from(vec![
        Span::styled(format!(" {place}{}", " ".repeat(pad)), base),
        Span::styled(where_, loc),
        Span::styled(": ", loc),
        Span::styled(what, msg),
    ])
    .style(base)
}
