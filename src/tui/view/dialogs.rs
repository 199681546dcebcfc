//! Boxes drawn over any screen: the keys help and the unusable-progress dialog.

use super::{bold, dim};
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

pub(super) fn help(area: Rect, buf: &mut Buffer) {
    let keys: &[(&str, &str)] = &[
        ("↑↓ j k", "move / scroll"),
        ("PgUp PgDn g G", "page, top, bottom"),
        ("Enter l →", "open; on a failing check: its history"),
        ("c", "continue: the first unfinished step"),
        ("n / p", "next / previous step"),
        ("e", "edit the exercise file in $VISUAL / $EDITOR"),
        ("r", "check the exercise now"),
        ("h", "reveal the next hint"),
        ("R then y", "reset the file to the starter (keeps a .bak)"),
        ("t", "take the lesson's quiz"),
        ("b", "scaling lesson: the owners benchmark chart"),
        ("q Esc", "back; on the course path: quit"),
        ("Ctrl-C", "quit"),
        ("?", "this help"),
    ];
    let mut lines = vec![Line::from("")];
    for (k, what) in keys {
        lines.push(Line::from(vec![
            Span::styled(format!(" {k:<15}"), bold().fg(Color::Cyan)),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(" any key closes this", dim()));
    let r = centred(area, 66, lines.len() as u16 + 2);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .block(Block::bordered().title(" keys "))
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
