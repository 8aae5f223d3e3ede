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
    // Each piece with how much it matters: on a narrow bar the least is dropped first, then
    // the longest text that may be cut is cut, so the counts and problems always show.
    let mut pieces: Vec<Piece> = Vec::new();
    if let Some(progress) = &app.loading {
        pieces.extend(
            progress_spans(progress, app.store.span_count(), theme)
                .into_iter()
                .map(|s| Piece::keep(s, MUST)),
        );
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
        pieces.push(Piece::keep(Span::styled(text, style), MUST));
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
            pieces.push(Piece::keep(Span::styled(text, theme.dim()), LEAST));
        }
        if let Some(r) = &app.receiver {
            let mut spans = receiver_spans(r, theme).into_iter();
            if let Some(first) = spans.next() {
                pieces.push(Piece::keep(first, SOME));
            }
            pieces.extend(spans.map(|s| Piece::cut(s, SOME)));
        }
        for server in &app.remote.servers {
            let matters = if server.error.is_some() { MOST } else { LITTLE };
            pieces.push(Piece::cut(remote_span(server, theme), matters));
        }
        let no_watch = crate::app::event::WatchStatus::default();
        let watch = app.watch.as_ref().unwrap_or(&no_watch);
        if watch.backend == Some("poll") {
            pieces.push(Piece::keep(Span::styled(" (polling)", theme.dim()), LITTLE));
        }
        for path in &watch.waiting {
            pieces.push(Piece::cut(
                Span::styled(
                    format!(
                        " waiting for {}",
                        sanitize::label(&path.display().to_string())
                    ),
                    theme.status(crate::model::Status::Incomplete),
                ),
                MOST,
            ));
        }
        if let Some(e) = &watch.error {
            pieces.push(Piece::cut(
                Span::styled(format!(" {}", sanitize::label(e)), theme.error()),
                MOST,
            ));
        }
    }
    if let Some(notice) = &app.notice {
        pieces.push(Piece::cut(
            Span::styled(format!(" {} ", sanitize::label(notice)), theme.key()),
            MOST,
        ));
    }
    if let Some(filter) = &app.filter {
        pieces.push(Piece::cut(
            Span::styled(
                match app.match_count().unwrap_or(0) {
                    1 => format!(" filter: {} (1 match) ", sanitize::label(&filter.expr)),
                    n => format!(" filter: {} ({n} matches) ", sanitize::label(&filter.expr)),
                },
                theme.active_tab(),
            ),
            MOST,
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
    // A message that would be cut to keep the counts takes their place while it shows
    // (they are back once it goes); one cut anyway keeps them.
    let totals = width(&counts) + width(&problem_text);
    let full = area.width as usize;
    let (mut left, show_counts) = match fit_pieces(pieces.clone(), full.saturating_sub(totals)) {
        (fitted, false) => (fitted, true),
        (fitted, true) => match fit_pieces(pieces, full) {
            (alone, false) => (alone, false),
            (_, true) => (fitted, true),
        },
    };
    let (counts, problem_text) = match show_counts {
        true => (counts, problem_text),
        false => (String::new(), String::new()),
    };
    let used: usize = left.iter().map(|s| width(&s.content)).sum();
    // The widest hints that leave the paths some room; none rather than a key cut in half.
    let fixed = used + width(&counts) + width(&problem_text) + 1;
    let hints = [hints(app, true), hints(app, false)]
        .into_iter()
        .find(|h| fixed + width(h) + 8 <= full)
        .unwrap_or_default();
    let room =
        full.saturating_sub(used + width(&counts) + width(&problem_text) + width(&hints) + 1);
    let path_text = match show_counts {
        true => fit(&format!(" {}", paths.join(" ")), room),
        false => String::new(),
    };
    let pad = full.saturating_sub(
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

/// How much a piece of the bar matters: the least goes first when it is too narrow.
const LEAST: u8 = 0;
const LITTLE: u8 = 1;
const SOME: u8 = 2;
const MOST: u8 = 3;
const MUST: u8 = 4;

#[derive(Clone)]
struct Piece {
    span: Span<'static>,
    matters: u8,
    /// May be cut short (with `…`) rather than dropped.
    cuttable: bool,
}

impl Piece {
    fn keep(span: Span<'static>, matters: u8) -> Self {
        Self {
            span,
            matters,
            cuttable: false,
        }
    }

    fn cut(span: Span<'static>, matters: u8) -> Self {
        Self {
            span,
            matters,
            cuttable: true,
        }
    }
}

/// The pieces in `room` columns: what matters little dropped first, least first; then the
/// longest piece that may be cut is cut while it keeps 32 columns; then what matters some
/// dropped; then cut while 12 columns are kept; then the rest dropped, least first. Also
/// says whether a piece was cut.
fn fit_pieces(mut pieces: Vec<Piece>, room: usize) -> (Vec<Span<'static>>, bool) {
    let mut was_cut = false;
    for (drop_below, keep) in [(SOME, 32), (MOST, 12), (MUST, 0)] {
        loop {
            let total: usize = pieces.iter().map(|p| width(&p.span.content)).sum();
            if total <= room {
                return (pieces.into_iter().map(|p| p.span).collect(), was_cut);
            }
            let over = total - room;
            if let Some(i) = pieces
                .iter()
                .enumerate()
                .filter(|(_, p)| p.matters < drop_below)
                .min_by_key(|(_, p)| p.matters)
                .map(|(i, _)| i)
            {
                pieces.remove(i);
                continue;
            }
            let Some(i) = pieces
                .iter()
                .enumerate()
                .filter(|(_, p)| p.cuttable && keep > 0 && width(&p.span.content) >= over + keep)
                .max_by_key(|(_, p)| width(&p.span.content))
                .map(|(i, _)| i)
            else {
                break;
            };
            was_cut = true;
            let text = fit(
                &pieces[i].span.content,
                width(&pieces[i].span.content) - over - 1,
            );
            pieces[i].span.content = format!("{text} ").into();
        }
    }
    (pieces.into_iter().map(|p| p.span).collect(), was_cut)
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
