//! Drawing: a pure function of the state, `impl Widget for &App`.

use super::app::{App, Screen, StepKind};
use super::history::Picture;
use super::{highlight, markdown};
use crate::course::QuizKind;
use crate::course::scaling::{Row as ScalingRow, Strategy};
use crate::engine::report::{CheckResult, Status};
use crate::exercise;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Cell, Clear, Paragraph, Row, Table, Widget, Wrap,
};

/// One colour per benchmark strategy, for the bars and the legend.
fn strategy_colour(strategy: Strategy) -> Color {
    match strategy {
        Strategy::Actor => Color::Cyan,
        Strategy::Mutex => Color::Red,
        Strategy::Atomic => Color::Yellow,
        Strategy::ShardedActor => Color::Green,
    }
}

/// Million operations per second.
fn mops(row: &ScalingRow) -> f64 {
    row.ops_per_sec() / 1e6
}

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
            help(area, buf);
        }
        if let Some(err) = &self.progress_error {
            progress_error(err, area, buf);
        }
    }
}

/// `area` shrunk to a centred box of at most `w`×`h`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn help(area: Rect, buf: &mut Buffer) {
    let keys: &[(&str, &str)] = &[
        ("↑↓ j k", "move / scroll"),
        ("PgUp PgDn g G", "page, top, bottom"),
        ("Enter l →", "open; on a failing check: its history"),
        ("c", "continue: the first unfinished step"),
        ("n / p", "next / previous step"),
        ("e", "edit the exercise file in $VISUAL / $EDITOR"),
        ("r", "check the exercise now"),
        ("h", "reveal the next hint"),
        ("R then y", "reset the file to the starter (keeps a .bak)"),
        ("t", "take the lesson's quiz"),
        ("b", "scaling lesson: the owners benchmark chart"),
        ("q Esc", "back; on the course path: quit"),
        ("Ctrl-C", "quit"),
        ("?", "this help"),
    ];
    let mut lines = vec![Line::from("")];
    for (k, what) in keys {
        lines.push(Line::from(vec![
            Span::styled(format!(" {k:<15}"), bold().fg(Color::Cyan)),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(" any key closes this", dim()));
    let r = centred(area, 66, lines.len() as u16 + 2);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .block(Block::bordered().title(" keys "))
        .render(r, buf);
}

fn progress_error(err: &str, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::styled("Your progress file cannot be used", bold().fg(Color::Red)),
        Line::from(""),
        Line::from(err.to_string()),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter", bold().fg(Color::Cyan)),
            Span::raw(" move it aside (to *.corrupt) and start fresh"),
        ]),
        Line::from(vec![
            Span::styled("q", bold().fg(Color::Cyan)),
            Span::raw("     quit and leave it as it is"),
        ]),
    ];
    let r = centred(area, 70, 12);
    Clear.render(r, buf);
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .title(" progress ")
                .border_style(Style::new().fg(Color::Red)),
        )
        .render(r, buf);
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
        let right = format!("{done}/{} done ", self.steps.len());
        buf.set_line(
            area.x,
            area.y,
            &Line::from(vec![
                Span::styled(" threadlings ", bar.add_modifier(Modifier::BOLD)),
                Span::styled(format!("│ {where_}"), bar),
            ]),
            area.width.saturating_sub(right.len() as u16),
        );
        let x = area.x + area.width.saturating_sub(right.len() as u16);
        buf.set_string(x, area.y, right, bar);
    }

    fn status_bar(&self, area: Rect, buf: &mut Buffer) {
        let text = if !self.status.is_empty() {
            Line::styled(format!(" {}", self.status), Style::new().fg(Color::Yellow))
        } else {
            let keys = match self.screen {
                Screen::Path => "↑↓ move  Enter open  c continue  ? keys  q quit",
                Screen::Lesson(i) if self.runs_benchmark(i) => {
                    "↑↓ scroll  b benchmark  n next  p previous  t quiz  q back  ? keys"
                }
                Screen::Lesson(_) => "↑↓ scroll  n next  p previous  t quiz  q back  ? keys",
                Screen::Exercise(_) => {
                    "e edit  r check  h hint  ↑↓ checks  Enter history  R reset  n next  q back  ? keys"
                }
                Screen::History(_) => "q / Enter back to the checks",
                Screen::Quiz(_) => "↑↓ or a-d choose  Enter answer  Esc (or q) leave the quiz",
                Screen::Benchmark(_) => "r run it again  Esc (or q) back to the lesson  ? keys",
            };
            Line::styled(format!(" {keys}"), dim())
        };
        buf.set_line(area.x, area.y, &text, area.width);
    }

    fn path(&self, area: Rect, buf: &mut Buffer) {
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
            let mut line = Line::from(vec![
                Span::styled(format!(" {marker} "), marker_style),
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

    fn lesson(&self, i: usize, area: Rect, buf: &mut Buffer) {
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

    fn exercise(&self, i: usize, area: Rect, buf: &mut Buffer) {
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

    fn history(&self, i: usize, area: Rect, buf: &mut Buffer) {
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

    /// The spinner line while the benchmark runs: frame and elapsed time.
    fn benchmark_spinner(&self) -> Option<Line<'static>> {
        let started = self.benchmark.running?;
        let elapsed = self.now.saturating_sub(started);
        let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
        Some(Line::styled(
            format!(" {frame} benchmark running… {:.1}s ", elapsed.as_secs_f32()),
            Style::new().fg(Color::Yellow),
        ))
    }

    /// The owners benchmark: a grouped bar chart (one group per thread
    /// count, one colour per strategy), its legend and the numbers.
    fn benchmark(&self, area: Rect, buf: &mut Buffer) {
        let mut block = Block::bordered().title(Line::styled(
            " million increments per second, by client threads ",
            bold(),
        ));
        if let Some(spinner) = self.benchmark_spinner() {
            block = block.title(spinner.right_aligned());
        }
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(result) = &self.benchmark.result else {
            let text = if self.benchmark.running.is_some() {
                "The benchmark is running: the chart appears when it finishes."
            } else {
                "No result yet: r runs the benchmark."
            };
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .render(inner.inner(ratatui::layout::Margin::new(1, 0)), buf);
            return;
        };
        let mut threads: Vec<usize> = Vec::new();
        for row in &result.rows {
            if !threads.contains(&row.threads) {
                threads.push(row.threads);
            }
        }
        let ops = result.rows.first().map_or(0, |r| r.ops);
        let mut legend = vec![Span::raw(" ")];
        for strategy in Strategy::ALL {
            legend.push(Span::styled(
                "■ ",
                Style::new().fg(strategy_colour(strategy)),
            ));
            legend.push(Span::raw(format!("{}  ", strategy.name())));
        }
        legend.push(Span::styled(
            format!("({ops} per run, {} cores)", result.cores),
            dim(),
        ));
        let note = (!result.optimised).then(|| {
            Line::styled(
                " debug build: the numbers mostly measure debug overhead (try --release)",
                Style::new().fg(Color::Yellow),
            )
        });
        let [legend_area, chart_area, table_area, note_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(threads.len() as u16 + 1),
            Constraint::Length(u16::from(note.is_some())),
        ])
        .areas(inner);
        Paragraph::new(Line::from(legend)).render(legend_area, buf);

        // One group of bars per thread count, sized to fill the width.
        let chart_area = chart_area.inner(ratatui::layout::Margin::new(1, 0));
        let groups = threads.len().max(1) as u16;
        let per_group = Strategy::ALL.len() as u16;
        let group_gap = 3;
        // ratatui leaves the bar gap after each group's last bar too.
        let group_width = chart_area
            .width
            .saturating_sub((groups - 1) * (group_gap + 1))
            / groups;
        let bar_width = (group_width.saturating_sub(per_group - 1) / per_group).clamp(1, 9);
        let used = groups * per_group * (bar_width + 1) - 1 + (groups - 1) * group_gap;
        let chart_area = Rect {
            x: chart_area.x + chart_area.width.saturating_sub(used) / 2,
            width: used.min(chart_area.width),
            ..chart_area
        };
        let bar_groups: Vec<BarGroup> = threads
            .iter()
            .map(|&n| {
                let bars: Vec<Bar> = Strategy::ALL
                    .iter()
                    .filter_map(|&s| {
                        result
                            .rows
                            .iter()
                            .find(|r| r.threads == n && r.strategy == s)
                    })
                    .map(|row| {
                        let value = mops(row);
                        let text = if bar_width >= 4 {
                            format!("{value:.1}")
                        } else {
                            format!("{value:.0}")
                        };
                        Bar::default()
                            .value((row.ops_per_sec() / 1e3).round() as u64)
                            .text_value(text)
                            .style(Style::new().fg(strategy_colour(row.strategy)))
                            .value_style(
                                Style::new()
                                    .fg(Color::Black)
                                    .bg(strategy_colour(row.strategy)),
                            )
                    })
                    .collect();
                let label = format!("{n} thread{}", if n == 1 { "" } else { "s" });
                BarGroup::default()
                    .label(Line::from(label).centered())
                    .bars(&bars)
            })
            .collect();
        let mut chart = BarChart::default()
            .bar_width(bar_width)
            .bar_gap(1)
            .group_gap(group_gap);
        for group in bar_groups {
            chart = chart.data(group);
        }
        chart.render(chart_area, buf);

        // The numbers beneath.
        let mut header = vec![Cell::from("threads")];
        header.extend(Strategy::ALL.map(|s| {
            Cell::from(Line::from(s.name()).right_aligned()).style(bold().fg(strategy_colour(s)))
        }));
        let rows = threads.iter().map(|&n| {
            let mut cells = vec![Cell::from(Line::from(n.to_string()).right_aligned())];
            cells.extend(Strategy::ALL.map(|s| {
                let text = result
                    .rows
                    .iter()
                    .find(|r| r.threads == n && r.strategy == s)
                    .map_or_else(|| "-".to_string(), |r| format!("{:.2}", mops(r)));
                Cell::from(Line::from(text).right_aligned())
            }));
            Row::new(cells)
        });
        Table::new(
            rows,
            [
                Constraint::Length(7),
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Length(14),
            ],
        )
        .header(Row::new(header).style(bold()))
        .column_spacing(2)
        .render(table_area.inner(ratatui::layout::Margin::new(1, 0)), buf);
        if let Some(note) = note {
            Paragraph::new(note).render(note_area, buf);
        }
    }

    fn quiz(&self, i: usize, area: Rect, buf: &mut Buffer) {
        let StepKind::Lesson { quiz, .. } = &self.steps[i].kind else {
            return;
        };
        let q = &self.quiz;
        let Some(item) = quiz.get(q.question) else {
            return;
        };
        let mut lines = vec![
            Line::styled(
                format!("Question {} of {}", q.question + 1, quiz.len()),
                dim(),
            ),
            Line::from(""),
        ];
        lines.extend(markdown::render(
            &item.question,
            area.width.saturating_sub(4),
        ));
        lines.push(Line::from(""));
        match &item.kind {
            QuizKind::Choice { choices, answer } => {
                for (n, choice) in choices.iter().enumerate() {
                    let letter = (b'a' + n as u8) as char;
                    let mut style = Style::new();
                    if q.answered && choice == answer {
                        style = style.fg(Color::Green).add_modifier(Modifier::BOLD);
                    } else if q.answered && n == q.choice {
                        style = style.fg(Color::Red);
                    }
                    if n == q.choice && !q.answered {
                        style = style.add_modifier(Modifier::REVERSED);
                    }
                    lines.push(Line::styled(format!(" {letter}) {choice}"), style));
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
            lines.push(Line::from(item.reason.clone()));
            lines.push(Line::styled("Enter: next", dim()));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" quiz "))
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
