//! Judges the `bounded-buffer` exercise from what its four phases observed.
//!
//! Submodules hold what is specific to a buffer: the FIFO model the
//! `linearizable` check uses, the accounting of values for
//! `lost-messages`, the `close` check, the `hang` message that names what
//! should have woken a blocked call, and the `busy-loop` wording.

#[path = "judge/busy.rs"]
mod busy;
#[path = "judge/close.rs"]
mod close;
#[path = "judge/hang.rs"]
mod hang;
#[path = "judge/lost.rs"]
mod lost;
#[path = "judge/model.rs"]
pub mod model;
#[cfg(test)]
#[path = "judge/tests.rs"]
mod tests;

use threadlings_judge::history::{Failure, Linearizable};
use threadlings_judge::lincheck::Model;
use threadlings_judge::protocol::{Doing, OpRecord, Record};
use threadlings_judge::{self as shared, PhaseRun, Runs};
use threadlings_judge::{
    Accounting, CheckId, CheckResult, CpuBudget, Fate, Message, Status, Tally,
};

use model::{Call, Fifo, Ret};
use std::time::Duration;

/// The exercise's own check, declared in exercise.toml.
const CLOSE: CheckId = CheckId::from_static("close");

/// One result per declared check after `compile`, in exercise.toml's order.
pub fn judge(runs: &Runs) -> Vec<CheckResult> {
    let [single, idle, close, load] = match runs.phases(["single", "idle", "close", "load"]) {
        Ok(found) => found,
        Err(missing) => return runs.none_checked(&missing),
    };
    let all = runs.all();
    vec![
        correctness(single),
        linearizable(load),
        lost::lost_messages(load),
        hang::hang(all),
        busy::busy_loop(idle),
        close::close(close),
        leaked_workers(single),
        shared::panic(all),
    ]
}

/// A `fact` record's fields, when its name is `name`.
fn fact<'a>(record: &'a Record, name: &str) -> Option<&'a [String]> {
    match record {
        Record::Fact { name: n, fields } if n == name => Some(fields),
        _ => None,
    }
}

/// What a trial was, from its `fact trial` record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TrialShape {
    trial: usize,
    capacity: usize,
    producers: usize,
    consumers: usize,
    kind: String,
}

impl TrialShape {
    fn from_fields(fields: &[String]) -> Option<TrialShape> {
        let num = |i: usize| fields.get(i)?.parse::<usize>().ok();
        Some(TrialShape {
            trial: num(0)?,
            capacity: num(1)?,
            producers: num(2)?,
            consumers: num(3)?,
            kind: fields.get(4)?.clone(),
        })
    }

    /// Every trial of a run, in order.
    fn all(run: &PhaseRun) -> Vec<TrialShape> {
        run.records
            .iter()
            .filter_map(|r| TrialShape::from_fields(fact(r, "trial")?))
            .collect()
    }

    fn describe(&self) -> String {
        match self.kind.as_str() {
            "single" => format!(
                "the one-thread run on a buffer of capacity {}",
                self.capacity
            ),
            "idle-pop" | "close-pop" => format!(
                "the run with {} blocked in pop() on an empty buffer",
                shared::count_of(self.consumers, "thread")
            ),
            "idle-push" | "close-push" => format!(
                "the run with {} blocked in push() on a full buffer",
                shared::count_of(self.producers, "thread")
            ),
            _ => format!(
                "trial {} (capacity {}, {}, {})",
                self.trial,
                self.capacity,
                shared::count_of(self.producers, "producer"),
                shared::count_of(self.consumers, "consumer")
            ),
        }
    }
}

/// A recorded call as written for the learner: `push(1003) -> Ok(())`.
fn label(op: &OpRecord) -> String {
    match model::parse(op) {
        Some((call, Some(ret))) => match Fifo::result_label(&ret) {
            Some(out) => format!("{} -> {out}", Fifo::call_label(&call)),
            None => Fifo::call_label(&call),
        },
        Some((call, None)) => format!("{} (never returned)", Fifo::call_label(&call)),
        None => op.input.clone(),
    }
}

/// `correctness`: on one thread, every result is the model's.
fn correctness(run: &PhaseRun) -> CheckResult {
    let shapes = TrialShape::all(run);
    let mut calls = 0;
    for shape in &shapes {
        let ops: Vec<&OpRecord> = run.ops().filter(|o| o.trial == shape.trial).collect();
        let mut state = Fifo::new(shape.capacity);
        for (i, op) in ops.iter().enumerate() {
            let Some((call, Some(got))) = model::parse(op) else {
                return shared::not_checked(CheckId::CORRECTNESS, run);
            };
            let (next, expected) = state.step(&call);
            if expected == Ret::Waits {
                // The harness makes such a call only on a buffer that is
                // already wrong; the mismatch before it was reported.
                return shared::not_checked(CheckId::CORRECTNESS, run);
            }
            if got != expected {
                let want = Fifo::result_label(&expected).unwrap_or_default();
                let have = Fifo::result_label(&got).unwrap_or_default();
                return CheckResult::fail(
                    CheckId::CORRECTNESS,
                    format!(
                        "{} on a buffer of capacity {}, {} returned {have}; {} so it must return {want}",
                        shared::after_calls(i, &ops[..i], |o| label(o)),
                        shape.capacity,
                        Fifo::call_label(&call),
                        correctness_state(&state),
                    ),
                );
            }
            state = next;
            calls += 1;
        }
    }
    if shapes.is_empty() || !run.finished() {
        return shared::not_checked(CheckId::CORRECTNESS, run);
    }
    CheckResult::pass(
        CheckId::CORRECTNESS,
        format!(
            "{} on one thread, on {}, gave the right results",
            shared::count_of(calls, "call"),
            shared::count_of(shapes.len(), "buffer")
        ),
    )
}

