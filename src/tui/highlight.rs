//! A small Rust syntax highlighter for code blocks: keywords, strings,
//! chars, comments, numbers, types, macros and lifetimes.
//!
//! A hand-written lexer instead of `syntect`: lessons only ever show Rust,
//! and this keeps the build lean (syntect brings regex engines and a large
//! syntax/theme dump that would dominate compile time and binary size).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

fn style_keyword() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

/// Highlights `code` (Rust), one [`Line`] per source line.
pub fn rust(code: &str) -> Vec<Line<'static>> {
    let mut in_block_comment = false;
    code.lines()
        .map(|line| Line::from(line_spans(line, &mut in_block_comment)))
        .collect()
}

fn line_spans(line: &str, in_block_comment: &mut bool) -> Vec<Span<'static>> {
    let comment = Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC);
    let string = Style::new().fg(Color::Green);
    let number = Style::new().fg(Color::Cyan);
    let ty = Style::new().fg(Color::Yellow);
    let mac = Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD);
    let plain = Style::new();
    let chars: Vec<char> = line.chars().collect();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut push = |text: String, style: Style| {
        if !text.is_empty() {
            spans.push(Span::styled(text, style));
        }
    };
    let mut i = 0;
    let mut plain_run = String::new();
    macro_rules! flush {
        () => {
            push(std::mem::take(&mut plain_run), plain)
        };
    }
    while i < chars.len() {
        let c = chars[i];
        let rest = |n: usize| chars.get(i + n).copied();
        if *in_block_comment {
            let start = i;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            if i < chars.len() {
                i += 2;
                *in_block_comment = false;
            }
            push(chars[start..i].iter().collect(), comment);
            continue;
        }
        if c == '/' && rest(1) == Some('/') {
            flush!();
            push(chars[i..].iter().collect(), comment);
            break;
        }
        if c == '/' && rest(1) == Some('*') {
            flush!();
            *in_block_comment = true;
            let start = i;
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            if i < chars.len() {
                i += 2;
                *in_block_comment = false;
            }
            push(chars[start..i].iter().collect(), comment);
            continue;
        }
        if c == '"' {
            flush!();
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            push(chars[start..i].iter().collect(), string);
            continue;
        }
        if c == '\'' {
            // A char literal ('a', '\n') or a lifetime ('a).
            let is_char = (rest(1) == Some('\\')) || (rest(2) == Some('\''));
            flush!();
            let start = i;
            if is_char {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(chars.len());
                push(chars[start..i].iter().collect(), string);
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                push(chars[start..i].iter().collect(), ty);
            }
            continue;
        }
        if c.is_ascii_digit() {
            flush!();
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                if chars[i] == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            push(chars[start..i].iter().collect(), number);
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let style = if chars.get(i) == Some(&'!') && chars.get(i + 1) != Some(&'=') {
                i += 1;
                Some(mac)
            } else if KEYWORDS.contains(&word.as_str()) {
                Some(style_keyword())
            } else if word.starts_with(|c: char| c.is_uppercase()) {
                Some(ty)
            } else {
                None
            };
            match style {
                Some(style) => {
                    flush!();
                    let text: String = chars[start..i].iter().collect();
                    push(text, style);
                }
                None => plain_run.push_str(&word),
            }
            continue;
        }
        plain_run.push(c);
        i += 1;
    }
    flush!();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(line: &Line<'_>) -> Vec<(String, Option<Color>)> {
        line.spans
            .iter()
            .map(|s| (s.content.to_string(), s.style.fg))
            .collect()
    }

    #[test]
    fn colours_the_parts_of_rust() {
        let lines =
            rust("let x: Vec<u8> = vec![1, 2]; // note\nfn f<'a>(c: char) { '\\n'; \"s\\\"\" }");
        let first = styled(&lines[0]);
        assert!(first.contains(&("let".into(), Some(Color::Magenta))));
        assert!(first.contains(&("Vec".into(), Some(Color::Yellow))));
        assert!(first.contains(&("vec!".into(), Some(Color::Blue))));
        assert!(first.contains(&("1".into(), Some(Color::Cyan))));
        assert!(first.contains(&("// note".into(), Some(Color::DarkGray))));
        let second = styled(&lines[1]);
        assert!(second.contains(&("'a".into(), Some(Color::Yellow))));
        assert!(second.contains(&("'\\n'".into(), Some(Color::Green))));
        assert!(second.contains(&("\"s\\\"\"".into(), Some(Color::Green))));
        let text: String = second.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "fn f<'a>(c: char) { '\\n'; \"s\\\"\" }");
    }

    #[test]
    fn block_comments_span_lines() {
        let lines = rust("/* a\nb */ let");
        assert_eq!(styled(&lines[1])[0], ("b */".into(), Some(Color::DarkGray)));
    }
}
