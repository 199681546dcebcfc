//! Lesson Markdown to styled, wrapped terminal lines.
//!
//! Parsing is `pulldown-cmark`; layout is ours: paragraphs wrap to the
//! width with list and quote prefixes repeated on every line, tables are
//! laid out in columns, and fenced Rust code is highlighted by
//! [`super::highlight`] and never wrapped.

use super::highlight;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// Display width of `text` in terminal cells.
pub(crate) fn width_of(text: &str) -> usize {
    Span::raw(text).width()
}

/// A table cell: styled pieces of text.
type Cell = Vec<(String, Style)>;

enum Container {
    Quote,
    List { next: Option<u64> },
    Item { marker: String, first: bool },
}

struct Renderer {
    width: usize,
    lines: Vec<Line<'static>>,
    containers: Vec<Container>,
    styles: Vec<Style>,
    inline: Vec<(String, Style)>,
    need_gap: bool,
    code: Option<(String, bool)>,
    table: Option<Vec<Vec<Cell>>>,
    heading: Option<HeadingLevel>,
}

/// Renders `markdown` into lines at most `width` cells wide (code blocks
/// and very narrow tables excepted).
pub fn render(markdown: &str, width: u16) -> Vec<Line<'static>> {
    let mut r = Renderer {
        width: usize::from(width.max(20)),
        lines: Vec::new(),
        containers: Vec::new(),
        styles: vec![Style::new()],
        inline: Vec::new(),
        need_gap: false,
        code: None,
        table: None,
        heading: None,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.width() == 0) {
        r.lines.pop();
    }
    r.lines
}

impl Renderer {
    fn style(&self) -> Style {
        *self.styles.last().expect("base style")
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let style = f(self.style());
        self.styles.push(style);
    }

    fn text(&mut self, text: &str, style: Style) {
        if let Some((code, _)) = &mut self.code {
            code.push_str(text);
        } else if let Some(rows) = &mut self.table {
            if let Some(cell) = rows.last_mut().and_then(|row| row.last_mut()) {
                cell.push((text.to_string(), style));
            }
        } else {
            self.inline.push((text.to_string(), style));
        }
    }

