//! The `{{id}}` exercise's judge: the sequential model of a tally and the
//! verdicts on what the driver recorded. It runs in the tutor, never in the
//! learner's process, and returns one result per check declared in
//! exercise.toml after `compile`, in that order.

use std::time::Duration;
use threadlings_judge::history::{Failure, Linearizable};
use threadlings_judge::lincheck::Model;
use threadlings_judge::protocol::OpRecord;
use threadlings_judge::{self as judge, CheckId, CheckResult, PhaseRun, Runs};

/// One result per declared check after `compile`, in exercise.toml's order.
pub fn judge(runs: &Runs) -> Vec<CheckResult> {
    let [single, idle, load] = match runs.phases(["single", "idle", "load"]) {
        Ok(found) => found,
        Err(missing) => return runs.none_checked(&missing),
    };
    let all = runs.all();
    vec![
        judge::owner_thread(single, |_| true, call_label),
        correctness(single),
        linearizable(load),
        judge::leaked_workers(all),
        judge::hang(all),
        judge::busy_loop(idle),
        judge::panic(all),
    ]
}

/// A call on the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TallyOp {
    /// `add(n)`.
    Add(u64),
    /// `total()`.
    Total,
    /// `shutdown()`: its result is the final total.
    Shutdown,
}

/// What a call returned: nothing (`add`) or a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TallyRet {
    /// `add` returned.
    Done,
    /// The total `total()` or `shutdown()` reported.
    Value(u64),
}

/// The tally's state: the sum so far (0 to begin with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TallyModel {
    /// The sum of every `add` so far.
    pub total: u64,
}

impl Model for TallyModel {
    type Input = TallyOp;
    type Output = TallyRet;

    fn step(&self, input: &TallyOp) -> (Self, TallyRet) {
        match input {
            // Wrapping, as a release build of the learner's code would.
            TallyOp::Add(n) => (
                Self {
                    total: self.total.wrapping_add(*n),
                },
                TallyRet::Done,
            ),
            TallyOp::Total | TallyOp::Shutdown => (*self, TallyRet::Value(self.total)),
        }
    }

    fn describe(&self) -> String {
        format!("the total is {}", self.total)
    }

    fn call_label(input: &TallyOp) -> String {
        match input {
            TallyOp::Add(n) => format!("add({n})"),
            TallyOp::Total => "total()".into(),
            TallyOp::Shutdown => "shutdown()".into(),
        }
    }

    fn result_label(output: &TallyRet) -> Option<String> {
        match output {
            TallyRet::Done => None,
            TallyRet::Value(v) => Some(v.to_string()),
        }
    }
}

/// A recorded call as the model sees it (`add 3`, `total`, `shutdown`).
fn parse(op: &OpRecord) -> Option<(TallyOp, Option<TallyRet>)> {
    let value = || {
        op.output
            .as_deref()
            .and_then(|v| v.parse().ok())
            .map(TallyRet::Value)
    };
    Some(match op.input.split_once(' ') {
        Some(("add", n)) => (
            TallyOp::Add(n.parse().ok()?),
            op.output.as_ref().map(|_| TallyRet::Done),
        ),
        _ if op.input == "total" => (TallyOp::Total, value()),
        _ if op.input == "shutdown" => (TallyOp::Shutdown, value()),
        _ => return None,
    })
}

/// A recorded call as the learner wrote it (`add(3)`), for messages.
fn call_label(op: &OpRecord) -> String {
    parse(op).map_or_else(
        || op.input.clone(),
        |(input, _)| TallyModel::call_label(&input),
    )
}

/// The single-threaded calls, replayed on the model.
fn correctness(run: &PhaseRun) -> CheckResult {
    let ops: Vec<&OpRecord> = run.ops().collect();
    let mut model = TallyModel::default();
    for (i, op) in ops.iter().enumerate() {
        let Some((input, Some(got))) = parse(op) else {
            break;
        };
        let (next, want) = model.step(&input);
        if got != want {
            return CheckResult::fail(
                CheckId::CORRECTNESS,
                format!(
                    "{}, {} returned {}; the total must be {}",
                    judge::after_calls(i, &ops[..i], |o| call_label(o)),
                    TallyModel::call_label(&input),
                    op.output.as_deref().unwrap_or("nothing"),
                    model.total
                ),
            );
        }
        model = next;
    }
    if !run.finished()
        || ops
            .last()
            .is_none_or(|o| o.input != "shutdown" || o.output.is_none())
    {
        return judge::not_checked(CheckId::CORRECTNESS, run);
    }
    CheckResult::pass(
        CheckId::CORRECTNESS,
        format!("{} calls on one thread gave the right results", ops.len()),
    )
}

fn linearizable(run: &PhaseRun) -> CheckResult {
    let spec = Linearizable {
        initial: TallyModel::default(),
        parse,
        observe: None,
        budget: Duration::from_secs(3),
        trial_budget: Duration::from_secs(3),
        hint: read_overtook_hint,
    };
    judge::history::linearizable(run, &spec)
}

/// Names the usual cause when the picture shows it: a read that misses
/// adds the same thread made just before it.
fn read_overtook_hint(failure: &Failure<'_, TallyModel>) -> String {
    let Some(blocked) = failure.blocked.map(|i| &failure.history[i]) else {
        return String::new();
    };
    let own_adds_before = failure.shown.iter().any(|&i| {
        let op = &failure.history[i];
        op.thread == blocked.thread && op.call < blocked.call && matches!(op.input, TallyOp::Add(_))
    });
    if !matches!(blocked.input, TallyOp::Add(_)) && own_adds_before {
        format!(
            "Thread {} added before this call and the result does not include it: do reads \
             travel through the same mailbox as the adds?",
            blocked.thread
        )
    } else {
        String::new()
    }
}
