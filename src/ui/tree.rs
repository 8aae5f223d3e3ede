//! The call tree pane. Rows come from `TreeView` (flattened once per change); only the rows
//! on screen, plus their ancestors, are handed to tui-tree-widget, so a frame costs the same
//! with ten spans or a million.

use super::{Theme, counted, fit, focused, pane_block, width};
use crate::app::tree::Row;
use crate::app::{App, Focus, Node};
use crate::detail::doc::Speaker;
use crate::model::Source;
use crate::model::time::format_duration;
use crate::model::{Payload, Session, Status, Store};
use crate::untrusted::fsread::human_size;
use crate::untrusted::sanitize;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::StatefulWidget;
use tui_tree_widget::{Tree, TreeItem, TreeState};

/// Columns taken by tui-tree-widget before a row's text: 2 per depth plus the ▶/▼ marker.
const INDENT: usize = 2;

/// Levels of nesting drawn as indentation: at most 16, and at most a third of the pane.
/// Deeper rows hang under their ancestor at that depth and carry their depth (`⋯40`) and
/// their own ▸/▾, so a chain thousands deep costs a frame no more than a flat list
/// (tui-tree-widget is handed one path per open ancestor) and names stay readable.
fn max_drawn_depth(width: usize) -> u32 {
    (width / (3 * INDENT)).clamp(1, 16) as u32
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let rows = app.tree.rows();
    let title = vec![
        Span::raw(" Calls "),
        Span::raw(format!(
            "· {} ",
            counted(app.store.session_count(), "sessions")
        )),
        Span::raw(format!("· {} ", super::span_total(&app.store))),
    ];
    let block = pane_block(
        super::fit_title(title, area.width),
        focused(app, Focus::Tree),
        theme,
    );
    let body = block.inner(area);
    frame.render_widget(block, area);
    if body.area() == 0 {
        return;
    }
    if rows.is_empty() {
        let waiting = app
            .watch
            .as_ref()
            .map(|w| w.waiting.as_slice())
            .unwrap_or(&[]);
        let note = match (waiting.first(), &app.watch) {
            _ if app.loading.is_some() => "loading …".to_string(),
            _ if app.store.span_count() > 0 || app.store.session_count() > 0 => match &app.filter {
                Some(f) => format!("nothing matches {}  (Esc clears the filter)", f.expr),
                None => "nothing to show".to_string(),
            },
            (Some(path), _) => format!("waiting for {} …", path.display()),
            (None, Some(_)) => "no traces yet; watching for new ones …".to_string(),
            (None, None) => "no traces found".to_string(),
        };
        let note = crate::untrusted::sanitize::label(&note).into_owned();
        frame.render_widget(
            Line::styled(fit(&note, body.width as usize), theme.dim()),
            body,
        );
        return;
    }
    let start = app.tree.offset.min(rows.len() - 1);
    let end = (start + body.height as usize).min(rows.len());
    render_window(frame.buffer_mut(), body, app, rows, start..end, theme);
}

/// Draw rows `window` into `area` through tui-tree-widget: it is given the window's rows and
/// the chain of ancestors above the first one, drawn into a scratch buffer whose top rows
/// (the ancestors) are then dropped.
fn render_window(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    rows: &[Row],
    window: std::ops::Range<usize>,
    theme: &Theme,
) {
    let max_depth = max_drawn_depth(area.width as usize);
    let mut chain = Vec::new();
    let mut up = rows[window.start].parent_row;
    while let Some(p) = up {
        if rows[p as usize].depth < max_depth {
            chain.push(p as usize);
        }
        up = rows[p as usize].parent_row;
    }
    chain.reverse();
    let hidden = chain.len();
    let shown: Vec<usize> = chain.into_iter().chain(window.clone()).collect();

    let mut state = TreeState::default();
    let mut path: Vec<Node> = Vec::new();
    for &i in &shown {
        let row = rows[i];
        path.truncate(row.depth.min(max_depth) as usize);
        path.push(row.node);
        if row.open && row.depth < max_depth {
            state.open(path.clone());
        }
        if app.tree.selected() == Some(row.node) && i >= window.start {
            state.select(path.clone());
        }
    }
    let items = nest(&shown, rows, app, area.width as usize, theme);
    let Ok(tree) = Tree::new(&items) else {
        return;
    };
    let tree = tree
        .highlight_style(theme.selected())
        .node_closed_symbol("▸ ")
        .node_open_symbol("▾ ")
        .node_no_children_symbol("  ");
    let scratch_area = Rect::new(0, 0, area.width, (hidden + window.len()) as u16);
    let mut scratch = Buffer::empty(scratch_area);
    StatefulWidget::render(tree, scratch_area, &mut scratch, &mut state);
    for y in 0..window.len() as u16 {
        for x in 0..area.width {
            if let (Some(src), Some(dst)) = (
                scratch.cell((x, y + hidden as u16)),
                buf.cell_mut((area.x + x, area.y + y)),
            ) {
                *dst = src.clone();
            }
        }
    }
}

