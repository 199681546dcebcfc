//! Drawing: a pure function of the state, `impl Widget for &App`.
//!
//! This file holds the entry, the bars above and below every screen and the
//! shared styles; each screen draws itself in a submodule.

mod benchmark;
mod course_path;
mod dialogs;
mod exercise;
mod history;
mod lesson;
mod quiz;

pub use dialogs::help_max_scroll;
pub use exercise::{exercise_max_scroll, exercise_pane_height};
pub use history::history_scroll_limit;
pub use lesson::lesson_lines;

use super::app::{App, Screen, StepKind};
use crate::course::QuizKind;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [top, body, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.title_bar(top, buf);
        match self.screen {
            Screen::Path => self.path(body, buf),
            Screen::Lesson(i) => self.lesson(i, body, buf),
            Screen::Exercise(i) => self.exercise(i, body, buf),
            Screen::History(i) => self.history(i, body, buf),
            Screen::Quiz(i) => self.quiz(i, body, buf),
            Screen::Benchmark(_) => self.benchmark(body, buf),
        }
        self.status_bar(bottom, buf);
        if self.help {
            dialogs::help(self, area, buf);
        }
        if let Some(err) = &self.progress_error {
            dialogs::progress_error(err, area, buf);
        }
    }
}

impl App {
    fn title_bar(&self, area: Rect, buf: &mut Buffer) {
        let bar = Style::new().bg(Color::Blue).fg(Color::White);
        buf.set_style(area, bar);
        let where_ = match self.screen {
            Screen::Path => "course".to_string(),
            Screen::Lesson(i) | Screen::Exercise(i) | Screen::History(i) | Screen::Quiz(i) => {
                self.steps[i].title.clone()
            }
            Screen::Benchmark(i) => format!("{}: the owners benchmark", self.steps[i].title),
        };
        let done = self
            .steps
            .iter()
            .filter(|s| self.progress.done.contains(&s.id))
            .count();
        let mut right = format!("{done}/{} done ", self.steps.len());
        if let super::app::Preparing::Building { what, since } = &self.preparing {
            // Honest: what is being built, for how long so far, and why.
            let elapsed = self.now.saturating_sub(*since);
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            right = format!(
                "{frame} first start: building {what} {}s │ {right}",
                elapsed.as_secs()
            );
        } else if let Some((what, since)) = &self.ahead {
            // So that its first check compiles like a warm one.
            let elapsed = self.now.saturating_sub(*since);
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            right = format!("{frame} compiling {what} ahead │ {right}");
        }
        buf.set_line(
            area.x,
            area.y,
            &Line::from(vec![
                Span::styled(" threadlings ", bar.add_modifier(Modifier::BOLD)),
                Span::styled(format!("│ {where_}"), bar),
            ]),
            area.width.saturating_sub(right.chars().count() as u16),
        );
        let x = area.x + area.width.saturating_sub(right.chars().count() as u16);
        buf.set_string(x, area.y, right, bar);
    }

    fn status_bar(&self, area: Rect, buf: &mut Buffer) {
        let text = if !self.status.is_empty() {
            Line::styled(format!(" {}", self.status), Style::new().fg(Color::Yellow))
        } else {
            let keys = match self.screen {
                Screen::Quiz(i) => self.quiz_keys(i),
                _ => super::keys::footer(self, usize::from(area.width.saturating_sub(1))),
            };
            Line::styled(format!(" {keys}"), dim())
        };
        buf.set_line(area.x, area.y, &text, area.width);
    }

    /// The quiz keys for the question on screen: a letter answers a choice
    /// at once; a short answer is typed, so `q` types too.
    fn quiz_keys(&self, i: usize) -> String {
        let StepKind::Lesson { quiz, .. } = &self.steps[i].kind else {
            return String::new();
        };
        let kind = quiz.get(self.quiz.question).map(|item| &item.kind);
        match kind {
            _ if self.quiz.answered => {
                let next = if self.quiz.question + 1 >= quiz.len() {
                    "Enter finish the quiz"
                } else {
                    "Enter next question"
                };
                format!("{next}  Esc (or q) leave the quiz")
            }
            Some(QuizKind::Choice { choices, .. }) => {
                let last = (b'a' + choices.len().saturating_sub(1) as u8) as char;
                format!("a-{last} answer at once  ↑↓ then Enter answer  Esc (or q) leave the quiz")
            }
            Some(QuizKind::Short { .. }) => {
                "type your answer  Enter answer  Esc leave the quiz".to_string()
            }
            None => "Esc (or q) leave the quiz".to_string(),
        }
    }
}
