//! The judge of the `worker-pool` exercise: it runs in the tutor, never in
//! the learner's process, and turns the driver's records into verdicts.
//!
//! The model of the pool's semantics is in [`model`]; the records it reads
//! in [`records`]. Timing never decides a verdict on its own: which jobs ran
//! at once, which waited and when a call returned are all read from ticks
//! of the harness's global clock, which every thread takes in one order.
//! Nothing here searches, so no CPU budget is needed: every check is a sort
//! and a sweep over a few thousand ticks.

use threadlings_judge::{self as shared, PhaseRun, Runs, count_of};
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
        None => {
            CheckResult::not_checked(CheckId::BUSY_LOOP, "not checked: the idle run is missing")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_judge::{Ending, Status};

    fn fact(name: &str, fields: &[&str]) -> Record {
        Record::Fact {
            name: name.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        }
    }

    fn op(call: u64, ret: u64, input: &str, output: &str) -> Record {
        Record::Op(OpRecord {
            trial: 0,
            thread: 0,
            call,
            ret: Some(ret),
            input: input.into(),
            output: Some(output.into()),
        })
    }

    fn run(phase: &str, mut records: Vec<Record>) -> PhaseRun {
        records.push(Record::Done);
        PhaseRun {
            phase: phase.into(),
            records,
            ending: Ending::Exited(0),
            stderr_tail: String::new(),
        }
    }

    fn check(results: &[CheckResult], id: &str) -> CheckResult {
        results
            .iter()
            .find(|c| c.id.as_str() == id)
            .unwrap()
            .clone()
    }

    /// The gate run of a pool of 1 with a queue of 1: a held job runs, one
    /// job fills the queue, and the next try_submit returns only after the
    /// tutor opened the gate at tick 20.
    fn gate_run(second_try_ret: u64, output: &str) -> PhaseRun {
        let mut records = vec![
            fact("pool", &["0", "1", "1", "gate"]),
            op(1, 2, "submit 0", "ticket"),
            op(4, 5, "try_submit 1", "ticket"),
            op(6, second_try_ret, "try_submit 2", output),
            fact("gate", &["0", "20"]),
            fact("job", &["0", "0", "3", "21", "ret:7"]),
            fact("job", &["0", "1", "22", "23", "ret:8"]),
        ];
        if output == "ticket" {
            records.push(fact("job", &["0", "2", "24", "25", "ret:9"]));
        }
        records.push(op(26, 27, "shutdown", "3 0"));
        run("single", records)
    }

    fn judged(single: PhaseRun) -> Vec<CheckResult> {
        let runs = Runs::new(
            vec![single, run("idle", Vec::new()), run("load", Vec::new())],
            Vec::new(),
        );
        judge(&runs)
    }

    #[test]
    fn a_try_submit_that_waited_for_the_gate_blocked() {
        let blocked = check(&judged(gate_run(21, "ticket")), "backpressure");
        assert_eq!(blocked.status, Status::Failed, "{}", blocked.message);
        assert!(
            blocked.message.contains("must never block"),
            "{}",
            blocked.message
        );
        let prompt = check(&judged(gate_run(7, "full")), "backpressure");
        assert_eq!(prompt.status, Status::Passed, "{}", prompt.message);
    }

    #[test]
    fn a_jobs_own_panic_is_neither_a_failure_nor_a_run_cut_short() {
        let mut single = gate_run(7, "full");
        let at = single.records.len() - 1;
        single.records.insert(
            at,
            Record::Panic {
                thread: "pool-worker-0".into(),
                location: "driver.rs:1:1".into(),
                message: JOB_PANIC.into(),
            },
        );
        let results = judged(single.clone());
        assert_eq!(check(&results, "panic").status, Status::Passed);
        assert_eq!(check(&results, "backpressure").status, Status::Passed);
        single.records.insert(
            at,
            Record::Panic {
                thread: "main".into(),
                location: "solution.rs:9:9".into(),
                message: "called `Option::unwrap()` on a `None` value".into(),
            },
        );
        assert_eq!(check(&judged(single), "panic").status, Status::Failed);
    }
}
