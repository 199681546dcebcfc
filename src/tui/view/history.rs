//! A failing check's picture, over its exercise: the calls around the
//! failure, or what was sent and what was applied. Both scroll when the
//! terminal is too short for them.

use super::bold;
use crate::tui::app::App;
use crate::tui::history::{Drawing, Picture, accounting};
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

impl App {
    pub(super) fn history(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let check = self.reports[i]
            .as_ref()
            .and_then(|r| r.checks.get(self.check_row));
        let Some(check) = check else { return };
        let Some(drawing) = Drawing::of(check) else {
            return;
        };
        let block = Block::bordered().title(Line::from(vec![
            Span::styled(format!(" {} failed", check.id), bold().fg(Color::Red)),
            Span::raw(format!(": {} ", drawing.title())),
        ]));
        let inner = block.inner(area).inner(Margin::new(1, 1));
        block.render(area, buf);
        match drawing {
            Drawing::Calls(picture) => {
                // Drawn whole off screen, then the rows in view copied: on
                // a short terminal the lanes and the note scroll.
                let full = drawn_whole(&picture, inner.width);
                let rows = full.area.height;
                let top = self.scroll.min(rows.saturating_sub(inner.height));
                for y in 0..inner.height.min(rows.saturating_sub(top)) {
                    for x in 0..inner.width {
                        buf[(inner.x + x, inner.y + y)] = full[(x, top + y)].clone();
                    }
                }
            }
            Drawing::Accounting(accounting) => {
                let lines = accounting::lines(accounting, inner.width);
                let max = lines.len().saturating_sub(usize::from(inner.height)) as u16;
                Paragraph::new(lines)
                    .scroll((self.scroll.min(max), 0))
                    .render(inner, buf);
            }
        }
    }
}

/// How far the history screen of exercise `i` scrolls on a
/// `width`×`height` terminal: what does not fit of the accounting or of
/// the calls and their note.
pub fn history_scroll_limit(app: &App, i: usize, width: u16, height: u16) -> u16 {
    let check = app.reports[i]
        .as_ref()
        .and_then(|r| r.checks.get(app.check_row));
    match check.and_then(Drawing::of) {
        Some(Drawing::Accounting(accounting)) => {
            // The body less the block's borders and margins.
            let (w, h) = (width.saturating_sub(4), height.saturating_sub(6));
            let lines = accounting::lines(accounting, w).len();
            lines.saturating_sub(usize::from(h)) as u16
        }
        Some(Drawing::Calls(picture)) => {
            let (w, h) = (width.saturating_sub(4), height.saturating_sub(6));
            drawn_whole(&picture, w).area.height.saturating_sub(h)
        }
        None => 0,
    }
}

/// `picture` drawn `width` cells wide with all the room it wants, cut to
/// the rows it used.
fn drawn_whole(picture: &Picture, width: u16) -> Buffer {
    let room = (picture.lanes.len() as u16) * 2 + 4 + 40;
    let mut full = Buffer::empty(Rect::new(0, 0, width, room));
    picture.render(full.area, &mut full);
    let used = (0..room)
        .rev()
        .find(|&y| (0..width).any(|x| full[(x, y)].symbol() != " "))
        .map_or(0, |y| y + 1);
    full.resize(Rect::new(0, 0, width, used));
    full
}
