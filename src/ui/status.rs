//! The status bar: LIVE or PAUSED and how long since the last change, what is open, counts,
//! and the keys that matter most.

use super::{Theme, fit, width};
use crate::app::App;
use crate::model::time::format_duration;
use crate::untrusted::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.area() == 0 {
        return;
    }
    if let Some(input) = &app.input {
        draw_prompt(frame, area, input, app.filter_error.as_deref(), theme);
        return;
    }
    let mut left: Vec<Span> = Vec::new();
    if let Some(progress) = &app.loading {
        left.extend(progress_spans(progress, app.store.span_count(), theme));
    } else if app.watch.is_some() || app.receiver.is_some() || !app.remote.servers.is_empty() {
        let (text, color) = if app.follow {
            (" LIVE ", Color::Green)
        } else {
            (" PAUSED ", Color::Yellow)
        };
        let style = if theme.color {
            Style::new()
                .fg(Color::Black)
                .bg(color)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        };
        left.push(Span::styled(text, style));
        if let Some(changed) = app.last_change_ns {
            let ago = (app.now_ns - changed).max(0);
            let text = if ago < 1_000_000_000 {
                " changed just now".to_string()
            } else {
                format!(
                    " changed {} ago",
                    format_duration(ago - ago % 1_000_000_000)
                )
            };
            left.push(Span::styled(text, theme.dim()));
        }
        if let Some(r) = &app.receiver {
            left.extend(receiver_spans(r, theme));
        }
        for server in &app.remote.servers {
            left.push(remote_span(server, theme));
        }
        let no_watch = crate::app::event::WatchStatus::default();
        let watch = app.watch.as_ref().unwrap_or(&no_watch);
        if watch.backend == Some("poll") {
            left.push(Span::styled(" (polling)", theme.dim()));
        }
        for path in &watch.waiting {
            left.push(Span::styled(
                format!(
                    " waiting for {}",
                    sanitize::label(&path.display().to_string())
                ),
                theme.status(crate::model::Status::Incomplete),
            ));
        }
        if let Some(e) = &watch.error {
            left.push(Span::styled(
                format!(" {}", sanitize::label(e)),
                theme.error(),
            ));
        }
    }
    if let Some(notice) = &app.notice {
        left.push(Span::styled(
            format!(" {} ", sanitize::label(notice)),
            theme.key(),
        ));
    }
    if let Some(filter) = &app.filter {
        left.push(Span::styled(
            match app.match_count().unwrap_or(0) {
                1 => format!(" filter: {} (1 match) ", sanitize::label(&filter.expr)),
                n => format!(" filter: {} ({n} matches) ", sanitize::label(&filter.expr)),
            },
            theme.active_tab(),
        ));
    }
    let paths: Vec<String> = app
        .paths
        .iter()
        .map(|p| sanitize::label(&p.display().to_string()).into_owned())
        .collect();
    let problems = app.store.problem_count();
    let counts = format!(
        " {} · {} · ",
        super::counted(app.store.session_count(), "sessions"),
        super::span_total(&app.store)
    );
    let problem_text = match problems {
        0 => "no problems".to_string(),
        1 => "1 problem (!)".to_string(),
        n => format!("{n} problems (!)"),
    };
    let used: usize = left.iter().map(|s| width(&s.content)).sum();
    // The widest hints that leave the paths some room; none rather than a key cut in half.
    let fixed = used + width(&counts) + width(&problem_text) + 1;
    let hints = [hints(app, true), hints(app, false)]
        .into_iter()
        .find(|h| fixed + width(h) + 8 <= area.width as usize)
        .unwrap_or_default();
    let room = (area.width as usize)
        .saturating_sub(used + width(&counts) + width(&problem_text) + width(&hints) + 1);
    let path_text = fit(&format!(" {}", paths.join(" ")), room);
    let pad = (area.width as usize).saturating_sub(
        used + width(&path_text) + width(&counts) + width(&problem_text) + width(&hints),
    );
    left.push(Span::styled(path_text, theme.key()));
    left.push(Span::raw(counts));
    left.push(Span::styled(
        problem_text,
        if problems > 0 {
            theme.error()
        } else {
            theme.dim()
        },
    ));
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(hints, theme.dim()));
    frame.render_widget(Line::from(left), area);
}

