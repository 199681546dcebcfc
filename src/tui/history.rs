//! The picture of the calls around a failure: one lane per thread, each call a bar
//! from call to return, the impossible call highlighted and the model
//! state stated in one line.
//!
//! [`Picture`] is a small local view type; [`Picture::from_timeline`] and
//! [`Picture::from_check`] are the only adapters from the engine's data.

pub mod accounting;

use crate::engine::report::{Accounting, CheckResult};
use crate::linearizability::Timeline;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// One call drawn as a bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Column of the call.
    pub start: usize,
    /// Column of the return (for a call that never returned, the last column).
    pub end: usize,
    /// The call and its result, e.g. `get() -> 5`.
    pub label: String,
    /// The call no order of the calls can explain.
    pub impossible: bool,
    /// The call never returned.
    pub pending: bool,
}

/// The calls of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// The thread's name, e.g. `thread 1`.
    pub thread: String,
    /// Its calls, in order.
    pub bars: Vec<Bar>,
}

/// A history to draw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picture {
    /// One lane per thread.
    pub lanes: Vec<Lane>,
    /// One line about the model state that makes the call impossible.
    pub note: String,
}

impl Picture {
    /// The picture of a linearizability [`Timeline`].
    pub fn from_timeline(timeline: &Timeline) -> Picture {
        let last = timeline.columns.saturating_sub(1);
        Picture {
            lanes: timeline
                .lanes
                .iter()
                .map(|lane| Lane {
                    thread: format!("thread {}", lane.thread),
                    bars: lane
                        .ops
                        .iter()
                        .map(|op| Bar {
                            start: op.start,
                            end: op.end.unwrap_or(last.max(op.start)),
                            label: op.label.clone(),
                            impossible: op.impossible,
                            pending: op.end.is_none(),
                        })
                        .collect(),
                })
                .collect(),
            note: timeline.caption.clone().unwrap_or_default(),
        }
    }

    /// The picture of a failing check's history: from the [`Timeline`] it
    /// carries (its text form in `detail` is for plain terminals and is
    /// never read back); `None` when it carries none, or one with no lanes.
    pub fn from_check(check: &CheckResult) -> Option<Picture> {
        let picture = Picture::from_timeline(check.timeline.as_ref()?);
        (!picture.lanes.is_empty()).then_some(picture)
    }
}

/// What a failing check's result lets the history screen draw: which
/// picture it carries decides, never which check it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Drawing<'a> {
    /// The calls around a failure, one lane per thread.
    Calls(Picture),
    /// What was sent and what was applied.
    Accounting(&'a Accounting),
}

impl<'a> Drawing<'a> {
    /// The drawing `check` carries, if any.
    pub fn of(check: &'a CheckResult) -> Option<Drawing<'a>> {
        match &check.accounting {
            Some(accounting) => Some(Drawing::Accounting(accounting)),
            None => Picture::from_check(check).map(Drawing::Calls),
        }
    }

    /// What the drawing shows, for the screen's title.
    pub fn title(&self) -> &'static str {
        match self {
            Drawing::Calls(_) => "the calls around the failure, one lane per thread",
            Drawing::Accounting(_) => "what was sent and what was applied",
        }
    }

    /// The line under a failing message that says Enter opens it.
    pub fn invitation(&self) -> &'static str {
        match self {
            Drawing::Calls(_) => "Enter draws the history",
            Drawing::Accounting(_) => "Enter shows what was sent and what was applied",
        }
    }
}

