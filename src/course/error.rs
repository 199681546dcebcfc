//! Errors raised while loading the course files.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Something is wrong with one of the course files.
///
/// Every variant names the file; the ones that come from a place inside the
/// file also carry its 1-based line number, so an author can jump straight to
/// the offending entry.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// The file could not be read at all.
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or does not have the expected shape.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file being parsed.
        path: PathBuf,
        /// 1-based line of the problem (1 when the parser gave no position).
        line: usize,
        /// The parser's description of the problem.
        message: String,
    },
    /// The file parses, but an entry breaks a rule of the course (an unknown
    /// id, a missing lesson file, an answer that is not among the choices...).
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file holding the entry.
        path: PathBuf,
        /// 1-based line of the entry.
        line: usize,
        /// What rule the entry breaks.
        message: String,
    },
}

/// 1-based line number of byte offset `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads a course file, mapping failures to [`CourseError::Read`].
pub(crate) fn read(path: &Path) -> Result<String, CourseError> {
    std::fs::read_to_string(path).map_err(|source| CourseError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses `text` (the contents of `path`) as TOML into `T`.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, CourseError> {
    toml::from_str(text).map_err(|err| CourseError::Parse {
        path: path.to_path_buf(),
        line: err.span().map_or(1, |span| line_of(text, span.start)),
        message: err.message().trim().to_string(),
    })
}

/// Builds a [`CourseError::Invalid`] for the entry found at `span` of `text`.
pub(crate) fn invalid(
    path: &Path,
    text: &str,
    span: Range<usize>,
    message: impl Into<String>,
) -> CourseError {
    CourseError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, span.start),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_from_one() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn parse_errors_name_file_and_line() {
        let text = "[[item]]\nkind = \"lesson\"\nid = \n";
        let err = parse::<toml::Table>(Path::new("lessons/index.toml"), text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("lessons/index.toml:3:"), "{shown}");
    }
}
