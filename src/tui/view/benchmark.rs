//! The owners benchmark of the scaling lesson: bar chart, legend and table.

use super::{SPINNER, bold, dim};
use crate::course::scaling::{Row as ScalingRow, Strategy};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Cell, Paragraph, Row, Table, Widget, Wrap};

/// One colour per benchmark strategy, for the bars and the legend.
fn strategy_colour(strategy: Strategy) -> Color {
    match strategy {
        Strategy::Actor => Color::Cyan,
        Strategy::Mutex => Color::Red,
        Strategy::Atomic => Color::Yellow,
        Strategy::ShardedActor => Color::Green,
        Strategy::BufferActor => Color::Magenta,
    }
}

/// Million operations per second.
fn mops(row: &ScalingRow) -> f64 {
    row.ops_per_sec() / 1e6
}

impl App {
    /// The spinner line while the benchmark runs: frame and elapsed time.
    pub(super) fn benchmark_spinner(&self) -> Option<Line<'static>> {
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
    pub(super) fn benchmark(&self, area: Rect, buf: &mut Buffer) {
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
        // On a small terminal the numbers win over the bars: the table
        // says everything the chart does.
        let legend_height = if Line::from(legend.clone()).width() > usize::from(inner.width) {
            2
        } else {
            1
        };
        let table_height = threads.len() as u16 + 1;
        let note_height = u16::from(note.is_some());
        let chart_height = if inner.height >= legend_height + 4 + table_height + note_height {
            4
        } else {
            0
        };
        let [legend_area, chart_area, table_area, note_area] = Layout::vertical([
            Constraint::Length(legend_height),
            Constraint::Min(chart_height),
            Constraint::Length(table_height),
            Constraint::Length(note_height),
        ])
        .areas(inner);
        Paragraph::new(Line::from(legend))
            .wrap(Wrap { trim: false })
            .render(legend_area, buf);

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
                        // The numbers are in the table below: a label on a
                        // bar either does not fit (the tallest, `150.0` on
                        // a 4-cell bar) or runs into a short bar's glyph.
                        Bar::default()
                            .value((row.ops_per_sec() / 1e3).round() as u64)
                            .text_value(String::new())
                            .style(Style::new().fg(strategy_colour(row.strategy)))
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
        if chart_height > 0 {
            chart.render(chart_area, buf);
        }

        // The numbers beneath.
        let mut header = vec![Cell::from("threads")];
        header.extend(Strategy::ALL.map(|s| {
            Cell::from(Line::from(s.name()).right_aligned()).style(bold().fg(strategy_colour(s)))
        }));
        let table_area = table_area.inner(ratatui::layout::Margin::new(1, 0));
        // Narrow: columns share the width (a long name is cut) and numbers
        // keep one decimal, so that `150.0` still fits whole.
        let wide = table_area.width >= 66;
        let rows = threads.iter().map(|&n| {
            let mut cells = vec![Cell::from(Line::from(n.to_string()).right_aligned())];
            cells.extend(Strategy::ALL.map(|s| {
                let text = result
                    .rows
                    .iter()
                    .find(|r| r.threads == n && r.strategy == s)
                    .map_or_else(
                        || "-".to_string(),
                        |r| {
                            let decimals = if wide { 2 } else { 1 };
                            format!("{:.decimals$}", mops(r))
                        },
                    );
                Cell::from(Line::from(text).right_aligned())
            }));
            Row::new(cells)
        });
        let (widths, spacing) = if wide {
            ([7, 9, 12, 9, 9, 14].map(Constraint::Length), 2)
        } else {
            (
                [
                    Constraint::Length(7),
                    Constraint::Fill(1),
                    Constraint::Fill(1),
                    Constraint::Fill(1),
                    Constraint::Fill(1),
                    Constraint::Fill(1),
                ],
                1,
            )
        };
        Table::new(rows, widths)
            .header(Row::new(header).style(bold()))
            .column_spacing(spacing)
            .render(table_area, buf);
        if let Some(note) = note {
            Paragraph::new(note).render(note_area, buf);
        }
    }
}