    /// Prefixes for the first and the following lines of a block.
    fn prefixes(&mut self) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
        let quote = Style::new().fg(Color::DarkGray);
        let mut first = Vec::new();
        let mut rest = Vec::new();
        for c in &mut self.containers {
            match c {
                Container::Quote => {
                    first.push(Span::styled("▌ ", quote));
                    rest.push(Span::styled("▌ ", quote));
                }
                Container::List { .. } => {}
                Container::Item {
                    marker,
                    first: is_first,
                } => {
                    let pad = " ".repeat(width_of(marker));
                    if *is_first {
                        first.push(Span::styled(marker.clone(), Style::new().fg(Color::Cyan)));
                        *is_first = false;
                    } else {
                        first.push(Span::raw(pad.clone()));
                    }
                    rest.push(Span::raw(pad));
                }
            }
        }
        (first, rest)
    }

    fn gap(&mut self) {
        if self.need_gap && !self.lines.is_empty() {
            let (_, rest) = self.prefixes();
            let quotes: Vec<Span<'static>> = rest
                .into_iter()
                .filter(|s| s.content.starts_with('▌'))
                .collect();
            self.lines.push(Line::from(quotes));
        }
        self.need_gap = false;
    }

    /// Wraps the pending inline text into lines.
    fn flush(&mut self) {
        if self.inline.iter().all(|(t, _)| t.trim().is_empty()) {
            self.inline.clear();
            return;
        }
        self.gap();
        let (first, rest) = self.prefixes();
        let segments = std::mem::take(&mut self.inline);
        let wrapped = wrap(&segments, self.width, first, rest);
        self.lines.extend(wrapped);
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, self.style()),
            Event::Code(code) => {
                let style = self.style().fg(Color::LightYellow).bg(Color::Black);
                self.text(&code, style);
            }
            Event::SoftBreak => self.text(" ", self.style()),
            Event::HardBreak => {
                self.flush();
            }
            Event::Rule => {
                self.flush();
                self.gap();
                let rule = "─".repeat(self.width.min(60));
                self.lines
                    .push(Line::styled(rule, Style::new().fg(Color::DarkGray)));
                self.need_gap = true;
            }
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html, self.style()),
            Event::TaskListMarker(done) => {
                self.text(if done { "[x] " } else { "[ ] " }, self.style())
            }
            Event::FootnoteReference(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.flush(),
            Tag::Heading { level, .. } => {
                self.flush();
                self.need_gap = !self.lines.is_empty();
                self.heading = Some(level);
                let style = match level {
                    HeadingLevel::H1 => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                    HeadingLevel::H2 => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                    _ => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                };
                self.styles.push(style);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.gap();
                self.containers.push(Container::Quote);
                self.push_style(|s| s.add_modifier(Modifier::ITALIC));
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                let rust = match kind {
                    CodeBlockKind::Fenced(lang) => {
                        let lang = lang.split(',').next().unwrap_or("").trim().to_string();
                        lang.is_empty() || lang == "rust" || lang == "rs"
                    }
                    CodeBlockKind::Indented => true,
                };
                self.code = Some((String::new(), rust));
            }
            Tag::List(start) => {
                self.flush();
                if !self
                    .containers
                    .iter()
                    .any(|c| matches!(c, Container::Item { .. }))
                {
                    self.gap();
                }
                self.containers.push(Container::List { next: start });
            }
            Tag::Item => {
                self.flush();
                let marker = match self.containers.last_mut() {
                    Some(Container::List { next: Some(n) }) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.containers.push(Container::Item {
                    marker,
                    first: true,
                });
            }
            Tag::Table(_) => {
                self.flush();
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(row) = self.table.as_mut().and_then(|rows| rows.last_mut()) {
                    row.push(Vec::new());
                }
            }
            Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { .. } => {
                self.push_style(|s| s.fg(Color::Blue).add_modifier(Modifier::UNDERLINED))
            }
            _ => self.push_style(|s| s),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                self.need_gap = true;
            }
            TagEnd::Heading(level) => {
                self.styles.pop();
                let text: String = self.inline.iter().map(|(t, _)| t.as_str()).collect();
                self.flush();
                if level == HeadingLevel::H1 {
                    let rule = "═".repeat(width_of(&text).min(self.width));
                    self.lines
                        .push(Line::styled(rule, Style::new().fg(Color::Cyan)));
                }
                self.heading = None;
                self.need_gap = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.containers.pop();
                self.styles.pop();
                self.need_gap = true;
            }
            TagEnd::CodeBlock => {
                let (code, rust) = self.code.take().unwrap_or_default();
                self.gap();
                let (_, rest) = self.prefixes();
                let body = if rust {
                    highlight::rust(&code)
                } else {
                    code.lines()
                        .map(|l| Line::styled(l.to_string(), Style::new().fg(Color::Gray)))
                        .collect()
                };
                let bar = Span::styled("│ ", Style::new().fg(Color::DarkGray));
                let more = Span::styled("┆ ", Style::new().fg(Color::DarkGray));
                let indent: usize = rest.iter().map(Span::width).sum::<usize>() + 2;
                let avail = self.width.saturating_sub(indent).max(20);
                for line in body {
                    // Long lines continue on the next row behind a dotted bar.
                    for (n, piece) in split_line(line, avail).into_iter().enumerate() {
                        let mut spans = rest.clone();
                        spans.push(if n == 0 { bar.clone() } else { more.clone() });
                        spans.extend(piece.spans);
                        self.lines.push(Line::from(spans));
                    }
                }
                self.need_gap = true;
            }
            TagEnd::List(_) => {
                self.flush();
                self.containers.pop();
                self.need_gap = true;
            }
            TagEnd::Item => {
                self.flush();
                self.containers.pop();
                self.need_gap = false;
            }
            TagEnd::Table => {
                let rows = self.table.take().unwrap_or_default();
                self.gap();
                let (_, rest) = self.prefixes();
                let indent: usize = rest.iter().map(Span::width).sum();
                for line in table(&rows, self.width.saturating_sub(indent)) {
                    let mut spans = rest.clone();
                    spans.extend(line.spans);
                    self.lines.push(Line::from(spans));
                }
                self.need_gap = true;
            }
            TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell => {}
            _ => {
                self.styles.pop();
            }
        }
    }
}

/// Cuts a line into rows at most `width` cells wide, keeping styles.
fn split_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width {
        return vec![line];
    }
    let mut rows = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut chunk = String::new();
        for ch in span.content.chars() {
            let cw = width_of(ch.encode_utf8(&mut [0; 4]));
            if used + cw > width {
                current.push(Span::styled(std::mem::take(&mut chunk), span.style));
                rows.push(Line::from(std::mem::take(&mut current)));
                used = 0;
            }
            chunk.push(ch);
            used += cw;
        }
        if !chunk.is_empty() {
            current.push(Span::styled(chunk, span.style));
        }
    }
    if !current.is_empty() {
        rows.push(Line::from(current));
    }
    rows
}

