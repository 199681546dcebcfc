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
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(block.padding(ratatui::widgets::Padding::horizontal(2)))
            .render(area, buf);
    }
}

/// The lines of lesson `i` drawn `width` cells wide, with the quiz line.
pub fn lesson_lines(app: &App, i: usize, width: u16) -> Vec<Line<'static>> {
    let StepKind::Lesson { markdown: md, quiz } = &app.steps[i].kind else {
        return Vec::new();
    };
    let mut lines = markdown::render(md, width.saturating_sub(4));
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
