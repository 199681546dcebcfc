//! The exercises the tutor can check: where each one's file lives, its
//! pristine starter and reference solution, the program that drives it and
//! how its results are judged.

mod counter;
mod graceful_shutdown;
mod ledger;
mod scatter_gather; // PACK-SHIM
#[cfg(test)]
mod tests;

use crate::engine::judge::PhaseRun;
use crate::engine::report::{CheckId, CheckResult};
use std::path::Path;

/// One exercise.
pub struct Exercise {
    /// The id used on the command line (`counter`).
    pub id: &'static str,
    /// The file the learner edits, relative to the project root.
    pub file: &'static str,
    /// The starter file as shipped (for resetting an exercise).
    pub starter: &'static str,
    /// The reference solution (shown after the exercise is passed).
    pub reference: &'static str,
    /// The checks this exercise reports, in report order.
    pub checks: &'static [CheckId],
    /// The harness phases to run, one process each.
    pub phases: &'static [&'static str],
    /// The generated program that joins a solution file to the harness.
    pub(crate) glue: fn(solution: &Path) -> String,
    /// Judges the phases' observations into one result per check.
    pub(crate) judge: fn(runs: &[PhaseRun]) -> Vec<CheckResult>,
}

impl std::fmt::Debug for Exercise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exercise").field("id", &self.id).finish()
    }
}

static ALL: &[Exercise] = &[
    counter::EXERCISE,
    ledger::EXERCISE,
    scatter_gather::EXERCISE, // PACK-SHIM
    graceful_shutdown::EXERCISE,
];

/// Every exercise, in course order.
pub fn all() -> &'static [Exercise] {
    ALL
}

/// The exercise with this id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    ALL.iter().find(|e| e.id == id)
}

/// The ids of every exercise, for messages.
pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|e| e.id).collect()
}

/// A path as a Rust string literal, for `#[path = ...]` in generated glue.
pub(crate) fn path_literal(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}
