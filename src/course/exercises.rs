//! `exercises/info.toml`: what the tutor says about each exercise.

use super::error::{self, CourseError};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Everything the tutor shows about one exercise besides its source file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseInfo {
    /// Stable identifier, for example `counter`.
    pub id: String,
    /// The learner's file, relative to the project root.
    pub file: PathBuf,
    /// Title shown in the course menu.
    pub title: String,
    /// A short paragraph saying what to build.
    pub task: String,
    /// Two or three hints, from gentle to nearly the answer.
    pub hints: Vec<String>,
    /// Shown once the exercise passes: why the reference design is right and
    /// which wrong answers are common.
    pub discussion: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInfo {
    exercise: Vec<Spanned<ExerciseInfo>>,
}

/// Parses the exercise metadata found at `path` (whose contents are `text`).
pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<ExerciseInfo>, CourseError> {
    let raw: RawInfo = error::parse(path, text)?;
    let mut seen = BTreeSet::new();
    let mut infos = Vec::with_capacity(raw.exercise.len());
    for spanned in raw.exercise {
        let span = spanned.span();
        let info = spanned.into_inner();
        let bad = |message: String| error::invalid(path, text, span.clone(), message);
        if !seen.insert(info.id.clone()) {
            return Err(bad(format!("the exercise `{}` appears twice", info.id)));
        }
        if !(2..=3).contains(&info.hints.len()) {
            return Err(bad(format!(
                "exercise `{}` has {} hints; give two or three",
                info.id,
                info.hints.len()
            )));
        }
        if info.hints.iter().any(|hint| hint.trim().is_empty()) {
            return Err(bad(format!("exercise `{}` has an empty hint", info.id)));
        }
        if info.task.trim().is_empty() || info.discussion.trim().is_empty() {
            return Err(bad(format!(
                "exercise `{}` needs a `task` and a `discussion`",
                info.id
            )));
        }
        infos.push(info);
    }
    Ok(infos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hint_is_not_enough() {
        let text = "[[exercise]]\nid = \"a\"\nfile = \"exercises/a.rs\"\ntitle = \"A\"\ntask = \"t\"\nhints = [\"h\"]\ndiscussion = \"d\"\n";
        let err = parse(Path::new("info.toml"), text).unwrap_err();
        assert!(err.to_string().starts_with("info.toml:1:"), "{err}");
        assert!(err.to_string().contains("1 hints"), "{err}");
    }
}
