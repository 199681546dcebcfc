//! What the engine hands a judge: one [`PhaseRun`] per phase, looked up
//! by name in [`Runs`].

use crate::protocol::{OpRecord, Record};
use crate::report::{CheckId, CheckResult};
use serde::{Deserialize, Serialize};

/// How a supervised child ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ending {
    /// It exited by itself with this status code.
    Exited(i32),
    /// It was killed by this signal, not by us.
    Signalled(i32),
    /// It ran past its wall-clock limit without using CPU and was killed.
    TimedOut,
    /// It was still using CPU at its longest limit and was killed: too
    /// slow, or kept waiting by a loaded machine; which, cannot be told.
    StillWorking,
    /// It printed more than its cap and was killed.
    OutputFlood,
    /// The run was cancelled and the child killed.
    Cancelled,
    /// It had more threads than the engine allows and was killed.
    TooManyThreads(usize),
}

/// What one phase (one child process) of a check run produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseRun {
    /// The phase's name, as the harness knows it.
    pub phase: String,
    /// Authentic records from the report channel, in order.
    pub records: Vec<Record>,
    /// How the process ended.
    pub ending: Ending,
    /// The last lines the learner's code wrote to stderr (for context).
    pub stderr_tail: String,
}

impl PhaseRun {
    /// Whether the harness reported reaching the end of the phase.
    pub fn finished(&self) -> bool {
        self.records.iter().any(|r| matches!(r, Record::Done))
    }

    /// The recorded calls of this phase.
    pub fn ops(&self) -> impl Iterator<Item = &OpRecord> {
        self.records.iter().filter_map(|r| match r {
            Record::Op(op) => Some(op),
            _ => None,
        })
    }

    /// Why the phase did not get to its end, in the learner's terms; `None`
    /// if it did.
    pub fn cut_short(&self) -> Option<String> {
        for r in &self.records {
            match r {
                Record::Hang { thread, call, .. } => {
                    return Some(format!(
                        "the run stopped because {call} on {thread} never returned"
                    ));
                }
                Record::Panic { .. } => return Some("a panic stopped the run".into()),
                _ => {}
            }
        }
        if self.finished() {
            return None;
        }
        Some(match &self.ending {
            Ending::TimedOut => "the run did not finish in time".into(),
            Ending::StillWorking => {
                "the run was still working when its time ran out (the machine may be too loaded)"
                    .into()
            }
            Ending::OutputFlood => "the program printed too much output and was stopped".into(),
            Ending::Cancelled => "the run was cancelled".into(),
            Ending::TooManyThreads(most) => too_many_threads(*most),
            Ending::Signalled(sig) => format!("the program was killed by {}", signal_name(*sig)),
            Ending::Exited(code) => {
                format!("the program exited (status {code}) before the checks finished")
            }
        })
    }
}

/// Why a run with more than `most` threads stopped.
pub(crate) fn too_many_threads(most: usize) -> String {
    format!("your program started more than {most} threads and was stopped")
}

/// A signal's name with what it usually means for a Rust program.
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGABRT => {
            "SIGABRT (an abort: a panic while panicking, or std::process::abort)".into()
        }
        libc::SIGSEGV => "SIGSEGV (often a stack overflow from unbounded recursion)".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGFPE => "SIGFPE".into(),
        other => format!("signal {other}"),
    }
}

/// Every phase of one check run, and the checks the exercise declared.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Runs {
    runs: Vec<PhaseRun>,
    checks: Vec<CheckId>,
}

/// A phase a judge asked for that did not run: the exercise's declared
/// phases and its judge disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPhase(pub String);

impl std::fmt::Display for MissingPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the judge asked for the phase {:?}, which the exercise does not declare",
            self.0
        )
    }
}

impl std::error::Error for MissingPhase {}

impl Runs {
    /// The runs of one check, with the ids of the checks the judge is to
    /// report (the exercise's declared checks after `compile`).
    pub fn new(runs: Vec<PhaseRun>, checks: Vec<CheckId>) -> Runs {
        Runs { runs, checks }
    }

    /// The run of phase `name`.
    pub fn phase(&self, name: &str) -> Result<&PhaseRun, MissingPhase> {
        self.runs
            .iter()
            .find(|r| r.phase == name)
            .ok_or_else(|| MissingPhase(name.to_string()))
    }

    /// The runs of several phases at once, in the order asked:
    /// `let [single, load] = runs.phases(["single", "load"])?;`
    pub fn phases<const N: usize>(&self, names: [&str; N]) -> Result<[&PhaseRun; N], MissingPhase> {
        let mut found = Vec::with_capacity(N);
        for name in names {
            found.push(self.phase(name)?);
        }
        Ok(found
            .try_into()
            .unwrap_or_else(|_| unreachable!("one run per name")))
    }

    /// Every phase's run, in the declared order.
    pub fn all(&self) -> &[PhaseRun] {
        &self.runs
    }

    /// The checks the judge is to report, in order.
    pub fn checks(&self) -> &[CheckId] {
        &self.checks
    }

    /// What a judge reports when a phase it needs is missing: every
    /// declared check, not checked, saying why.
    pub fn none_checked(&self, missing: &MissingPhase) -> Vec<CheckResult> {
        self.checks
            .iter()
            .map(|&id| CheckResult::not_checked(id, format!("not checked: {missing}")))
            .collect()
    }
}
