//! Classroom grading: many submissions of one exercise, each checked
//! exactly like `threadlings check` but in isolation, scored by per-check
//! weights and written in a format a grading platform reads.
//!
//! No terminal code lives here: progress is reported through a callback,
//! and the formats return strings.

pub mod batch;
pub mod budget;
pub mod discover;
pub mod format;
pub mod merge;
pub mod score;
mod stage;

pub use batch::{Event, GradeOptions, Graded, NotGraded, grade};
pub use discover::{Submission, discover, partition};
pub use format::Format;
pub use score::Weights;

/// Failures of the grading run itself (not of a student's code).
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// The submissions directory cannot be read or holds nothing to grade.
    #[error("{0}")]
    Submissions(String),
    /// The weights file is unreadable or invalid.
    #[error("{0}")]
    Weights(String),
    /// The chosen format cannot represent this batch.
    #[error("{0}")]
    Format(String),
    /// A partial report given to `grade merge` is unreadable or does not
    /// fit the others.
    #[error("{0}")]
    Merge(String),
}
