//! What the tutor says about each exercise, from its pack's
//! `exercise.toml` (see [`crate::pack`]).

use crate::engine::exercise::Exercise;
use std::path::PathBuf;

/// Everything the tutor shows about one exercise besides its source file.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl ExerciseInfo {
    /// The tutor's view of `exercise`.
    pub fn of(exercise: &Exercise) -> ExerciseInfo {
        ExerciseInfo {
            id: exercise.id.to_string(),
            file: PathBuf::from(exercise.file),
            title: exercise.title.to_string(),
            task: exercise.text.task.clone(),
            hints: exercise.text.hints.clone(),
            discussion: exercise.text.discussion.clone(),
        }
    }
}
