//! An exercise: its task, the check panel, hints or the reference solution,
//! and the drawn history of a failing check.

use super::{SPINNER, bold, dim};
use crate::engine::report::{CheckResult, Status};
use crate::exercise;
use crate::tui::app::{App, StepKind};
use crate::tui::history::Picture;
use crate::tui::{highlight, markdown};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

impl App {
    fn check_panel(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let id = self.steps[i].id.as_str();
        let report = self.reports[i].as_ref();
        let checks: Vec<CheckResult> = match (report, exercise::find(id)) {
            (Some(r), _) => r.checks.clone(),
            (None, Some(ex)) => ex
                .checks
                .iter()
                .map(|&c| CheckResult::not_checked(c, "not checked yet"))
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut title = vec![Span::styled(" checks ", bold())];
        if let Some(running) = self.running.filter(|r| r.step == i) {
            let elapsed = self.now.saturating_sub(running.started);
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            title.push(Span::styled(
                format!("{frame} checking… {:.1}s ", elapsed.as_secs_f32()),
                Style::new().fg(Color::Yellow),
            ));
        } else if let Some(r) = report {
            let passed = r.checks.iter().filter(|c| c.passed).count();
            if r.passed {
                title.push(Span::styled("all checks passed ", bold().fg(Color::Green)));
            } else {
                title.push(Span::styled(
                    format!("{passed} of {} passed ", r.checks.len()),
                    bold().fg(Color::Red),
                ));
            }
        }
        let lines: Vec<Line> = checks
            .iter()
            .enumerate()
            .map(|(row, c)| {
                let (mark, style) = match (c.status, report.is_some()) {
                    (Status::Passed, _) => ("pass", Style::new().fg(Color::Green)),
                    (Status::Failed, _) => ("FAIL", bold().fg(Color::Red)),
                    (Status::NotChecked, _) => ("----", Style::new().fg(Color::Yellow)),
                };
                let mut line = Line::from(vec![
                    Span::styled(format!(" {mark} "), style),
                    Span::styled(format!(" {:<15}", c.id.as_str()), bold()),
                    Span::raw(c.message.clone()),
                ]);
                if row == self.check_row && report.is_some() {
                    line = line.style(Style::new().bg(Color::DarkGray));
                }
                line
            })
            .collect();
        Paragraph::new(lines)
            .block(Block::bordered().title(Line::from(title)))
            .render(area, buf);
    }

    pub(super) fn exercise(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let step = &self.steps[i];
        let StepKind::Exercise {
            info,
            checkable,
            file,
            reference,
            ..
        } = &step.kind
        else {
            return;
        };
        let width = area.width.saturating_sub(2);
        let task = info.as_ref().map_or("", |i| i.task.as_str());
        let mut head = markdown::render(task, width);
        let task_lines = head.len();
        // On short terminals the task is cut here and given in full below.
        let room = if area.height >= 34 { 8 } else { 3 };
        let cut = task_lines > room;
        if cut {
            head.truncate(room);
            if let Some(last) = head.last_mut() {
                last.spans.push(Span::styled(" … (in full below)", dim()));
            }
        }
        head.push(Line::from(vec![
            Span::styled("Edit ", dim()),
            Span::styled(file.display().to_string(), bold().fg(Color::Cyan)),
            Span::styled(
                if self.manual_run {
                    "   (e opens it; r checks)"
                } else {
                    "   (e opens it; saving re-checks)"
                },
                dim(),
            ),
        ]));
        let rows = exercise::find(&step.id).map_or(1, |e| e.checks.len()) as u16;
        let [head_area, panel_area, lower] = Layout::vertical([
            Constraint::Length(head.len() as u16),
            Constraint::Length(rows + 2),
            Constraint::Min(0),
        ])
        .areas(area.inner(ratatui::layout::Margin::new(1, 0)));
        Paragraph::new(head).render(head_area, buf);
        if !checkable {
            Paragraph::new(vec![
                Line::styled("Coming soon", bold().fg(Color::Yellow)),
                Line::from("The tutor cannot check this exercise yet: read the task, try it, and come back later."),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::bordered())
            .render(panel_area.union(lower), buf);
            return;
        }
        self.check_panel(i, panel_area, buf);

        let mut lines: Vec<Line> = Vec::new();
        let report = self.reports[i].as_ref();
        if report.is_some_and(|r| r.passed) {
            lines.push(Line::styled(
                "✓ Passed! Press n for the next step.",
                bold().fg(Color::Green),
            ));
            lines.push(Line::from(""));
            if let Some(info) = info {
                lines.push(Line::styled("Discussion", bold().fg(Color::Yellow)));
                lines.extend(markdown::render(&info.discussion, width));
                lines.push(Line::from(""));
            }
            if let Some(reference) = reference {
                lines.push(Line::styled("Reference solution", bold().fg(Color::Yellow)));
                lines.extend(highlight::rust(reference));
            }
        } else {
            if let Some(c) = report.and_then(|r| r.checks.get(self.check_row))
                && c.status == Status::Failed
            {
                let detail = c.detail.as_deref().unwrap_or("");
                let picture = Picture::from_check(c).is_some();
                lines.push(Line::from(vec![
                    Span::styled(format!("{}: ", c.id), bold().fg(Color::Red)),
                    Span::raw(c.message.clone()),
                ]));
                if picture {
                    lines.push(Line::styled("Enter draws the history", dim()));
                }
                lines.extend(detail.lines().map(|l| Line::from(l.to_string())));
                lines.push(Line::from(""));
            }
            let shown = self.hints_shown(i);
            if let Some(info) = info {
                for (n, hint) in info.hints.iter().take(shown).enumerate() {
                    let mut hint_lines = markdown::render(hint, width.saturating_sub(9));
                    if let Some(first) = hint_lines.first_mut() {
                        first.spans.insert(
                            0,
                            Span::styled(format!("Hint {}: ", n + 1), bold().fg(Color::Yellow)),
                        );
                    }
                    lines.extend(hint_lines);
                }
                if shown < info.hints.len() {
                    lines.push(Line::styled(
                        format!("h reveals a hint ({} of {} shown)", shown, info.hints.len()),
                        dim(),
                    ));
                }
            }
        }
        if cut {
            lines.push(Line::from(""));
            lines.push(Line::styled("The task", bold().fg(Color::Yellow)));
            lines.extend(markdown::render(task, width));
        }
        let max = lines.len().saturating_sub(usize::from(lower.height)) as u16;
        Paragraph::new(Text::from(lines))
            .scroll((self.scroll.min(max), 0))
            .render(lower, buf);
    }

    pub(super) fn history(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let check = self.reports[i]
            .as_ref()
            .and_then(|r| r.checks.get(self.check_row));
        let Some(check) = check else { return };
        let block = Block::bordered().title(Line::from(vec![
            Span::styled(format!(" {} failed", check.id), bold().fg(Color::Red)),
            Span::raw(": the shrunk history, one lane per thread "),
        ]));
        let inner = block.inner(area);
        block.render(area, buf);
        if let Some(picture) = Picture::from_check(check) {
            (&picture).render(inner.inner(ratatui::layout::Margin::new(1, 1)), buf);
        }
    }
}
