//! The `ledger` exercise: a worker thread owns every account's balance.
//!
//! The harness records calls in a compact text form (see the harness's
//! `ledger` module); `records` parses them into the
//! [`LedgerModel`](super::model::LedgerModel)'s inputs and outputs,
//! `checks` and `linearizable` judge them.

#[path = "judge/checks.rs"]
mod checks;
#[path = "judge/linearizable.rs"]
mod linearizable;
#[path = "judge/records.rs"]
mod records;

#[path = "judge/model.rs"]
pub mod model;

use threadlings_judge::{self as judge, CheckResult, Runs};

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
            |_| true,
            |op| match records::parse_op(op) {
                Some(records::Parsed::Call(input, _)) => {
                    <model::LedgerModel as judge::lincheck::Model>::call_label(&input)
                }
                _ => op.input.clone(),
            },
        ),
        checks::correctness(single),
        linearizable::linearizable(load),
        checks::lost_messages(load),
        judge::leaked_workers(all),
        judge::hang(all),
        judge::busy_loop(idle),
        judge::panic(all),
    ]
}