/// Greedy word wrap of styled segments, with prefixes for the first and
/// the following lines.
pub(crate) fn wrap(
    segments: &[(String, Style)],
    width: usize,
    first: Vec<Span<'static>>,
    rest: Vec<Span<'static>>,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let prefix_width = |p: &[Span<'static>]| p.iter().map(Span::width).sum::<usize>();
    let mut current: Vec<Span<'static>> = first.clone();
    let mut avail = width.saturating_sub(prefix_width(&first)).max(4);
    let mut used = 0usize;
    let mut pending_space = false;
    // Words are runs of non-space text, possibly in several styles
    // (`Command`s is one word), each with whether a space came before.
    let mut words: Vec<(Vec<(String, Style)>, bool)> = Vec::new();
    let mut word: Vec<(String, Style)> = Vec::new();
    let mut space = false;
    for (text, style) in segments {
        for ch in text.chars() {
            if ch.is_whitespace() {
                if !word.is_empty() {
                    words.push((std::mem::take(&mut word), space));
                }
                space = true;
            } else {
                match word.last_mut() {
                    Some((piece, s)) if s == style => piece.push(ch),
                    _ => word.push((ch.to_string(), *style)),
                }
            }
        }
    }
    if !word.is_empty() {
        words.push((word, space));
    }
    for (pieces, space_before) in words {
        if space_before && used > 0 {
            pending_space = true;
        }
        let w: usize = pieces.iter().map(|(t, _)| width_of(t)).sum();
        let sp = usize::from(pending_space);
        if used > 0 && used + sp + w > avail {
            lines.push(Line::from(std::mem::replace(&mut current, rest.clone())));
            avail = width.saturating_sub(prefix_width(&rest)).max(4);
            used = 0;
            pending_space = false;
        }
        if pending_space {
            current.push(Span::raw(" "));
            used += 1;
            pending_space = false;
        }
        for (piece, style) in pieces {
            // Split only a word longer than a whole line.
            let mut chunk = String::new();
            for ch in piece.chars() {
                let cw = width_of(ch.encode_utf8(&mut [0; 4]));
                if used + cw > avail && used > 0 {
                    current.push(Span::styled(std::mem::take(&mut chunk), style));
                    lines.push(Line::from(std::mem::replace(&mut current, rest.clone())));
                    avail = width.saturating_sub(prefix_width(&rest)).max(4);
                    used = 0;
                }
                chunk.push(ch);
                used += cw;
            }
            if !chunk.is_empty() {
                current.push(Span::styled(chunk, style));
            }
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(Line::from(current));
    }
    lines
}

/// Lays out a table: header bold, columns separated by `│`, cells cut
/// with `…` when the table is wider than `width`.
fn table(rows: &[Vec<Cell>], width: usize) -> Vec<Line<'static>> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    if columns == 0 {
        return Vec::new();
    }
    let cell_text = |cell: &Vec<(String, Style)>| -> String {
        cell.iter().map(|(t, _)| t.as_str()).collect::<String>()
    };
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width_of(&cell_text(cell)));
        }
    }
    let seps = 3 * (columns - 1);
    while widths.iter().sum::<usize>() + seps > width {
        let (i, w) = widths
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|&(_, w)| w)
            .expect("columns");
        if w <= 6 {
            break;
        }
        widths[i] = w - 1;
    }
    let border = Style::new().fg(Color::DarkGray);
    // Cells wrap inside their column; a row is as tall as its tallest cell.
    let laid: Vec<Vec<Vec<Line<'static>>>> = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let cell: Cell = row
                        .get(i)
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(t, st)| {
                            (
                                t,
                                if r == 0 {
                                    st.add_modifier(Modifier::BOLD)
                                } else {
                                    st
                                },
                            )
                        })
                        .collect();
                    if cell.iter().all(|(t, _)| t.trim().is_empty()) {
                        vec![Line::from("")]
                    } else {
                        wrap(&cell, *w, Vec::new(), Vec::new())
                    }
                })
                .collect()
        })
        .collect();
    let tall = laid
        .iter()
        .skip(1)
        .any(|row| row.iter().any(|cell| cell.len() > 1));
    let rule = |fill: &str, joint: &str| {
        let parts: Vec<String> = widths.iter().map(|w| fill.repeat(*w)).collect();
        Line::styled(parts.join(joint), border)
    };
    let mut lines = Vec::new();
    for (r, row) in laid.iter().enumerate() {
        if r > 1 && tall {
            lines.push(rule("─", "─┼─"));
        }
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let mut spans = Vec::new();
            for (i, w) in widths.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" │ ", border));
                }
                let used = match row[i].get(k) {
                    Some(line) => {
                        spans.extend(line.spans.iter().cloned());
                        line.width()
                    }
                    None => 0,
                };
                spans.push(Span::raw(" ".repeat(w.saturating_sub(used))));
            }
            lines.push(Line::from(spans));
        }
        if r == 0 {
            lines.push(rule("═", "═╪═"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> String {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn renders_blocks_and_wraps_with_prefixes() {
        let md = "# Title\n\nSome *text* with `code` and a long sentence that must wrap somewhere.\n\n> quoted words that also wrap around the edge of the screen\n\n- one\n- two\n  1. nested\n\n| a | bb |\n|---|----|\n| 1 | 2 |\n\n```rust\nlet x = 1;\nlet long = some_function(with, quite, a, few, arguments);\n```\n";
        let out = plain(&render(md, 30));
        insta::assert_snapshot!(out);
    }
}
