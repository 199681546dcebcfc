//! A timeline of a (shrunk) history: plain data plus a text renderer.
//!
//! [`Timeline`] holds only what a drawing needs (lanes, columns, labels,
//! which call is impossible) so the TUI can draw it graphically; the text
//! renderer is for plain terminals, logs and tests. Columns are compressed:
//! only the order of call and return events matters, not the raw sequence
//! numbers, so every event gets its own column and bars are only as long as
//! their labels need.

use super::{History, Model, Violation, op_label};

/// One call drawn on a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimelineOp {
    /// Index into the original history.
    pub index: usize,
    /// Column of the call event.
    pub start: usize,
    /// Column of the return event; `None` when the call never returned.
    pub end: Option<usize>,
    /// The call and its result, e.g. `get() -> 5` (`get() -> ?` if pending).
    pub label: String,
    /// Just the result, e.g. `5`; `None` for uninformative or missing results.
    pub result: Option<String>,
    /// Whether this is the call that could not be placed.
    pub impossible: bool,
}

/// The calls of one client thread, in call order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lane {
    /// The client thread index.
    pub thread: usize,
    /// Its calls, which never overlap each other.
    pub ops: Vec<TimelineOp>,
}

/// A history laid out for drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Timeline {
    /// One lane per thread that made a call, ordered by thread index.
    pub lanes: Vec<Lane>,
    /// Number of event columns; every call and return has its own column
    /// in `0..columns`.
    pub columns: usize,
    /// The sentence to print underneath, e.g. the violation's description.
    pub caption: Option<String>,
}

impl Timeline {
    /// Lays out the operations `operations` (indices into `history`),
    /// marking `impossible` and carrying `caption`.
    pub fn new<M: Model>(
        history: &History<M>,
        operations: &[usize],
        impossible: Option<usize>,
        caption: Option<String>,
    ) -> Self {
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for &i in operations {
            events.push((history[i].call, false, i));
            if let Some(ret) = history[i].ret {
                events.push((ret, true, i));
            }
        }
        // Same tie rule as the checker: calls first, so ties read as overlap.
        events.sort_unstable();
        let column_of =
            |i: usize, is_ret: bool| events.iter().position(|&(_, r, j)| j == i && r == is_ret);

        let mut lanes: Vec<Lane> = Vec::new();
        let mut sorted = operations.to_vec();
        sorted.sort_by_key(|&i| (history[i].thread, history[i].call, i));
        for i in sorted {
            let op = &history[i];
            let drawn = TimelineOp {
                index: i,
                start: column_of(i, false).unwrap_or(0),
                end: column_of(i, true),
                label: op_label::<M>(op),
                result: op.output.as_ref().and_then(M::result_label),
                impossible: impossible == Some(i),
            };
            match lanes.last_mut() {
                Some(lane) if lane.thread == op.thread => lane.ops.push(drawn),
                _ => lanes.push(Lane {
                    thread: op.thread,
                    ops: vec![drawn],
                }),
            }
        }
        Timeline {
            lanes,
            columns: events.len(),
            caption,
        }
    }

    /// Lays out a violation's shrunk counterexample with its explanation.
    pub fn from_violation<M: Model>(history: &History<M>, violation: &Violation) -> Self {
        let impossible = violation.explanation.as_ref().map(|e| e.blocked);
        Timeline::new::<M>(
            history,
            &violation.operations,
            impossible,
            Some(violation.description.clone()),
        )
    }
}

/// Columns between consecutive events: 2 leaves a space between a bar's
/// end and the next bar's start.
const GAP: usize = 2;
/// Characters a bar needs beyond its label: `|- ` before and ` -|` after,
/// counting only one end because positions are bar ends, not widths.
const BAR_EXTRA: usize = 5;

