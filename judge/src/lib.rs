//! The contract between threadlings and its exercises.
//!
//! An exercise's judge turns what the harness observed of a learner's
//! program ([`Runs`], one [`PhaseRun`] per phase) into one [`CheckResult`]
//! per check it declares. This crate holds everything a judge needs and
//! nothing of the tool around it (no terminal, sandbox or engine runtime):
//! the records the harness sends ([`protocol`]), check ids and results
//! ([`report`]), the judgements every exercise shares ([`panic`], [`hang`],
//! [`leaked_workers`], [`busy_loop`], [`owner_thread`], ...), the
//! linearizability helpers ([`history`]) and CPU-time budgets
//! ([`cpu_budget`]).
//!
//! The judge always runs in the trusted parent process, never in the
//! learner's program, so its verdicts cannot be forged from there.

pub mod accounting;
pub mod checks;
pub mod cpu_budget;
pub mod history;
pub mod idle;
pub mod messages;
pub mod protocol;
pub mod report;
pub mod run;
#[cfg(test)]
mod tests;

pub use accounting::{Accounting, Fate, Message, Tally};
pub use checks::{
    after_calls, count_of, final_tallies, hang, leaked_workers, not_checked, owner_thread, panic,
};
pub use cpu_budget::CpuBudget;
pub use idle::{
    IdleReading, IdleWindow, busy_loop, idle_windows, ms_us, quiet_windows, too_loaded,
};
pub use lincheck;
pub use protocol::{AwakeThread, Doing, MsgRecord, OpRecord, Receiver, Record};
pub use report::{
    BadCheckId, CheckId, CheckResult, MessageFinding, MessageOutcome, Status, TIMELINE_WIDTH,
};
pub use run::{Ending, MissingPhase, PhaseRun, Runs, signal_name};

/// What every judge is: the runs of one check in, one result per declared
/// check (after `compile`) out, in the declared order.
pub type JudgeFn = fn(&Runs) -> Vec<CheckResult>;
