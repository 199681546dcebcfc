//! Classroom grading: many submissions of one exercise, each checked
//! exactly like `threadlings check` but in isolation, scored by per-check
//! weights and written in a format a grading platform reads.
//!
//! No terminal code lives here: progress is reported through a callback,
//! and the formats return strings.

pub mod batch;
pub mod format;
pub mod score;

pub use batch::{Event, GradeOptions, Graded, Submission, discover, grade};
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
}