/// Draws the timeline as text: one lane per thread, each call a bar from
/// call to return (`|-- inc() --|`), a pending call running off to the
/// right (`|-- inc() -> ? -->`), the impossible call underlined with `^`,
/// and the caption underneath, wrapped to `width`.
///
/// When labels do not fit in `width`, bars carry numbers instead and a
/// legend below lists each number's call.
pub fn render_text(timeline: &Timeline, width: usize) -> String {
    let gutter = timeline
        .lanes
        .iter()
        .map(|lane| format!("thread {}", lane.thread).len())
        .max()
        .unwrap_or(0)
        + 2;
    let full = |op: &TimelineOp| op.label.clone();
    let mut out = match draw(timeline, gutter, &full) {
        Some(text) if text.lines().all(|line| line.chars().count() <= width) => text,
        _ => {
            // Number the calls in the order they started, so the legend
            // reads like the story of the history.
            let mut all: Vec<(&TimelineOp, usize)> = timeline
                .lanes
                .iter()
                .flat_map(|lane| lane.ops.iter().map(move |op| (op, lane.thread)))
                .collect();
            all.sort_by_key(|(op, _)| op.start);
            let number = |op: &TimelineOp| {
                all.iter()
                    .position(|(other, _)| other.index == op.index)
                    .map_or_else(String::new, |n| (n + 1).to_string())
            };
            let mut text = draw(timeline, gutter, &number).unwrap_or_default();
            for (n, (op, thread)) in all.iter().enumerate() {
                let mark = if op.impossible { "  <- impossible" } else { "" };
                text.push_str(&format!("{}: thread {thread} {}{mark}\n", n + 1, op.label));
            }
            text
        }
    };
    if let Some(caption) = &timeline.caption {
        for line in wrap(caption, width) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Draws lanes (and the `^` marker line) with the given bar labels; `None`
/// if there is nothing to draw.
fn draw(
    timeline: &Timeline,
    gutter: usize,
    label: &dyn Fn(&TimelineOp) -> String,
) -> Option<String> {
    if timeline.lanes.is_empty() {
        return None;
    }
    // Position of every event column: far enough from the previous column
    // and from the start of any bar ending there for its label to fit.
    let mut x = vec![0usize; timeline.columns];
    let mut ends: Vec<Vec<(usize, usize)>> = vec![Vec::new(); timeline.columns];
    let mut pending: Vec<(usize, usize)> = Vec::new();
    for op in timeline.lanes.iter().flat_map(|l| &l.ops) {
        let len = label(op).chars().count();
        match op.end {
            Some(end) => ends[end].push((op.start, len)),
            None => pending.push((op.start, len)),
        }
    }
    for column in 0..timeline.columns {
        let after_previous = if column == 0 { 0 } else { x[column - 1] + GAP };
        let fits_labels = ends[column]
            .iter()
            .map(|&(start, len)| x[start] + len + BAR_EXTRA)
            .max()
            .unwrap_or(0);
        x[column] = after_previous.max(fits_labels);
    }
    let last = x.last().copied().unwrap_or(0);
    let right = pending
        .iter()
        .map(|&(start, len)| x[start] + len + BAR_EXTRA)
        .fold(last + GAP, usize::max);

    let mut text = String::new();
    for lane in &timeline.lanes {
        let mut row = vec![' '; right + 1];
        let mut marks = vec![' '; right + 1];
        for op in &lane.ops {
            let from = x[op.start];
            let (to, closing) = match op.end {
                Some(end) => (x[end], '|'),
                None => (right, '>'),
            };
            let inner = format!(" {} ", label(op));
            let inner: Vec<char> = inner.chars().collect();
            let dashes = (to - from - 1).saturating_sub(inner.len());
            let left = dashes / 2;
            row[from] = '|';
            row[to] = closing;
            for (k, c) in std::iter::repeat_n('-', left)
                .chain(inner.iter().copied())
                .chain(std::iter::repeat_n('-', dashes - left))
                .enumerate()
            {
                row[from + 1 + k] = c;
            }
            if op.impossible {
                marks[from..=to].fill('^');
            }
        }
        let head = format!("thread {}", lane.thread);
        push_line(&mut text, &format!("{head:gutter$}"), &row);
        if marks.contains(&'^') {
            push_line(&mut text, &" ".repeat(gutter), &marks);
        }
    }
    Some(text)
}

fn push_line(text: &mut String, head: &str, row: &[char]) {
    let line: String = head.chars().chain(row.iter().copied()).collect();
    text.push_str(line.trim_end());
    text.push('\n');
}

/// Greedy word wrap at `width` characters, the one the timeline's sentences
/// use; a word longer than `width` gets a line of its own. Public so that a
/// front end laying out other text beside a timeline wraps it the same way.
///
/// ```
/// assert_eq!(lincheck::timeline::wrap("a bb ccc", 4), ["a bb", "ccc"]);
/// ```
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
