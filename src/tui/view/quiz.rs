//! A lesson's quiz: one question at a time, then whether the answer was right.

use super::{bold, dim};
use crate::course::QuizKind;
use crate::tui::app::{App, StepKind};
use crate::tui::markdown;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

impl App {
    pub(super) fn quiz(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered().title(" quiz ");
        let inner = block.inner(area);
        let (lines, focus) = self.quiz_lines(i, inner.width);
        // Nothing is scrolled by hand: on a short terminal the view follows
        // the focus (the highlighted choice, then the verdict once
        // answered), so each part shows when it matters.
        let height = usize::from(inner.height);
        let scroll = (focus + 1)
            .saturating_sub(height)
            .min(lines.len().saturating_sub(height));
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(block)
            .render(area, buf);
    }

    /// Quiz `i`'s question on screen, wrapped at `width`, and the line to
    /// keep in view.
    fn quiz_lines(&self, i: usize, width: u16) -> (Vec<Line<'static>>, usize) {
        let StepKind::Lesson { quiz, .. } = &self.steps[i].kind else {
            return (Vec::new(), 0);
        };
        let q = &self.quiz;
        let Some(item) = quiz.get(q.question) else {
            return (Vec::new(), 0);
        };
        let wide = usize::from(width);
        let mut lines = vec![
            Line::styled(
                format!("Question {} of {}", q.question + 1, quiz.len()),
                dim(),
            ),
            Line::from(""),
        ];
        lines.extend(markdown::render(&item.question, width));
        lines.push(Line::from(""));
        let mut focus = lines.len() - 1;
        match &item.kind {
            QuizKind::Choice { answer, .. } => {
                let choices =
                    item.kind
                        .shown_choices(self.progress.quiz_seed, &self.steps[i].id, q.question);
                for (n, choice) in choices.iter().enumerate() {
                    let letter = (b'a' + n as u8) as char;
                    // Every state the colours show is also written out, for
                    // terminals without colour (NO_COLOR).
                    let right = *choice == *answer;
                    let chosen = n == q.choice;
                    let (pointer, note, style) = match (q.answered, right, chosen) {
                        (false, _, true) => {
                            ('›', "", Style::new().add_modifier(Modifier::REVERSED))
                        }
                        (false, _, false) => (' ', "", Style::new()),
                        (true, true, true) => (
                            '✓',
                            "   ← your answer",
                            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
                        ),
                        (true, true, false) => (
                            '✓',
                            "   ← the answer",
                            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
                        ),
                        (true, false, true) => {
                            ('✗', "   ← your answer", Style::new().fg(Color::Red))
                        }
                        (true, false, false) => (' ', "", Style::new()),
                    };
                    let wrapped = markdown::wrap(
                        &[(format!("{choice}{note}"), style)],
                        wide,
                        vec![Span::styled(format!("{pointer}{letter}) "), style)],
                        vec![Span::raw("   ")],
                    );
                    lines.extend(wrapped);
                    if chosen {
                        focus = lines.len() - 1;
                    }
                }
            }
            QuizKind::Short { accepted } => {
                lines.push(Line::from(vec![
                    Span::styled("Your answer: ", bold()),
                    Span::raw(q.typed.clone()),
                    Span::styled(
                        if q.answered { "" } else { "█" },
                        Style::new().fg(Color::Cyan),
                    ),
                ]));
                focus = lines.len() - 1;
                if q.answered && !q.results.last().copied().unwrap_or(false) {
                    lines.push(Line::from(format!(
                        "Accepted: {}",
                        accepted.first().cloned().unwrap_or_default()
                    )));
                }
            }
        }
        if q.answered {
            lines.push(Line::from(""));
            let ok = q.results.last().copied().unwrap_or(false);
            lines.push(if ok {
                Line::styled("✓ Right.", bold().fg(Color::Green))
            } else {
                Line::styled("✗ Not quite.", bold().fg(Color::Red))
            });
            lines.extend(markdown::wrap(
                &[(item.reason.clone(), Style::new())],
                wide,
                Vec::new(),
                Vec::new(),
            ));
            lines.push(Line::styled("Enter: next", dim()));
            focus = lines.len() - 1;
        }
        (lines, focus)
    }
}
