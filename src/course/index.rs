//! `lessons/index.toml`: the order of the course.
//!
//! The index is a list of `[[item]]` tables, lessons and exercises
//! interleaved in the order a learner meets them:
//!
//! ```toml
//! [[item]]
//! kind = "lesson"
//! id = "one-owner"
//! title = "One thread owns the state"
//! file = "01-one-owner.md"
//! topics = ["one owner", "the accountant analogy"]
//! ```
//!
//! A lesson's `file` is relative to `lessons/`. Exercises are not listed:
//! each one's `exercise.toml` names the lesson it follows (`after`).

use super::error::{self, CourseError};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// One lesson of the course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// Stable identifier, used by the quiz and by progress files.
    pub id: String,
    /// Title shown in the course menu.
    pub title: String,
    /// Path of the Markdown file, relative to the project root
    /// (for example `lessons/01-one-owner.md`).
    pub file: PathBuf,
    /// The topics the lesson teaches, so a reader can find where a subject
    /// is covered.
    pub topics: Vec<String>,
}

/// One step of the course, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Read a lesson.
    Lesson(Lesson),
    /// Solve the exercise with this id (see [`super::ExerciseInfo`]).
    Exercise {
        /// The exercise id, for example `counter`.
        id: String,
    },
}

impl Item {
    /// The id of the lesson or exercise.
    pub fn id(&self) -> &str {
        match self {
            Item::Lesson(lesson) => &lesson.id,
            Item::Exercise { id } => id,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawKind {
    Lesson,
    Exercise,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    kind: RawKind,
    id: String,
    title: Option<String>,
    file: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
}

/// Parses the index found at `path` (whose contents are `text`). Lesson files
/// are resolved against `root` and must exist.
pub(crate) fn parse(root: &Path, path: &Path, text: &str) -> Result<Vec<Item>, CourseError> {
    let raw: RawIndex = error::parse(path, text)?;
    let mut seen = BTreeSet::new();
    let mut items = Vec::with_capacity(raw.item.len());
    for spanned in raw.item {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let bad = |message: String| error::invalid(path, text, span.clone(), message);
        if raw.id.trim().is_empty() {
            return Err(bad("an item needs a non-empty `id`".into()));
        }
        if !seen.insert(raw.id.clone()) {
            return Err(bad(format!("the id `{}` appears twice", raw.id)));
        }
        match raw.kind {
            RawKind::Exercise => {
                return Err(bad(format!(
                    "exercise `{}`: exercises are not listed here; its exercise.toml says \
                     which lesson it follows (`after`)",
                    raw.id
                )));
            }
            RawKind::Lesson => {
                let (Some(title), Some(file)) = (raw.title, raw.file) else {
                    return Err(bad(format!(
                        "lesson `{}` needs both a `title` and a `file`",
                        raw.id
                    )));
                };
                let file = Path::new("lessons").join(file);
                if !root.join(&file).is_file() {
                    return Err(bad(format!(
                        "lesson `{}`: the file {} does not exist",
                        raw.id,
                        file.display()
                    )));
                }
                items.push(Item::Lesson(Lesson {
                    id: raw.id,
                    title,
                    file,
                    topics: raw.topics,
                }));
            }
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_lesson_file_is_reported_with_its_line() {
        let text = "# the course\n\n\n\n[[item]]\nkind = \"lesson\"\nid = \"x\"\ntitle = \"X\"\nfile = \"nope.md\"\n";
        let err = parse(Path::new("/nonexistent"), Path::new("index.toml"), text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("index.toml:"), "{shown}");
        assert!(shown.contains("nope.md"), "{shown}");
        match err {
            CourseError::Invalid { line, .. } => assert!((5..=9).contains(&line), "line {line}"),
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let lesson =
            "[[item]]\nkind = \"lesson\"\nid = \"a\"\ntitle = \"A\"\nfile = \"01-one-owner.md\"\n";
        let text = format!("{lesson}{lesson}");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let err = parse(root, Path::new("index.toml"), &text).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }

    #[test]
    fn exercises_are_placed_by_their_packs_not_listed() {
        let text = "[[item]]\nkind = \"exercise\"\nid = \"counter\"\n";
        let err = parse(Path::new("."), Path::new("index.toml"), text).unwrap_err();
        assert!(err.to_string().contains("`after`"), "{err}");
    }

    #[test]
    fn unknown_kinds_are_parse_errors() {
        let text = "[[item]]\nkind = \"video\"\nid = \"a\"\n";
        let err = parse(Path::new("."), Path::new("index.toml"), text).unwrap_err();
        assert!(matches!(err, CourseError::Parse { line: 2, .. }), "{err:?}");
    }
}
