//! The `graceful-shutdown` exercise: a worker thread owns every order;
//! `shutdown()` must apply everything it accepted, even while clients keep
//! calling.

#[path = "judge/accounting.rs"]
mod accounting;
#[path = "judge/checks.rs"]
mod checks;
#[path = "judge/records.rs"]
mod records;
#[path = "judge/shutdown.rs"]
mod shutdown;

#[path = "judge/model.rs"]
pub mod model;

use std::time::Duration;
use threadlings_judge::{self as judge, Runs};
use threadlings_judge::{CheckId, CheckResult};

/// The exercise's own check: the shutdown rules.
pub const SHUTDOWN: CheckId = CheckId::from_static("shutdown");

/// Search budget for one trial's history.
pub(super) const BUDGET: Duration = Duration::from_secs(2);
/// Search budget for all of a run's histories together, so that a run of
/// tangled histories cannot keep the learner waiting for minutes.
pub(super) const TOTAL_BUDGET: Duration = Duration::from_secs(10);

/// One result per declared check after `compile`, in exercise.toml's order.
pub fn judge(runs: &Runs) -> Vec<CheckResult> {
    let [single, idle, load] = match runs.phases(["single", "idle", "load"]) {
        Ok(found) => found,
        Err(missing) => return runs.none_checked(&missing),
    };
    let all = runs.all();
    vec![
        judge::owner_thread(
            single,
            |op| op.output.as_deref() != Some("stopped"),
            records::label,
        ),
        checks::correctness(single),
        checks::linearizable(load),
        judge::messages::lost_messages(
            checks::lost_messages(single, load),
            &[single, load],
            |op| op.input != "shutdown" && op.output.as_deref() != Some("stopped"),
            records::label,
        ),
        judge::leaked_workers(all),
        judge::hang(all),
        judge::busy_loop(idle),
        judge::panic(all),
        shutdown::shutdown(all),
    ]
}
