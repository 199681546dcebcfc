//! Turning what the harness observed into verdicts: the judgements every
//! exercise shares. Exercise-specific ones live with each exercise.

use crate::accounting::Accounting;
use crate::messages;
use crate::protocol::{Doing, OpRecord, Record};
use crate::report::{CheckId, CheckResult};
use crate::run::{Ending, PhaseRun, signal_name, too_many_threads};

/// `n` and the noun, plural unless `n` is 1: "1 thread", "3 threads".
/// Every noun the messages count takes a plain `s`.
pub fn count_of<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub(crate) fn not_checked_because(id: CheckId, runs: &[&PhaseRun]) -> CheckResult {
    let why = runs
        .iter()
        .find_map(|r| r.cut_short())
        .unwrap_or_else(|| "the run ended early".into());
    CheckResult::not_checked(id, format!("not checked: {why}"))
}

/// `panic`: nothing panicked, and no phase died without saying why.
pub fn panic(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        for r in &run.records {
            if let Record::Panic {
                thread,
                location,
                message,
            } = r
            {
                let whose = if thread.starts_with("client ") || thread == "main" {
                    format!("the tutor's {thread} thread (inside a call to your code)")
                } else if thread == "(unnamed thread)" {
                    "a thread your code started".to_string()
                } else {
                    format!("thread '{thread}'")
                };
                return CheckResult::fail(
                    CheckId::PANIC,
                    format!("{whose} panicked at {location}: {message}"),
                );
            }
        }
    }
    for run in runs {
        let hung = run.records.iter().any(|r| matches!(r, Record::Hang { .. }));
        if run.finished() || hung {
            continue;
        }
        match &run.ending {
            Ending::Signalled(sig) => {
                return CheckResult::fail(
                    CheckId::PANIC,
                    format!("the program was killed by {}", signal_name(*sig)),
                )
                .with_detail(run.stderr_tail.clone());
            }
            Ending::Exited(code) => {
                return CheckResult::fail(
                    CheckId::PANIC,
                    format!(
                        "the program exited with status {code} in the middle of the checks; \
                         does your code call std::process::exit?"
                    ),
                );
            }
            Ending::OutputFlood => {
                return CheckResult::fail(
                    CheckId::PANIC,
                    "the program printed more than the output limit and was stopped",
                );
            }
            Ending::TooManyThreads(most) => {
                return CheckResult::fail(
                    CheckId::PANIC,
                    format!(
                        "{}: is a thread spawned for every call or every turn of a loop? \
                         Spawn the worker once, in start(), and send it messages",
                        too_many_threads(*most)
                    ),
                );
            }
            Ending::TimedOut | Ending::StillWorking | Ending::Cancelled => {}
        }
    }
    CheckResult::pass(CheckId::PANIC, "nothing panicked")
}

/// The hang sentence: how long, whether the thread slept or spun, and the
/// mistake that usually causes that kind of hang in that call.
fn hang_message(call: &str, thread: &str, millis: u64, doing: Option<Doing>) -> String {
    if doing == Some(Doing::Running) {
        let hint = if call.starts_with("shutdown") {
            "does it spin waiting for the worker (a loop on try_recv(), is_finished() or a flag) \
             instead of blocking on join() or recv()? Or does the worker's loop never end?"
        } else if call.starts_with("start") {
            "start() must spawn the worker and return at once, not run the worker's loop itself"
        } else {
            "is there a loop that never blocks, such as try_recv() in a loop or waiting for a \
             flag? Block on recv() instead, so the thread sleeps until the reply comes"
        };
        return format!(
            "{call} on {thread} has been running for {millis} ms and never returned; the thread \
             was busy on a CPU, not waiting: {hint}"
        );
    }
    let hint = if call.starts_with("shutdown") {
        "does the worker ever leave its loop? Is something still holding a sender, or is shutdown waiting for a reply nobody sends?"
    } else if call.starts_with("start") {
        "start() must spawn the worker and return at once, not run the worker's loop itself"
    } else {
        "is a reply sent for every request? Does the worker wait for something that never comes?"
    };
    let asleep = match doing {
        Some(_) => "; the thread was asleep, waiting on a channel, a lock or a join",
        None => "",
    };
    format!(
        "{call} on {thread} has been blocked for {millis} ms and never returned{asleep}: {hint}"
    )
}

/// `hang`: no call stayed blocked past the progress deadline.
pub fn hang(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        for r in &run.records {
            if let Record::Hang {
                thread,
                call,
                millis,
                doing,
            } = r
            {
                return CheckResult::fail(
                    CheckId::HANG,
                    hang_message(call, thread, *millis, *doing),
                );
            }
        }
        if run.ending == Ending::StillWorking {
            return CheckResult::not_checked(
                CheckId::HANG,
                format!(
                    "not checked (the machine was too loaded to judge): the {} phase was still \
                     using CPU when its longest time limit ran out",
                    run.phase
                ),
            );
        }
        if run.ending == Ending::TimedOut {
            return CheckResult::fail(
                CheckId::HANG,
                format!(
                    "the {} phase did not finish within its time limit",
                    run.phase
                ),
            );
        }
    }
    // A run that crashed or panicked never got to the calls it skipped, so
    // whether they would have hung is unknown: not a pass.
    if let Some(why) = runs.iter().find_map(PhaseRun::cut_short) {
        return CheckResult::not_checked(CheckId::HANG, format!("not checked: {why}"));
    }
    CheckResult::pass(CheckId::HANG, "every call returned in good time")
}