type Item = TreeItem<'static, Node>;

/// An item whose children are still being collected.
struct Pending {
    depth: u32,
    item: Item,
    children: Vec<Item>,
}

/// Turn a depth-annotated list of rows into nested tree items.
fn nest(shown: &[usize], rows: &[Row], app: &App, width: usize, theme: &Theme) -> Vec<Item> {
    let max_depth = max_drawn_depth(width);
    let mut stack: Vec<Pending> = Vec::new();
    let mut roots = Vec::new();
    for &i in shown {
        let row = rows[i];
        let drawn = row.depth.min(max_depth);
        while stack.last().is_some_and(|p| p.depth >= drawn) {
            close(&mut stack, &mut roots);
        }
        let text_width = width.saturating_sub(drawn as usize * INDENT + 2);
        let deep = row.depth >= max_depth;
        let prefix = if deep {
            let marker = match (row.expandable, row.open) {
                (false, _) => "  ",
                (true, false) => "▸ ",
                (true, true) => "▾ ",
            };
            // Levels below the session row: a root span is 0, as in `tracetui dump`.
            format!("{marker}⋯{} ", row.depth - 1)
        } else {
            String::new()
        };
        let mut line = row_line(
            app,
            row,
            text_width.saturating_sub(super::width(&prefix)),
            theme,
        );
        if deep {
            line.spans.insert(0, Span::styled(prefix, theme.dim()));
        }
        if row.context {
            // Shown only for what matched below it.
            for span in &mut line.spans {
                span.style = theme.dim();
            }
        }
        let item = TreeItem::new_leaf(row.node, line);
        let mut children = Vec::new();
        if row.expandable && !deep {
            // Keeps the ▸/▾ marker; never drawn (closed, or below the window).
            children.push(TreeItem::new_leaf(Node::Placeholder, ""));
        }
        stack.push(Pending {
            depth: drawn,
            item,
            children,
        });
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

/// Finish the innermost pending item and hand it to its parent (or the roots).
fn close(stack: &mut Vec<Pending>, roots: &mut Vec<Item>) {
    let Some(Pending {
        mut item,
        mut children,
        ..
    }) = stack.pop()
    else {
        return;
    };
    if children.len() > 1 {
        // Real children arrived: the placeholder is no longer needed.
        children.retain(|c| *c.identifier() != Node::Placeholder);
    }
    for child in children {
        // Identifiers are unique among siblings by construction.
        let _ = item.add_child(child);
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(item),
        None => roots.push(item),
    }
}

/// One row's text, `width` columns wide at most.
pub fn row_line(app: &App, row: Row, width: usize, theme: &Theme) -> Line<'static> {
    let store = &app.store;
    match row.node {
        Node::Session(sid) => match store.session(sid) {
            Some(session) => session_line(app, session, width, theme),
            None => Line::raw(""),
        },
        Node::Span(sid, id) => {
            let Some(span) = store.session(sid).and_then(|s| s.get(id)) else {
                return Line::raw("");
            };
            let label = span_label(store, span);
            let mut right = match (span.status, span.duration_ns()) {
                (Status::Running, _) => "writing…".to_string(),
                (_, Some(d)) => format_duration(d),
                (_, None) => String::new(),
            };
            if !span.problems.is_empty() {
                right = format!("!{} {right}", span.problems.len());
            }
            let status_mark = match span.status {
                Status::Ok => "",
                Status::Error => "✗ ",
                Status::Incomplete => "◌ ",
                Status::Running => "⟳ ",
            };
            // The call marked for comparison (`m`) leads with a diamond.
            let (marker, marker_style) = if app.is_marked(row.node) {
                (format!("◆ {status_mark}"), theme.key())
            } else {
                (status_mark.to_string(), theme.status(span.status))
            };
            let marker = marker.as_str();
            let left_w = width.saturating_sub(width_of(&right) + 1 + width_of(marker));
            let left = fit(&label, left_w);
            let pad = width.saturating_sub(width_of(marker) + width_of(&left) + width_of(&right));
            Line::from(vec![
                Span::styled(marker.to_string(), marker_style),
                Span::raw(left),
                Span::raw(" ".repeat(pad)),
                Span::styled(
                    right,
                    if span.problems.is_empty() && span.status == Status::Ok {
                        theme.dim()
                    } else {
                        theme.status(if span.status == Status::Ok {
                            Status::Error
                        } else {
                            span.status
                        })
                    },
                ),
            ])
        }
        Node::Message(sid, id, i) => {
            let message =
                store
                    .session(sid)
                    .and_then(|s| s.get(id))
                    .and_then(|span| match &span.payload {
                        Payload::Poml(call) => call.prompt.as_ref()?.messages.get(i as usize),
                        _ => None,
                    });
            match message {
                Some(m) => {
                    let speaker = sanitize::label(&m.speaker).into_owned();
                    let rest = width.saturating_sub(width_of(&speaker) + 2);
                    Line::from(vec![
                        Span::styled(speaker, theme.speaker(Speaker::of(&m.speaker))),
                        Span::raw(": "),
                        Span::raw(fit(&sanitize::label(&m.first_line), rest)),
                    ])
                }
                None => Line::raw(""),
            }
        }
        Node::File(sid, id, i) => {
            let file =
                store
                    .session(sid)
                    .and_then(|s| s.get(id))
                    .and_then(|span| match &span.payload {
                        Payload::Poml(call) => call.files.get(i as usize),
                        _ => None,
                    });
            match file {
                Some(f) => {
                    let dangling = f.link.as_ref().is_some_and(|l| l.dangling);
                    let text = format!(
                        "{}  {}{}",
                        sanitize::label(&f.suffix),
                        human_size(f.size),
                        if dangling { "  (dangling link)" } else { "" }
                    );
                    Line::styled(fit(&text, width), theme.dim())
                }
                None => Line::raw(""),
            }
        }
        Node::Orphans(sid) => {
            let n = store.session(sid).map_or(0, |s| s.orphans().len());
            // Children often land before their parent in a file being written: while the
            // data is still changing they are waiting, not lost.
            if app.data_settling() {
                Line::styled(
                    fit(&format!("waiting for their parent ({n})"), width),
                    theme.dim(),
                )
            } else {
                Line::styled(
                    fit(&format!("orphans ({n}): parent not found"), width),
                    theme.status(Status::Incomplete),
                )
            }
        }
        Node::Placeholder => Line::raw(""),
    }
}

fn width_of(text: &str) -> usize {
    width(text)
}

pub fn span_label(store: &Store, span: &crate::model::Span) -> String {
    let name = sanitize::label(store.name(span.name)).into_owned();
    match span.index() {
        Some(i) if name.is_empty() => format!("{i:04} (no name)"),
        Some(i) => format!("{i:04} {name}"),
        None => name,
    }
}

fn session_line(app: &App, session: &Session, width: usize, theme: &Theme) -> Line<'static> {
    // MLflow and OpenTelemetry traces are known by their root span (`handle_request`);
    // their ids are long hex.
    let root_name = matches!(session.source, Source::Mlflow | Source::Otlp)
        .then(|| session.roots().first())
        .flatten()
        .map(|&r| sanitize::label(app.store.name(session.span(r).name)).into_owned())
        .filter(|n| !n.is_empty());
    // An id is cut in the middle: generated ids share their beginnings (`exec_00…0010`).
    // The session's start, as its pane and `dump` give it: the named time, or the first
    // span when a skewed clock wrote that earlier.
    let named_start = session.named_start_ns.and(session.start_ns());
    let (label, is_id) = match (named_start, root_name) {
        (Some(start), Some(name)) => (format!("{} {name}", app.zone.clock(start)), false),
        (Some(start), None) => (app.zone.clock(start), false),
        (None, Some(name)) => {
            let id: String = session.id.chars().take(8).collect();
            (format!("{name} · {}", sanitize::label(&id)), false)
        }
        (None, None) => (sanitize::label(&session.id).into_owned(), true),
    };
    let count = if session.is_stand_in() {
        " spans not read".to_string()
    } else {
        format!(" {}", counted(session.span_count(), session.span_noun()))
    };
    let duration = session
        .duration_ns()
        .map(|d| format!(" · {}", format_duration(d)))
        .unwrap_or_default();
    let problems = session.problem_count();
    let warn = if problems > 0 {
        format!(" !{problems}")
    } else {
        String::new()
    };
    // A session holding a failed span is marked as a failed span is, so it is found without
    // opening it (its overview counts them).
    let failed = session.failed_count();
    let mark = if failed > 0 { "✗ " } else { "" };
    // On a narrow tree the duration goes before the label is cut.
    let fixed = width_of(mark) + width_of(&count) + width_of(&warn);
    let info = if fixed + width_of(&label) + width_of(&duration) <= width {
        format!("{count}{duration}")
    } else {
        count
    };
    let label_w = width.saturating_sub(width_of(mark) + width_of(&info) + width_of(&warn));
    let label = if is_id {
        super::fit_middle(&label, label_w.max(1))
    } else {
        fit(&label, label_w.max(1))
    };
    Line::from(vec![
        Span::styled(mark, theme.status(Status::Error)),
        Span::styled(
            label,
            Style::new().add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Span::styled(info, theme.dim()),
        Span::styled(warn, theme.error()),
    ])
}
