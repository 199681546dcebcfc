//! A lesson: its markdown, scrolled, ending with the quiz line.

use super::{bold, dim};
use crate::tui::app::{App, StepKind};
use crate::tui::markdown;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

impl App {
    pub(super) fn lesson(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let lines = lesson_lines(self, i, area.width);
        let block = Block::new().borders(Borders::TOP | Borders::BOTTOM);
        let inner = block.inner(area);
        // The text column, centred: at most TEXT_WIDTH wide plus padding.
        let column = text_width(area.width) + 4;
        let text_area = Rect {
            x: inner.x + (inner.width.saturating_sub(column)) / 2,
            width: column.min(inner.width),
            ..inner
        };
        let max = lines.len().saturating_sub(usize::from(inner.height)) as u16;
        let scroll = self.scroll.min(max);
        let pct = if max == 0 {
            100
        } else {
            u32::from(scroll) * 100 / u32::from(max)
        };
        let mut block =
            block.title_bottom(Line::styled(format!(" {pct}% "), dim()).right_aligned());
        if self.runs_benchmark(i)
            && let Some(spinner) = self.benchmark_spinner()
        {
            block = block.title_bottom(spinner);
        }
        block.render(area, buf);
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(Block::new().padding(ratatui::widgets::Padding::horizontal(2)))
            .render(text_area, buf);
    }
}

/// The widest a lesson's text runs: prose much wider than this is hard to
/// read, so wide terminals get a centred column instead.
pub const TEXT_WIDTH: u16 = 100;

/// The width lesson text is wrapped at on a terminal `width` cells wide.
fn text_width(width: u16) -> u16 {
    width.saturating_sub(4).min(TEXT_WIDTH)
}

/// The lines of lesson `i` drawn `width` cells wide, with the quiz line.
pub fn lesson_lines(app: &App, i: usize, width: u16) -> Vec<Line<'static>> {
    let StepKind::Lesson { markdown: md, quiz } = &app.steps[i].kind else {
        return Vec::new();
    };
    let mut lines = markdown::render(md, text_width(width));
    lines.push(Line::from(""));
    if !quiz.is_empty() {
        let line = match app.progress.quiz.get(&app.steps[i].id) {
            Some(score) => format!(
                "Quiz taken: {} of {} right. t to take it again, n for the next step.",
                score.correct, score.total
            ),
            None => format!(
                "Check your understanding: {} question{}. Press n (or t) to take the quiz.",
                quiz.len(),
                if quiz.len() == 1 { "" } else { "s" }
            ),
        };
        lines.push(Line::styled(line, bold().fg(Color::Green)));
    } else {
        lines.push(Line::styled(
            "End of lesson. Press n for the next step.",
            dim(),
        ));
    }
    lines
}
