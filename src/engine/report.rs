//! Verdicts as data: check ids, per-check results and the whole report,
//! with its JSON form. Front ends draw reports themselves (the CLI's text,
//! the TUI's panels): nothing here knows about terminals.

mod accounting;

pub use accounting::{Accounting, Fate, Message, Tally};

use crate::linearizability::{Timeline, render_text};
use serde::Serialize;

/// The checks, by the ids teachers' scripts rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The file compiles against the exercise's API.
    Compile,
    /// `start()` spawned a worker thread that owns the state.
    OwnerThread,
    /// Single-threaded results match the contract.
    Correctness,
    /// Concurrent results are explained by some real-time-respecting order.
    Linearizable,
    /// Every command sent is applied exactly once.
    LostMessages,
    /// No thread of the solution outlives `shutdown()`.
    LeakedWorkers,
    /// No call blocks past the progress deadline.
    Hang,
    /// The idle worker does not burn CPU.
    BusyLoop,
    /// Nothing panicked, on any thread.
    Panic,
    /// Shutdown rules of the graceful-shutdown exercise.
    Shutdown,
}

impl CheckId {
    /// The id as written in reports (`lost-messages`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Compile => "compile",
            CheckId::OwnerThread => "owner-thread",
            CheckId::Correctness => "correctness",
            CheckId::Linearizable => "linearizable",
            CheckId::LostMessages => "lost-messages",
            CheckId::LeakedWorkers => "leaked-workers",
            CheckId::Hang => "hang",
            CheckId::BusyLoop => "busy-loop",
            CheckId::Panic => "panic",
            CheckId::Shutdown => "shutdown",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Checked, and it holds.
    Passed,
    /// Checked, and it does not hold.
    Failed,
    /// Could not be decided (the run died or hung first, or a search ran
    /// out of time). Never counts as passed.
    NotChecked,
}

/// Width of every history drawn as text in a report: one width, so that
/// reports of every exercise read alike.
pub const TIMELINE_WIDTH: usize = 78;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// Which check.
    pub id: CheckId,
    /// `true` only for [`Status::Passed`].
    pub passed: bool,
    /// Passed, failed, or not checked.
    pub status: Status,
    /// One or two sentences for the learner.
    pub message: String,
    /// A longer explanation: compiler output, or a drawn history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The drawn history of a failing check, as data, so that front ends
    /// can draw it themselves instead of parsing `detail` back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// What was sent and what was applied, for a failing `lost-messages`
    /// check, as data (its text form is the detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounting: Option<Accounting>,
}

impl CheckResult {
    /// A passing check.
    pub fn pass(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::Passed, message)
    }
    /// A failing check.
    pub fn fail(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::Failed, message)
    }
    /// A check that could not be decided.
    pub fn not_checked(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::NotChecked, message)
    }
    fn new(id: CheckId, status: Status, message: impl Into<String>) -> CheckResult {
        CheckResult {
            id,
            passed: status == Status::Passed,
            status,
            message: message.into(),
            detail: None,
            timeline: None,
            accounting: None,
        }
    }
    /// Adds a longer explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> CheckResult {
        self.detail = Some(detail.into());
        self
    }
    /// Attaches a drawn history: the data for front ends that draw it, and
    /// its text form (at [`TIMELINE_WIDTH`]) as the detail for plain
    /// terminals and JSON readers.
    pub fn with_timeline(mut self, timeline: Timeline) -> CheckResult {
        self.detail = Some(render_text(&timeline, TIMELINE_WIDTH));
        self.timeline = Some(timeline);
        self
    }

    /// Attaches the accounting of what was sent and applied: the data for
    /// front ends, and its text form (at [`TIMELINE_WIDTH`]) as the detail.
    pub fn with_accounting(mut self, accounting: Accounting) -> CheckResult {
        self.detail = Some(accounting.to_text(TIMELINE_WIDTH));
        self.accounting = Some(accounting);
        self
    }
}

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