/// The keys that matter most, named as the keymap in use names them (the config file may
/// have moved them); `wide` adds the pane, tab and follow keys.
fn hints(app: &App, wide: bool) -> String {
    use crate::app::Action;
    let mut out = String::from(" ");
    let mut add = |key: Option<String>, what: &str| {
        if let Some(key) = key {
            out.push_str(&format!("{key} {what}  "));
        }
    };
    if wide {
        add(app.keymap.first_key(Action::FocusNext), "pane");
        let tabs = app.tabs().len();
        if tabs > 1 && app.keymap.first_key(Action::Tab(0)).is_some() {
            add(Some(format!("1-{tabs}")), "tabs");
        }
        if app.watch.is_some() || app.receiver.is_some() {
            add(app.keymap.first_key(Action::ToggleFollow), "follow");
        }
    }
    add(app.keymap.first_key(Action::Help), "help");
    add(app.keymap.first_key(Action::Quit), "quit");
    out.truncate(out.trim_end().len());
    out.push(' ');
    out
}

/// ` ⇅ mlflow server` while it answers; what went wrong, in red, while it does not.
fn remote_span(s: &crate::app::event::RemoteStatus, theme: &Theme) -> Span<'static> {
    match &s.error {
        Some(e) => Span::styled(
            format!(" ⇅ {}: {}", sanitize::label(&s.url), sanitize::label(e)),
            theme.error(),
        ),
        None => Span::styled(" ⇅ mlflow server", theme.dim()),
    }
}

/// ` ⇄ 127.0.0.1:4318 42 spans 12 records`, and what was refused or kept without bodies.
fn receiver_spans(r: &crate::receiver::ReceiverStatus, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = vec![Span::styled(
        format!(
            " ⇄ {} {}",
            r.addr,
            super::counted(r.spans as usize, "spans")
        ),
        theme.key(),
    )];
    if r.log_records > 0 {
        out.push(Span::styled(
            format!(" {}", super::counted(r.log_records as usize, "records")),
            theme.key(),
        ));
    }
    if r.refused > 0 {
        out.push(Span::styled(
            format!(" {} refused", r.refused),
            theme.status(crate::model::Status::Incomplete),
        ));
    }
    if r.bodies_dropped > 0 {
        out.push(Span::styled(
            format!(" {} without bodies (memory limit)", r.bodies_dropped),
            theme.error(),
        ));
    }
    out
}

/// The filter prompt: `/` and the text being typed, the cursor shown as a reversed cell.
fn draw_prompt(
    frame: &mut Frame,
    area: Rect,
    input: &crate::app::line_input::LineInput,
    error: Option<&str>,
    theme: &Theme,
) {
    let text = sanitize::label(&input.text).into_owned();
    let at = input.cursor.min(text.chars().count());
    let before: String = text.chars().take(at).collect();
    let cursor: String = text.chars().nth(at).map_or(" ".into(), String::from);
    let after: String = text.chars().skip(at + 1).collect();
    let mut spans = vec![
        Span::styled("/", theme.key()),
        Span::raw(before),
        Span::styled(cursor, Style::new().add_modifier(Modifier::REVERSED)),
        Span::raw(after),
    ];
    match error {
        Some(e) => spans.push(Span::styled(
            format!("  {}", sanitize::label(e)),
            theme.error(),
        )),
        None => spans.push(Span::styled(
            "  Enter apply · Esc cancel · empty clears",
            theme.dim(),
        )),
    }
    frame.render_widget(Line::from(spans), area);
}

/// ` loading 45% ▕████░░░░▏ 120,000 spans · 150/331 MB`
fn progress_spans(
    progress: &crate::ingest::LoadProgress,
    spans: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    const BAR: usize = 10;
    let fraction = progress.fraction().clamp(0.0, 1.0);
    let filled = (fraction * BAR as f64).round() as usize;
    let mut detail = format!(" {}", super::counted(spans, "spans"));
    if progress.bytes_total > 0 {
        detail.push_str(&format!(
            " · {}/{}",
            crate::untrusted::fsread::human_size(progress.bytes_read),
            crate::untrusted::fsread::human_size(progress.bytes_total)
        ));
    }
    if progress.folders_total > 0 {
        detail.push_str(&format!(
            " · {}/{} folders",
            progress.folders_read, progress.folders_total
        ));
    }
    vec![
        Span::styled(format!(" loading {:>3.0}% ", fraction * 100.0), theme.key()),
        Span::styled("█".repeat(filled), theme.key()),
        Span::styled("░".repeat(BAR - filled), theme.dim()),
        Span::styled(detail, theme.dim()),
    ]
}
