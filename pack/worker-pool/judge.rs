//! The judge of the `worker-pool` exercise: it runs in the tutor, never in
//! the learner's process, and turns the driver's records into verdicts.
//!
//! The model of the pool's semantics is in [`model`]; the records it reads
//! in [`records`]. Timing never decides a verdict on its own: which jobs ran
//! at once, which waited and when a call returned are all read from ticks
//! of the harness's global clock, which every thread takes in one order.
//! Nothing here searches, so no CPU budget is needed: every check is a sort
//! and a sweep over a few thousand ticks.

use threadlings_judge::{self as shared, count_of, PhaseRun, Runs};
use threadlings_judge::{Accounting, CheckId, CheckResult, OpRecord, Record, Tally};

#[path = "judge/checks.rs"]
mod checks;
#[path = "judge/model.rs"]
mod model;
#[path = "judge/records.rs"]
mod records;
#[path = "judge/threads.rs"]
mod threads;
#[path = "judge/timing.rs"]
mod timing;

/// Never more than `workers` jobs at once; slow jobs meet `workers` at a time.
const PARALLELISM: CheckId = CheckId::from_static("parallelism");
/// At most `queue` jobs waiting; `Full` only when full; `submit` blocks.
const BACKPRESSURE: CheckId = CheckId::from_static("backpressure");

/// The payload of a job's panic on purpose (the driver's `JOB_PANIC`).
const JOB_PANIC: &str = "threadlings: this job panics on purpose";

/// Every check but `compile`, in the report order of `exercise.toml`.
pub fn judge(runs: &Runs) -> Vec<CheckResult> {
    if let Err(missing) = runs.phases(["single", "idle", "load"]) {
        return runs.none_checked(&missing);
    }
    // The jobs' own panics are part of the workload, not a run cut short.
    let calm = threads::without_job_panics(runs.all());
    let runs = calm.as_slice();
    let trials = records::all_trials(runs);
    vec![
        threads::owner_thread(&trials, runs),
        checks::correctness(&trials, runs),
        timing::parallelism(&trials, runs),
        timing::backpressure(&trials, runs),
        checks::lost_messages(&trials, runs),
        shared::leaked_workers(runs),
        shared::hang(runs),
        idle(runs),
        threads::panic(&trials, runs),
    ]
}

fn idle(runs: &[PhaseRun]) -> CheckResult {
    match runs.iter().find(|r| r.phase == "idle") {
        Some(run) => shared::busy_loop(run),
        None => CheckResult::not_checked(CheckId::BUSY_LOOP, "not checked: the idle run is missing"),
    }
}
