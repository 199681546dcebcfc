//! The course path: every step, done or not, with the one to do next.

use super::dim;
use crate::tui::app::{App, StepKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

impl App {
    pub(super) fn path(&self, area: Rect, buf: &mut Buffer) {
        let current = self.first_unfinished();
        let height = usize::from(area.height.saturating_sub(2)).max(1);
        let offset = self.selected.saturating_sub(height - 1);
        let mut lines = Vec::new();
        let mut lesson_no = 0;
        let mut exercise_no = 0;
        for (i, step) in self.steps.iter().enumerate() {
            let (marker, marker_style) = if self.is_done(i) {
                ("✓", Style::new().fg(Color::Green))
            } else if i == current {
                (
                    "▶",
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                )
            } else {
                ("·", dim())
            };
            let (kind, extra) = match &step.kind {
                StepKind::Lesson { .. } => {
                    lesson_no += 1;
                    (format!("lesson {lesson_no:>2}"), String::new())
                }
                StepKind::Exercise { checkable, .. } => {
                    exercise_no += 1;
                    let extra = if *checkable { "" } else { "  (coming soon)" };
                    (format!("exercise {exercise_no}"), extra.to_string())
                }
            };
            // `›` says which row is selected without colour (NO_COLOR).
            let pointer = if i == self.selected { '›' } else { ' ' };
            let mut line = Line::from(vec![
                Span::styled(format!("{pointer}{marker} "), marker_style),
                Span::styled(format!("{kind:<11} "), dim()),
                Span::raw(step.title.clone()),
                Span::styled(extra, dim()),
            ]);
            if i == self.selected {
                line = line.style(Style::new().add_modifier(Modifier::REVERSED));
            }
            lines.push(line);
        }
        let visible: Vec<Line> = lines.into_iter().skip(offset).collect();
        let mut title = " the course ".to_string();
        if let Some(w) = &self.course_warning {
            title = format!(" the course ({w}) ");
        }
        Paragraph::new(visible)
            .block(Block::bordered().title(title))
            .render(area, buf);
    }
}
