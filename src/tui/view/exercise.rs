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
                // One line per row, cut with … (the full message is below).
                let room = usize::from(area.width.saturating_sub(2 + 6 + 16));
                let mut line = Line::from(vec![
                    Span::styled(format!(" {mark} "), style),
                    Span::styled(format!(" {:<15}", c.id.as_str()), bold()),
                    Span::raw(truncate(&self.shorten_paths(&c.message), room)),
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
            reference,
            ..
        } = &step.kind
        else {
            return;
        };
        let width = area.width.saturating_sub(2);
        let task = info.as_ref().map_or("", |i| i.task.as_str());
        let (head, cut) = self.exercise_head(i, area);
        let [head_area, panel_area, lower] = exercise_layout(area, head.len(), &step.id);
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
            // The selected check if it failed, else the first failing one:
            // its whole message, wrapped, then its detail.
            let failed = report.and_then(|r| {
                r.checks
                    .get(self.check_row)
                    .filter(|c| c.status == Status::Failed)
                    .or_else(|| r.checks.iter().find(|c| c.status == Status::Failed))
            });
            if let Some(c) = failed {
                let message = self.shorten_paths(&c.message);
                lines.extend(markdown::wrap(
                    &[(message, Style::new())],
                    usize::from(width),
                    vec![Span::styled(format!("{}: ", c.id), bold().fg(Color::Red))],
                    Vec::new(),
                ));
                if Picture::from_check(c).is_some() {
                    lines.push(Line::styled("Enter draws the history", dim()));
                }
                let detail = self.shorten_paths(c.detail.as_deref().unwrap_or(""));
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

    /// The task (cut on short terminals) and the line naming the file.
    /// Returns the lines and whether the task was cut.
    fn exercise_head(&self, i: usize, area: Rect) -> (Vec<Line<'static>>, bool) {
        let StepKind::Exercise { info, file, .. } = &self.steps[i].kind else {
            return (Vec::new(), false);
        };
        let width = area.width.saturating_sub(2);
        let task = info.as_ref().map_or("", |i| i.task.as_str());
        let mut head = markdown::render(task, width);
        // On short terminals the task is cut here and given in full below.
        let room = if area.height >= 34 { 8 } else { 3 };
        let cut = head.len() > room;
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
        (head, cut)
    }

    /// `text` with absolute paths under the project root shown relative
    /// to it (`exercises/counter.rs:33:9`).
    pub(crate) fn shorten_paths(&self, text: &str) -> String {
        let Some(root) = &self.root else {
            return text.to_string();
        };
        let mut prefix = root.display().to_string();
        if prefix.len() <= 1 {
            return text.to_string(); // never strip a bare `/`
        }
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        text.replace(&prefix, "")
    }

    pub(super) fn history(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let check = self.reports[i]
            .as_ref()
            .and_then(|r| r.checks.get(self.check_row));
        let Some(check) = check else { return };
        let block = Block::bordered().title(Line::from(vec![
            Span::styled(format!(" {} failed", check.id), bold().fg(Color::Red)),
            Span::raw(": the calls around the failure, one lane per thread "),
        ]));
        let inner = block.inner(area);
        block.render(area, buf);
        if let Some(picture) = Picture::from_check(check) {
            (&picture).render(inner.inner(ratatui::layout::Margin::new(1, 1)), buf);
        }
    }
}

/// Head, check panel and lower pane of an exercise screen.
fn exercise_layout(area: Rect, head: usize, id: &str) -> [Rect; 3] {
    let rows = exercise::find(id).map_or(1, |e| e.checks.len()) as u16;
    Layout::vertical([
        Constraint::Length(head as u16),
        Constraint::Length(rows + 2),
        Constraint::Min(0),
    ])
    .areas(area.inner(ratatui::layout::Margin::new(1, 0)))
}

/// The height of exercise `i`'s lower pane (message, hints, discussion)
/// on a `width`×`height` terminal: what one page of scrolling is.
pub fn exercise_pane_height(app: &App, i: usize, width: u16, height: u16) -> u16 {
    // The body is the terminal less the title and status bars.
    let body = Rect::new(0, 0, width, height.saturating_sub(2));
    let (head, _) = app.exercise_head(i, body);
    exercise_layout(body, head.len(), &app.steps[i].id)[2].height
}

/// `text` cut to `width` cells, ending in … when cut.
fn truncate(text: &str, width: usize) -> String {
    if markdown::width_of(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = markdown::width_of(ch.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}