fn correctness_state(state: &Fifo) -> String {
    format!("{},", state.describe())
}

/// CPU time the `linearizable` search may use for one trial. The slowest
/// trial of the reference solution took about 0.15 s on a loaded 2-core
/// machine; which of several blocked pushes went in first shows only when
/// its value reaches the front, so the tail is long.
const SEARCH_TRIAL: Duration = Duration::from_secs(5);
/// CPU time for every trial of the phase together.
const SEARCH_TOTAL: Duration = Duration::from_secs(30);

/// `linearizable`: each load trial against the FIFO model.
fn linearizable(run: &PhaseRun) -> CheckResult {
    let shapes = TrialShape::all(run);
    // Every trial has its own capacity, so each gets its own model, and its
    // own share of one allowance of CPU time for the whole phase.
    let allowance = CpuBudget::start(SEARCH_TOTAL);
    let mut passed = None;
    for shape in &shapes {
        let budget = allowance.left().min(SEARCH_TRIAL);
        if budget.is_zero() {
            return CheckResult::not_checked(
                CheckId::LINEARIZABLE,
                format!(
                    "not checked: the search ran out of time before trial {}; this is not a pass \
                     (run the check again)",
                    shape.trial
                ),
            );
        }
        let one_trial = PhaseRun {
            records: run
                .records
                .iter()
                .filter(|r| matches!(r, Record::Op(o) if o.trial == shape.trial))
                .cloned()
                .chain([Record::Done])
                .collect(),
            ..run.clone()
        };
        let spec = Linearizable {
            initial: Fifo::new(shape.capacity),
            parse: model::parse,
            observe: None,
            budget,
            trial_budget: budget,
            hint: fifo_hint,
        };
        let result = spec.judge(&one_trial);
        match result.status {
            Status::Passed => *passed.get_or_insert(0) += one_trial.ops().count(),
            _ => return result,
        }
    }
    match passed {
        Some(calls) if run.cut_short().is_none() => CheckResult::pass(
            CheckId::LINEARIZABLE,
            format!(
                "all {} in {} are explained by an order that respects real time, with every \
                 push taking effect only when there was room and every pop only when there was \
                 a value or the buffer was closed",
                shared::count_of(calls, "call"),
                shared::count_of(shapes.len(), "trial")
            ),
        ),
        _ => shared::not_checked(CheckId::LINEARIZABLE, run),
    }
}

/// The usual cause of a FIFO violation, named from the call that could not
/// be placed.
fn fifo_hint(failure: &Failure<'_, Fifo>) -> String {
    let Some(blocked) = failure.blocked.map(|i| &failure.history[i]) else {
        return String::new();
    };
    match (blocked.input, blocked.output) {
        (Call::Push(_), Some(Ret::Pushed)) => {
            "A push went through with no room left. Is the wait in an `if` rather than a \
             `while`? A woken thread must check its condition again: another thread may have \
             taken the room first."
                .into()
        }
        (Call::Pop, Some(Ret::Value(_))) | (Call::TryPop, Some(Ret::Value(_))) => {
            "A pop returned a value that was not at the front. Are values taken from the front \
             (`pop_front`) and put at the back? After a wait in an `if` rather than a `while`, a \
             woken pop may find the value already taken."
                .into()
        }
        (Call::Pop, Some(Ret::Closed)) | (Call::TryPop, Some(Ret::Closed)) => {
            "A pop said Closed while values were still inside: after close, pop must first hand \
             out what is left."
                .into()
        }
        (Call::Len, _) => "Is len() read outside the lock, from a counter that is updated \
                           before or after the queue itself changes? It then lags behind."
            .into(),
        _ => String::new(),
    }
}

/// `leaked-workers`: `Buffer::new` starts no thread, and none is left.
fn leaked_workers(run: &PhaseRun) -> CheckResult {
    let mut seen = false;
    for r in &run.records {
        match r {
            Record::Threads { count, names } if *count > 0 => {
                return CheckResult::fail(
                    CheckId::LEAKED_WORKERS,
                    format!(
                        "Buffer::new() started {} ({names}); a buffer needs none: blocked \
                         callers wait on a Condvar in their own threads",
                        shared::count_of(*count, "thread")
                    ),
                );
            }
            Record::Leak { count, names, .. } if *count > 0 => {
                return CheckResult::fail(
                    CheckId::LEAKED_WORKERS,
                    format!(
                        "{} ({names}) still running after the buffers were dropped",
                        shared::count_of(*count, "thread")
                    ),
                );
            }
            Record::Leak { .. } => seen = true,
            _ => {}
        }
    }
    if !seen {
        return shared::not_checked(CheckId::LEAKED_WORKERS, run);
    }
    CheckResult::pass(
        CheckId::LEAKED_WORKERS,
        "Buffer::new() started no thread, and none was left running",
    )
}
