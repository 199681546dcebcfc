//! The `counter` exercise: a worker thread owns an `i64`.

#[path = "judge/model.rs"]
pub mod model;

use model::{CounterModel, CounterOp, CounterRet};
use std::collections::BTreeMap;
use std::time::Duration;
use threadlings_judge::history::{Failure, Linearizable};
use threadlings_judge::protocol::OpRecord;
use threadlings_judge::{self as judge, PhaseRun, Runs};
use threadlings_judge::{Accounting, CheckId, CheckResult, Tally};

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
        lost_messages(load),
        judge::leaked_workers(all),
        judge::hang(all),
        judge::busy_loop(idle),
        judge::panic(all),
    ]
}

fn call_label(op: &OpRecord) -> String {
    match (op.input.as_str(), op.output.as_deref()) {
        ("inc", _) => "increment()".into(),
        ("dec", _) => "decrement()".into(),
        ("reset", _) => "reset()".into(),
        (name, Some(out)) => format!("{name}() -> {out}"),
        (name, None) => format!("{name}() (never returned)"),
    }
}

fn correctness(run: &PhaseRun) -> CheckResult {
    let ops: Vec<&OpRecord> = run.ops().collect();
    let mut count: i64 = 0;
    for (i, op) in ops.iter().enumerate() {
        let Some(out) = op.output.as_deref() else {
            break;
        };
        match op.input.as_str() {
            "inc" => count += 1,
            "dec" => count -= 1,
            "reset" => count = 0,
            name => {
                let got: Option<i64> = out.parse().ok();
                if got != Some(count) {
                    let what = if name == "shutdown" {
                        "shutdown()"
                    } else {
                        "get()"
                    };
                    return CheckResult::fail(
                        CheckId::CORRECTNESS,
                        format!(
                            "{}, {what} returned {out}; the count must be {count}",
                            judge::after_calls(i, &ops[..i], |o| call_label(o)),
                        ),
                    );
                }
            }
        }
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

fn lost_messages(run: &PhaseRun) -> CheckResult {
    let tallies = lost_tallies(run);
    judge::messages::lost_messages(tallies, &[run], |op| op.input != "shutdown", call_label)
}

fn lost_tallies(run: &PhaseRun) -> CheckResult {
    judge::final_tallies(run, "command", |trial, kind, expected, value| {
        let (Ok(expected), Ok(value)) = (expected.parse::<i64>(), value.parse::<i64>()) else {
            return None;
        };
        if expected == value {
            return None;
        }
        let sent = sent(run, trial);
        let (up, down) = sent
            .values()
            .fold((0, 0), |(u, d), &(up, down)| (u + up, d + down));
        let lost = (expected - value).abs();
        let message = format!(
            "in trial {trial} the tutor's threads sent {up} increments and {down} decrements \
             (net {expected:+}), but shutdown() returned {value}: at least {} {} \
             lost or applied twice. Does the worker stop before draining its mailbox, or does \
             a send drop messages (try_send on a full channel)?",
            judge::count_of(lost, "command"),
            if lost == 1 { "was" } else { "were" },
        );
        let mut tallies: Vec<Tally> = sent
            .iter()
            .map(|(thread, (up, down))| {
                Tally::sent(format!("thread {thread}"), format!("{up} inc, {down} dec"))
            })
            .collect();
        tallies.push(Tally::both(
            "total",
            format!("{up} inc, {down} dec = {expected:+}"),
            format!("{value:+}"),
        ));
        let accounting = Accounting {
            place: format!("trial {trial} ({kind})"),
            tallies,
            messages: Vec::new(),
            note: format!(
                "shutdown() returned {value} where the commands sent add up to {expected}: at \
                 least {lost} of them were lost or applied twice (a count cannot tell which)."
            ),
        };
        Some((message, accounting))
    })
}

/// Increments and decrements each client thread sent in `trial`.
fn sent(run: &PhaseRun, trial: usize) -> BTreeMap<usize, (usize, usize)> {
    let mut sent: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for o in run.ops().filter(|o| o.trial == trial) {
        let entry = || (0, 0);
        match o.input.as_str() {
            "inc" => sent.entry(o.thread).or_insert_with(entry).0 += 1,
            "dec" => sent.entry(o.thread).or_insert_with(entry).1 += 1,
            _ => {}
        }
    }
    sent
}

fn linearizable(run: &PhaseRun) -> CheckResult {
    let spec = Linearizable {
        initial: CounterModel::default(),
        parse,
        observe: None,
        budget: Duration::from_secs(3),
        trial_budget: Duration::from_secs(3),
        hint: stale_read_hint,
    };
    judge::history::linearizable(run, &spec)
}

/// Names the usual cause when the picture shows it: a `shutdown()` whose
/// final count misses commands sent before it, or a thread's `get()` that
/// misses the commands the same thread sent just before.
fn stale_read_hint(failure: &Failure<'_, CounterModel>) -> String {
    let Some(blocked) = failure.blocked.map(|i| &failure.history[i]) else {
        return String::new();
    };
    if blocked.input == CounterOp::Shutdown {
        return format!(
            "Thread {} is the tutor's own thread, calling shutdown() after every other call of \
             the trial returned: shutdown() must apply every command sent before it and then \
             return the final count. Does the worker stop before it has drained its mailbox?",
            blocked.thread
        );
    }
    let own_writes_before = failure.shown.iter().any(|&i| {
        let op = &failure.history[i];
        op.thread == blocked.thread && op.call < blocked.call && op.input != CounterOp::Get
    });
    if blocked.input == CounterOp::Get && own_writes_before {
        format!(
            "Thread {} sent its own commands before this get(), and the get() does not see them: \
             the read overtook them. Do reads travel through the same mailbox as the commands?",
            blocked.thread
        )
    } else {
        String::new()
    }
}

/// A recorded call as the model sees it.
fn parse(op: &OpRecord) -> Option<(CounterOp, Option<CounterRet>)> {
    let value = || {
        op.output
            .as_deref()
            .and_then(|v| v.parse().ok())
            .map(CounterRet::Value)
    };
    let done = || op.output.as_ref().map(|_| CounterRet::Done);
    Some(match op.input.as_str() {
        "inc" => (CounterOp::Increment, done()),
        "dec" => (CounterOp::Decrement, done()),
        "reset" => (CounterOp::Reset, done()),
        "get" => (CounterOp::Get, value()),
        "shutdown" => (CounterOp::Shutdown, value()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_judge::Ending;
    use threadlings_judge::Status;
    use threadlings_judge::protocol::Record;

    fn op(thread: usize, call: u64, input: &str, output: &str) -> Record {
        Record::Op(OpRecord {
            trial: 0,
            thread,
            call,
            ret: Some(call + 1),
            input: input.into(),
            output: Some(output.into()),
        })
    }

    /// A worker that quits without draining: three increments returned,
    /// then the tutor's thread (lane 1) calls shutdown() and gets 1.
    #[test]
    fn a_shutdown_that_misses_commands_is_named_shutdown_not_get() {
        let mut records = vec![
            op(0, 0, "inc", "ok"),
            op(0, 2, "inc", "ok"),
            op(0, 4, "inc", "ok"),
            op(1, 6, "shutdown", "1"),
        ];
        records.push(Record::Done);
        let run = PhaseRun {
            phase: "load".into(),
            records,
            ending: Ending::Exited(0),
            stderr_tail: String::new(),
        };
        let result = linearizable(&run);
        assert_eq!(result.status, Status::Failed, "{}", result.message);
        assert!(
            result
                .message
                .contains("thread 1's shutdown() must return 3, but it returned 1"),
            "{}",
            result.message
        );
        assert!(!result.message.contains("get()"), "{}", result.message);
        assert!(
            result
                .message
                .contains("(the picture shows 1 call on 1 thread around it)"),
            "{}",
            result.message
        );
        assert!(
            result.message.contains("drained its mailbox"),
            "{}",
            result.message
        );
    }
}
