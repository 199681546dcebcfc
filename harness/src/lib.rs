//! The check harness: the tool's own, pristine code that is compiled
//! together with a learner's file and drives it under load.
//!
//! It measures and records; it never judges. Everything it observes (call
//! histories, final values, live threads, CPU time, panics, stuck calls)
//! goes to the tutor over a private report channel (see [`report`]), and
//! the tutor's engine turns those facts into verdicts. Keeping judgement
//! out of the child means a learner's code can neither see nor bend it.
//!
//! The learner's own stdout and stderr are left alone and are never read as
//! results.

pub mod calls;
pub mod cpu;
pub mod load;
pub mod messages;
pub mod perturb;
pub mod phase;
pub mod report;
pub mod threads;
pub mod watchdog;

/// How the tutor asks the harness which phase of checks to run.
pub fn phase_from_args() -> String {
    std::env::args().nth(1).unwrap_or_default()
}