impl Widget for &Picture {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let gutter = self
            .lanes
            .iter()
            .map(|l| l.thread.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        let columns = self
            .lanes
            .iter()
            .flat_map(|l| l.bars.iter().map(|b| b.end + 1))
            .max()
            .unwrap_or(1);
        let avail = usize::from(area.width)
            .saturating_sub(gutter + 1)
            .max(columns);
        let scale = |col: usize| gutter + col * avail / columns;
        // First and last cell of a bar, relative to the area.
        let span = |bar: &Bar| {
            let x0 = scale(bar.start);
            let x1 = if bar.end + 1 >= columns {
                gutter + avail - 1
            } else {
                scale(bar.end + 1).saturating_sub(2).max(x0 + 1)
            };
            (x0, x1)
        };
        let mut y = area.y;
        let bottom = area.y + area.height;
        // Two rows a lane (bar, then the underline) when there is room.
        let step = if self.lanes.len() * 2 + 4 <= usize::from(area.height) {
            2
        } else {
            1
        };
        for lane in &self.lanes {
            if y >= bottom {
                break;
            }
            buf.set_string(
                area.x,
                y,
                &lane.thread,
                Style::new().add_modifier(Modifier::BOLD),
            );
            for (i, bar) in lane.bars.iter().enumerate() {
                let (x0, x1) = span(bar);
                let style = if bar.impossible {
                    Style::new()
                        .fg(Color::White)
                        .bg(Color::Red)
                        .add_modifier(Modifier::BOLD)
                } else if bar.pending {
                    Style::new().fg(Color::Black).bg(Color::Yellow)
                } else {
                    Style::new().fg(Color::Black).bg(Color::Cyan)
                };
                let len = x1.saturating_sub(x0) + 1;
                let mut label = if bar.impossible {
                    format!("✗ {}", bar.label)
                } else {
                    bar.label.clone()
                };
                if bar.pending {
                    label.push_str(" …");
                }
                let label_len = label.chars().count();
                // A label too long for its bar goes beside it (after it, or
                // before it), never cut: the cut part is often the result
                // that makes the call impossible.
                let room_after = lane
                    .bars
                    .get(i + 1)
                    .map_or(usize::from(area.width), |next| span(next).0)
                    .saturating_sub(x1 + 2);
                let room_before = x0.saturating_sub(
                    i.checked_sub(1)
                        .map_or(gutter, |prev| span(&lane.bars[prev]).1 + 2),
                );
                let beside = if label_len + 2 <= len {
                    None
                } else if label_len < room_after {
                    Some(x1 + 2)
                } else if label_len < room_before {
                    Some(x0 - 1 - label_len)
                } else {
                    None
                };
                let inside: String = if beside.is_some() {
                    String::new()
                } else {
                    label.chars().take(len.saturating_sub(2)).collect()
                };
                let pad = len.saturating_sub(inside.chars().count() + 2);
                let text = format!(
                    "{}{}{}{}{}",
                    if bar.pending { '▶' } else { '▕' },
                    " ".repeat(pad / 2),
                    inside,
                    " ".repeat(pad - pad / 2),
                    if bar.pending { '▶' } else { '▏' }
                );
                let x = area.x + x0 as u16;
                if x < area.x + area.width {
                    buf.set_stringn(x, y, text, usize::from(area.x + area.width - x), style);
                }
                if let Some(at) = beside {
                    let fg = style.bg.unwrap_or(Color::Reset);
                    let style = Style::new().fg(fg).add_modifier(Modifier::BOLD);
                    buf.set_string(area.x + at as u16, y, &label, style);
                }
                if bar.impossible && step == 2 && y + 1 < bottom {
                    buf.set_stringn(
                        x,
                        y + 1,
                        "^".repeat(len),
                        usize::from(area.x + area.width - x),
                        Style::new().fg(Color::Red),
                    );
                }
            }
            y += step;
        }
        let axis = Line::from(vec![
            Span::raw(" ".repeat(gutter)),
            Span::styled("time →", Style::new().fg(Color::DarkGray)),
        ]);
        if y < bottom {
            buf.set_line(area.x, y, &axis, area.width);
            y += 2;
        }
        if y < bottom {
            let note = Paragraph::new(Line::from(vec![
                Span::styled("State: ", Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(self.note.clone()),
            ]))
            .wrap(Wrap { trim: true });
            note.render(Rect::new(area.x, y, area.width, bottom - y), buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::CheckId;

    #[test]
    fn a_check_without_a_timeline_draws_nothing_whatever_its_detail() {
        let detail = "thread 0  |-- inc() --|\nthread 1     |-- get() -> 0 --|";
        let check = CheckResult::fail(CheckId::LINEARIZABLE, "no order").with_detail(detail);
        assert_eq!(Picture::from_check(&check), None);
        assert_eq!(Drawing::of(&check), None);
    }

    #[test]
    fn reads_a_timeline() {
        use crate::linearizability::{Lane as TLane, TimelineOp};
        let op = |index, start, end, label: &str, impossible| TimelineOp {
            index,
            start,
            end,
            label: label.to_string(),
            result: None,
            impossible,
        };
        let timeline = Timeline {
            lanes: vec![
                TLane {
                    thread: 0,
                    ops: vec![op(0, 0, Some(1), "inc()", false)],
                },
                TLane {
                    thread: 2,
                    ops: vec![op(1, 2, None, "get() -> 0", true)],
                },
            ],
            columns: 3,
            caption: Some("The count is 1.".into()),
        };
        let p = Picture::from_timeline(&timeline);
        assert_eq!(p.lanes[1].thread, "thread 2");
        assert_eq!(
            p.lanes[1].bars[0],
            Bar {
                start: 2,
                end: 2,
                label: "get() -> 0".into(),
                impossible: true,
                pending: true
            }
        );
        assert_eq!(p.note, "The count is 1.");
    }
}
