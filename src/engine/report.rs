//! Verdicts as data: check ids, per-check results and the whole report,
//! with its JSON form. Front ends draw reports themselves (the CLI's text,
//! the TUI's panels): nothing here knows about terminals.

pub use threadlings_judge::{
    Accounting, BadCheckId, CheckId, CheckResult, Fate, Message, Status, TIMELINE_WIDTH, Tally,
};

use serde::Serialize;

/// Where the time went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Preparing the prebuilt harness (zero when cached).
    pub prepare_ms: u64,
    /// Compiling the learner's file.
    pub compile_ms: u64,
    /// Running the checks.
    pub run_ms: u64,
}

/// The verdict on one file for one exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The exercise id.
    pub exercise: String,
    /// The file that was checked.
    pub file: String,
    /// All checks passed.
    pub passed: bool,
    /// The workload seed; `--seed` replays the same workload.
    pub seed: u64,
    /// Every check, in a fixed order.
    pub checks: Vec<CheckResult>,
    /// Where the time went.
    pub timings: Timings,
    /// The sandbox protections that were active, for isolated checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protections: Option<crate::sandbox::Protections>,
}

impl Report {
    /// Builds a report; `passed` follows from the checks.
    pub fn new(exercise: &str, file: &str, seed: u64, checks: Vec<CheckResult>) -> Report {
        Report {
            exercise: exercise.to_string(),
            file: file.to_string(),
            passed: !checks.is_empty() && checks.iter().all(|c| c.passed),
            seed,
            checks,
            timings: Timings::default(),
            protections: None,
        }
    }

    /// The result of one check, if the exercise has it.
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}
