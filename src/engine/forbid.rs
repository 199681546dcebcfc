//! Paths an exercise does not allow (its `forbid` list), found in the
//! learner's file before it is compiled, so that the refusal says why
//! instead of leaving rustc to report an unresolved import.
//!
//! The scan looks at code only: comments and string and character
//! literals are skipped, so a doc comment that mentions a channel is fine.
//! A path is found by its last segment (`mpsc` for `std::sync::mpsc`), which
//! also catches `use std::sync::{mpsc, Mutex}` and `sync::mpsc::channel()`.

/// Where a forbidden path is used: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The forbidden path as the exercise lists it.
    pub path: &'static str,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1 (in characters).
    pub column: usize,
}

/// The first use of any of `forbidden` in `source`, in file order.
pub fn first_use(source: &str, forbidden: &[&'static str]) -> Option<Use> {
    let code = blank_non_code(source);
    let mut found: Option<Use> = None;
    for (line_no, line) in code.lines().enumerate() {
        for (column, ident) in identifiers(line) {
            let hit = forbidden
                .iter()
                .find(|path| path.rsplit("::").next() == Some(ident));
            if let Some(path) = hit {
                found.get_or_insert(Use {
                    path,
                    line: line_no + 1,
                    column: column + 1,
                });
            }
        }
        if found.is_some() {
            break;
        }
    }
    found
}

/// The identifiers of one line with their column (in characters).
fn identifiers(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut chars = line.char_indices().enumerate().peekable();
    while let Some((col, (byte, c))) = chars.next() {
        let word = c.is_alphanumeric() || c == '_';
        match (start, word) {
            (None, true) => start = Some((col, byte)),
            (Some((scol, sbyte)), false) => {
                out.push((scol, &line[sbyte..byte]));
                start = None;
            }
            _ => {}
        }
        if chars.peek().is_none()
            && let Some((scol, sbyte)) = start.take()
        {
            out.push((scol, &line[sbyte..]));
        }
    }
    out
}

/// `source` with comments and literals replaced by spaces (newlines kept,
/// so lines and columns stay where they were).
fn blank_non_code(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n)
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, i)
        } else if c == '"' || (c == 'r' && matches!(next, Some('"' | '#'))) {
            string_end(&chars, i)
        } else if c == '\'' && char_literal(&chars, i) {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '\'' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            (j + 1).min(chars.len())
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        out.extend(chars[i..end].iter().map(|&c| blank(c)));
        i = end;
    }
    out
}

fn block_comment_end(chars: &[char], from: usize) -> usize {
    let mut depth = 0;
    let mut i = from;
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => {
                depth += 1;
                i += 2;
            }
            ('*', '/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    chars.len()
}

/// The end of a string literal starting at `from` (`"..."` or `r#"..."#`);
/// an `r` that starts no raw string ends at once, as plain code.
fn string_end(chars: &[char], from: usize) -> usize {
    if chars[from] == 'r' {
        let hashes = chars[from + 1..].iter().take_while(|&&c| c == '#').count();
        let open = from + 1 + hashes;
        if chars.get(open) != Some(&'"') || (from > 0 && is_ident(chars[from - 1])) {
            return from + 1;
        }
        let mut i = open + 1;
        while i < chars.len() {
            if chars[i] == '"'
                && chars[i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == '#')
                    .count()
                    == hashes
            {
                return (i + 1 + hashes).min(chars.len());
            }
            i += 1;
        }
        return chars.len();
    }
    let mut i = from + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// Whether the `'` at `at` opens a character literal rather than a lifetime.
fn char_literal(chars: &[char], at: usize) -> bool {
    matches!(
        (chars.get(at + 1), chars.get(at + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORBID: &[&str] = &["crossbeam_channel", "std::sync::mpsc"];

    #[test]
    fn a_use_in_code_is_found_with_its_place() {
        let src = "// mpsc is mentioned here\nuse std::sync::{Mutex, mpsc};\n";
        assert_eq!(
            first_use(src, FORBID),
            Some(Use {
                path: "std::sync::mpsc",
                line: 2,
                column: 24
            })
        );
        let src = "fn f() {\n    let (tx, rx) = crossbeam_channel::bounded::<u8>(1);\n}\n";
        assert_eq!(
            first_use(src, FORBID).map(|u| (u.path, u.line)),
            Some(("crossbeam_channel", 2))
        );
    }

    #[test]
    fn comments_strings_chars_and_lifetimes_are_not_code() {
        let src = "/* crossbeam_channel /* nested */ mpsc */\n/// uses no mpsc\n\
                   fn f<'a>(s: &'a str) -> char { let _ = \"mpsc\"; let _ = r#\"crossbeam_channel\"#; '\\'' }\n\
                   struct Mpsc;\n";
        assert_eq!(first_use(src, FORBID), None);
    }
}
