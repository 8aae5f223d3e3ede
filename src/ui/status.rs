//! The status bar: what is open, counts, and the keys that matter most.

use super::{Theme, fit, width};
use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.area() == 0 {
        return;
    }
    let paths: Vec<String> = app
        .paths
        .iter()
        .map(|p| crate::sanitize::label(&p.display().to_string()).into_owned())
        .collect();
    let problems = app.store.problem_count();
    let counts = format!(
        " {} sessions · {} calls · ",
        app.store.session_count(),
        app.store.span_count()
    );
    let problem_text = format!("{problems} problems");
    let hints = if area.width >= 100 {
        " Tab pane  1-6 tabs  ? help  q quit "
    } else {
        " ? help  q quit "
    };
    let room = (area.width as usize)
        .saturating_sub(width(&counts) + width(&problem_text) + width(hints) + 1);
    let left = fit(&format!(" {}", paths.join(" ")), room);
    let pad = (area.width as usize)
        .saturating_sub(width(&left) + width(&counts) + width(&problem_text) + width(hints));
    let line = Line::from(vec![
        Span::styled(left, theme.key()),
        Span::raw(counts),
        Span::styled(
            problem_text,
            if problems > 0 {
                theme.error()
            } else {
                theme.dim()
            },
        ),
        Span::raw(" ".repeat(pad)),
        Span::styled(hints, theme.dim()),
    ]);
    frame.render_widget(line, area);
}
