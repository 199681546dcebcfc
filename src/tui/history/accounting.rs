//! The accounting of a `lost-messages` failure drawn as lines: the tallies
//! as a table (disagreeing rows in red and marked ✗), the commands that
//! can be named, and the note.

use crate::engine::report::Accounting;
use crate::tui::markdown::wrap;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// The lines of `accounting`, wrapped at `width` (a long row continues
/// under its sent column).
pub fn lines(accounting: &Accounting, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let red = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    let (label_w, sent_w) = accounting.column_widths();
    let mut lines = vec![
        Line::styled(format!("In {}:", accounting.place), bold),
        Line::from(""),
        Line::styled(
            format!("  {:label_w$}  {:sent_w$}  applied", "", "sent"),
            Style::new().fg(Color::DarkGray),
        ),
    ];
    for t in &accounting.tallies {
        // ✗ says which rows disagree without colour too.
        let (mark, style) = if t.wrong {
            ("✗ ", red)
        } else {
            ("  ", Style::new())
        };
        let applied = t.applied.clone().unwrap_or_else(|| "-".into());
        let row = Line::from(vec![
            Span::styled(mark, style),
            Span::styled(format!("{:label_w$}  ", t.label), bold),
            Span::styled(format!("{:sent_w$}  ", t.sent), style),
            Span::styled(applied.clone(), style),
        ]);
        // Aligned while it fits; wrapped (and no longer aligned) when not.
        if row.width() <= width {
            lines.push(row);
            continue;
        }
        lines.extend(wrap(
            &[(format!("{:sent_w$}  ", t.sent), style), (applied, style)],
            width,
            vec![
                Span::styled(mark, style),
                Span::styled(format!("{:label_w$}  ", t.label), bold),
            ],
            vec![Span::raw(" ".repeat(label_w + 4))],
        ));
    }
    if !accounting.messages.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled("Commands that can be named:", bold));
        for m in &accounting.messages {
            let at =
                m.at.map(|t| format!(" (sent at tick {t})"))
                    .unwrap_or_default();
            lines.extend(wrap(
                &[(
                    format!("thread {}'s call {}, {}{at}", m.thread, m.seq, m.call),
                    Style::new(),
                )],
                width,
                vec![Span::styled(format!("✗ {}: ", m.fate.as_str()), red)],
                vec![Span::raw("  ")],
            ));
        }
    }
    if !accounting.note.is_empty() {
        lines.push(Line::from(""));
        lines.extend(wrap(
            &[(accounting.note.clone(), Style::new())],
            width,
            Vec::new(),
            Vec::new(),
        ));
    }
    lines
}