/// `leaked-workers`: no thread outlived `shutdown()`.
pub fn leaked_workers(runs: &[PhaseRun]) -> CheckResult {
    let mut checked = 0;
    for run in runs {
        for r in &run.records {
            if let Record::Leak {
                place,
                count,
                names,
            } = r
            {
                checked += 1;
                if *count > 0 {
                    return CheckResult::fail(
                        CheckId::LEAKED_WORKERS,
                        format!(
                            "{} ({names}) {} still running after shutdown() returned ({place}); \
                             shutdown must stop the worker and join it",
                            count_of(*count, "thread"),
                            if *count == 1 { "was" } else { "were" },
                        ),
                    );
                }
            }
        }
    }
    if checked == 0 {
        return not_checked_because(CheckId::LEAKED_WORKERS, &runs.iter().collect::<Vec<_>>());
    }
    if let Some(why) = messages::not_joined(runs) {
        return CheckResult::fail(CheckId::LEAKED_WORKERS, why);
    }
    CheckResult::pass(
        CheckId::LEAKED_WORKERS,
        format!(
            "every thread was gone after shutdown() ({})",
            count_of(checked, "shutdown")
        ),
    )
}

/// `owner-thread`: `start()` spawned at least one thread, and, when the
/// solution's channels were recorded, every call of the one-thread run that
/// `judged` accepts sent a message that such a thread received.
pub fn owner_thread(
    run: &PhaseRun,
    judged: impl Fn(&OpRecord) -> bool,
    label: impl Fn(&OpRecord) -> String,
) -> CheckResult {
    let spawned = spawned_worker(run);
    if spawned.passed
        && let Some(result) = messages::owner(run, judged, label)
    {
        return result;
    }
    spawned
}

fn spawned_worker(run: &PhaseRun) -> CheckResult {
    for r in &run.records {
        if let Record::Threads { count, names } = r {
            if *count == 0 {
                return CheckResult::fail(
                    CheckId::OWNER_THREAD,
                    "start() did not spawn any thread: the state must be owned by a worker thread \
                     that the other threads talk to over a channel",
                );
            }
            return CheckResult::pass(
                CheckId::OWNER_THREAD,
                format!("start() spawned {} ({names})", count_of(*count, "thread")),
            );
        }
    }
    not_checked_because(CheckId::OWNER_THREAD, &[run])
}

/// A standard result for checks that need a phase that was cut short.
pub fn not_checked(id: CheckId, run: &PhaseRun) -> CheckResult {
    not_checked_because(id, &[run])
}

/// How many of the calls before a wrong single-thread result are listed.
const RECENT_CALLS: usize = 6;

/// Where a one-thread run went wrong, for `correctness` messages: "on one
/// thread, after 12 calls (the last ones: a, b, c)", listing the last few
/// of `before` as `label` writes them, so that the learner can replay them.
pub fn after_calls<T>(calls: usize, before: &[T], label: impl Fn(&T) -> String) -> String {
    let from = before.len().saturating_sub(RECENT_CALLS);
    let last: Vec<String> = before[from..].iter().map(label).collect();
    match (calls, last.len()) {
        (0, _) => "on one thread, as the first call".to_string(),
        (_, 0) => format!("on one thread, after {}", count_of(calls, "call")),
        (1, _) => format!("on one thread, after 1 call ({})", last[0]),
        (_, 1) => format!(
            "on one thread, after {calls} calls (the last one: {})",
            last[0]
        ),
        _ => format!(
            "on one thread, after {calls} calls (the last ones: {})",
            last.join(", ")
        ),
    }
}

/// `lost-messages` from the harness's final tallies: every trial's final
/// record that carries an expectation goes to `compare` (trial, kind,
/// expected, value), which says what was lost, if anything, and draws the
/// accounting of it. Passing needs at least one tally and a finished run;
/// `what` names what was applied ("command").
pub fn final_tallies(
    run: &PhaseRun,
    what: &str,
    mut compare: impl FnMut(usize, &str, &str, &str) -> Option<(String, Accounting)>,
) -> CheckResult {
    let mut trials = 0;
    for r in &run.records {
        let Record::Final {
            trial,
            kind,
            expected: Some(expected),
            value,
        } = r
        else {
            continue;
        };
        trials += 1;
        if let Some((lost, accounting)) = compare(*trial, kind, expected, value) {
            return CheckResult::fail(CheckId::LOST_MESSAGES, lost).with_accounting(accounting);
        }
    }
    if trials == 0 || !run.finished() {
        return not_checked(CheckId::LOST_MESSAGES, run);
    }
    CheckResult::pass(
        CheckId::LOST_MESSAGES,
        format!(
            "every {what} was applied exactly once ({})",
            count_of(trials, "trial")
        ),
    )
}
