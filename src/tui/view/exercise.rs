//! An exercise: its task, the check panel, hints or the reference solution,
//! and the drawn history of a failing check.

use super::{SPINNER, bold, dim};
use crate::engine::report::{CheckResult, Status};
use crate::exercise;
use crate::tui::app::{App, StepKind};
use crate::tui::history::Drawing;
use crate::tui::{highlight, markdown};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

impl App {
    fn check_panel(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let id = self.steps[i].id.as_str();
        let running = self.running.filter(|r| r.step == i);
        // Streaming: the new compile result replaces the old verdict at
        // once, and each check shows the moment the phases it reads are
        // judged; the others wait.
        let live = running.and(self.live.compile.as_ref());
        let report = self.reports[i].as_ref().filter(|_| live.is_none());
        let checks: Vec<CheckResult> = match (report, exercise::find(id)) {
            (_, Some(ex)) if let Some(compile) = live => {
                let waiting = if compile.passed {
                    "running on real threads…"
                } else {
                    "not checked: the file does not compile"
                };
                std::iter::once(compile.clone())
                    .chain(ex.checks.iter().skip(1).map(|c| {
                        self.live
                            .checks
                            .iter()
                            .find(|judged| judged.id == c.id)
                            .cloned()
                            .unwrap_or_else(|| CheckResult::not_checked(c.id, waiting))
                    }))
                    .collect()
            }
            (Some(r), _) => r.checks.clone(),
            (None, Some(ex)) => ex
                .checks
                .iter()
                .map(|c| CheckResult::not_checked(c.id, "not checked yet"))
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut title = vec![Span::styled(" checks ", bold())];
        if let Some(running) = running {
            let elapsed = self.now.saturating_sub(running.started);
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            let stage = match (live, exercise::find(id)) {
                (Some(c), Some(ex)) if c.passed => format!(
                    "compiled; {} of {} phases ran",
                    self.live.phases_ended.len(),
                    ex.phases.len()
                ),
                (Some(_), _) => "does not compile".to_string(),
                _ => "compiling".to_string(),
            };
            title.push(Span::styled(
                format!("{frame} checking… {stage} {:.1}s ", elapsed.as_secs_f32()),
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
                // `›` marks the selected row without colour (NO_COLOR).
                let selected = row == self.check_row && report.is_some();
                let pointer = if selected { '›' } else { ' ' };
                let mut line = Line::from(vec![
                    Span::styled(format!("{pointer}{mark} "), style),
                    Span::styled(format!(" {:<15}", c.id.as_str()), bold()),
                    Span::raw(truncate(&self.shorten_paths(&c.message), room)),
                ]);
                if selected {
                    line = line.style(Style::new().bg(Color::DarkGray));
                }
                line
            })
            .collect();
        // Fewer rows than checks: scroll so that the selected row shows,
        // and say in the bottom border how many are above and below.
        let visible = usize::from(area.height.saturating_sub(2)).max(1);
        let offset = (self.check_row + 1)
            .saturating_sub(visible)
            .min(lines.len().saturating_sub(visible));
        let below = lines.len().saturating_sub(offset + visible);
        let mut block = Block::bordered().title(Line::from(title));
        if offset > 0 {
            block = block.title_bottom(Line::styled(format!(" ↑ {offset} more "), dim()));
        }
        if below > 0 {
            block = block.title_bottom(Line::styled(format!(" ↓ {below} more "), dim()));
        }
        Paragraph::new(lines)
            .scroll((offset as u16, 0))
            .block(block)
            .render(area, buf);
    }

    pub(super) fn exercise(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let StepKind::Exercise { checkable, .. } = &self.steps[i].kind else {
            return;
        };
        let parts = self.exercise_parts(i, area);
        let [head_area, panel_area, lower] = parts.areas;
        Paragraph::new(parts.head.clone()).render(head_area, buf);
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
        let lines = self.lower_lines(i, lower.width, parts.kept);
        let max = lines.len().saturating_sub(usize::from(lower.height)) as u16;
        Paragraph::new(Text::from(lines))
            .scroll((self.scroll.min(max), 0))
            .render(lower, buf);
    }

    /// The lower pane of exercise `i`, `width` cells wide: the failing
    /// check's message and detail, hints, or the discussion and reference
    /// once passed; then the part of the task the head had no room for
    /// (`kept` is how many of its lines the head shows).
    fn lower_lines(&self, i: usize, width: u16, kept: usize) -> Vec<Line<'static>> {
        let StepKind::Exercise {
            info, reference, ..
        } = &self.steps[i].kind
        else {
            return Vec::new();
        };
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
                if let Some(drawing) = Drawing::of(c) {
                    lines.push(Line::styled(drawing.invitation(), dim()));
                }
                let detail = self.shorten_paths(c.detail.as_deref().unwrap_or(""));
                lines.extend(detail.lines().flat_map(|l| wrap_detail(l, width)));
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
        // Only what the head had no room for: the task is never shown twice.
        let task = markdown::render(info.as_ref().map_or("", |i| i.task.as_str()), width);
        if kept < task.len() {
            lines.push(Line::from(""));
            let title = if kept == 0 {
                "The task"
            } else {
                "The task, continued"
            };
            lines.push(Line::styled(title, bold().fg(Color::Yellow)));
            lines.extend(task.into_iter().skip(kept));
        }
        lines
    }

    /// How exercise `i`'s screen is split in `area`: the head (as much of
    /// the task as fits, and the line naming the file), the check panel
    /// and the lower pane. Small terminals give the task fewer lines and the
    /// panel fewer rows (it scrolls to the selected one), so that the lower
    /// pane always keeps [`LOWER_MIN`] lines for the failing message.
    fn exercise_parts(&self, i: usize, area: Rect) -> Parts {
        let StepKind::Exercise { info, file, .. } = &self.steps[i].kind else {
            return Parts::default();
        };
        let inner = area.inner(Margin::new(1, 0));
        let task = markdown::render(info.as_ref().map_or("", |i| i.task.as_str()), inner.width);
        let room = match area.height {
            h if h >= 34 => 8,
            h if h >= 20 => 3,
            h if h >= 16 => 1,
            _ => 0,
        };
        let (mut head, kept) = head_of_task(task, room, usize::from(inner.width));
        let mut edit = Line::from(vec![
            Span::styled("Edit ", dim()),
            Span::styled(file.display().to_string(), bold().fg(Color::Cyan)),
        ]);
        let how = if self.manual_run {
            "   (e opens it; r checks)"
        } else {
            "   (e opens it; saving re-checks)"
        };
        // The reminder goes whole or not at all (the footer says it too).
        if edit.width() + markdown::width_of(how) <= usize::from(inner.width) {
            edit.spans.push(Span::styled(how, dim()));
        }
        head.push(edit);
        let rows = exercise::find(&self.steps[i].id).map_or(1, |e| e.checks.len()) as u16;
        let head_height = head.len() as u16;
        let panel = (rows + 2)
            .min(area.height.saturating_sub(head_height + LOWER_MIN))
            .max(3);
        let areas = Layout::vertical([
            Constraint::Length(head_height),
            Constraint::Length(panel),
            Constraint::Min(0),
        ])
        .areas(inner);
        Parts { head, kept, areas }
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
}

/// Lines the lower pane of an exercise keeps at any size: the failing
/// check's name and the start of its message.
const LOWER_MIN: u16 = 3;

/// An exercise screen's parts at one size (see [`App::exercise_parts`]).
#[derive(Default)]
struct Parts {
    /// The task lines that fit, and the line naming the file.
    head: Vec<Line<'static>>,
    /// How many of the task's lines the head shows; the rest go below.
    kept: usize,
    /// Head, check panel and lower pane.
    areas: [Rect; 3],
}

/// The first `room` lines of the rendered task, the last ending in a
/// marker that the rest follows below; and how many task lines they show.
/// A line with no room left for the marker moves below whole (never cut
/// mid-word), and the marker takes its place.
fn head_of_task(
    mut task: Vec<Line<'static>>,
    room: usize,
    width: usize,
) -> (Vec<Line<'static>>, usize) {
    if task.len() <= room {
        let kept = task.len();
        return (task, kept);
    }
    if room == 0 {
        return (Vec::new(), 0);
    }
    const MARKER: &str = " … (continued below)";
    task.truncate(room);
    if task[room - 1].width() + markdown::width_of(MARKER) <= width {
        task[room - 1].spans.push(Span::styled(MARKER, dim()));
        (task, room)
    } else {
        task[room - 1] = Line::styled(MARKER.trim_start(), dim());
        (task, room - 1)
    }
}

/// The height of exercise `i`'s lower pane (message, hints, discussion)
/// on a `width`×`height` terminal: what one page of scrolling is.
pub fn exercise_pane_height(app: &App, i: usize, width: u16, height: u16) -> u16 {
    exercise_body(app, i, width, height).0
}

/// How far exercise `i`'s lower pane scrolls on a `width`×`height`
/// terminal: its lines less its height.
pub fn exercise_max_scroll(app: &App, i: usize, width: u16, height: u16) -> u16 {
    let (pane, lines) = exercise_body(app, i, width, height);
    lines.saturating_sub(usize::from(pane)) as u16
}

/// The lower pane's height and line count at a terminal size.
fn exercise_body(app: &App, i: usize, width: u16, height: u16) -> (u16, usize) {
    // The body is the terminal less the title and status bars.
    let body = Rect::new(0, 0, width, height.saturating_sub(2));
    let parts = app.exercise_parts(i, body);
    let lower = parts.areas[2];
    (
        lower.height,
        app.lower_lines(i, lower.width, parts.kept).len(),
    )
}

/// One line of a check's detail at `width`: as it is when it fits (the
/// columns of compiler output and drawn histories stay aligned), else
/// wrapped at spaces with its indent kept, so that no prose runs off
/// the screen.
fn wrap_detail(line: &str, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    if markdown::width_of(line) <= width {
        return vec![Line::from(line.to_string())];
    }
    let body = line.trim_start();
    let indent = " ".repeat(line.len() - body.len());
    markdown::wrap(
        &[(body.to_string(), Style::new())],
        width,
        vec![Span::raw(indent.clone())],
        vec![Span::raw(indent)],
    )
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
