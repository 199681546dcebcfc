//! Boxes drawn over any screen: the keys help and the unusable-progress dialog.

use super::{bold, dim};
use crate::tui::app::App;
use crate::tui::keys;
use crate::tui::markdown;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

/// `area` shrunk to a centred box of at most `w`×`h`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help's lines for the current screen, `width` cells wide: its key
/// table, then the keys that work everywhere (a long description wraps
/// under its own column).
fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let row = |keys: String, what: String| {
        markdown::wrap(
            &[(what, Style::new())],
            usize::from(width),
            vec![Span::styled(format!(" {keys:<17}"), bold().fg(Color::Cyan))],
            vec![Span::raw(" ".repeat(18))],
        )
    };
    let mut lines = vec![Line::from("")];
    for b in keys::current(app) {
        lines.extend(row(keys::keys_of(b), b.help.to_string()));
    }
    for (k, what) in keys::GLOBAL {
        lines.extend(row(k.to_string(), what.to_string()));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(" ↑↓ scroll; any other key closes this", dim()));
    lines
}

/// The help box in `area`: centred, at most 76×(its lines) cells.
fn help_box(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let width = area.width.min(76);
    let lines = help_lines(app, width.saturating_sub(2));
    (centred(area, width, lines.len() as u16 + 2), lines)
}

/// How far the help scrolls on a `width`×`height` terminal.
pub fn help_max_scroll(app: &App, width: u16, height: u16) -> u16 {
    let (r, lines) = help_box(app, Rect::new(0, 0, width, height));
    lines
        .len()
        .saturating_sub(usize::from(r.height.saturating_sub(2))) as u16
}

pub(super) fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let (r, lines) = help_box(app, area);
    let max = lines
        .len()
        .saturating_sub(usize::from(r.height.saturating_sub(2))) as u16;
    Clear.render(r, buf);
    Paragraph::new(lines)
        .scroll((app.help_scroll.min(max), 0))
        .block(Block::bordered().title(format!(" keys: {} ", keys::screen_name(app.screen))))
        .render(r, buf);
}

pub(super) fn progress_error(err: &str, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::styled("Your progress file cannot be used", bold().fg(Color::Red)),
        Line::from(""),
        Line::from(err.to_string()),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter", bold().fg(Color::Cyan)),
            Span::raw(" move it aside (to *.corrupt) and start fresh"),
        ]),
        Line::from(vec![
            Span::styled("q", bold().fg(Color::Cyan)),
            Span::raw("     quit and leave it as it is"),
        ]),
    ];
    let r = centred(area, 70, 12);
    Clear.render(r, buf);
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .title(" progress ")
                .border_style(Style::new().fg(Color::Red)),
        )
        .render(r, buf);
}
