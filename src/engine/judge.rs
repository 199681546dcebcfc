//! Turning what the harness observed into verdicts: the judgements every
//! exercise shares. Exercise-specific ones live with each exercise.

pub mod history;
pub mod messages;
#[cfg(test)]
mod tests;

use crate::engine::protocol::{OpRecord, Record};
use crate::engine::report::{CheckId, CheckResult};
use crate::engine::supervisor::Ending;

/// What one phase (one child process) of a check run produced.
#[derive(Debug, Clone)]
pub struct PhaseRun {
    /// The phase's name, as the harness knows it.
    pub phase: &'static str,
    /// Authentic records from the report channel, in order.
    pub records: Vec<Record>,
    /// How the process ended.
    pub ending: Ending,
    /// The last lines the learner's code wrote to stderr (for context).
    pub stderr_tail: String,
}

impl PhaseRun {
    /// Whether the harness reported reaching the end of the phase.
    pub fn finished(&self) -> bool {
        self.records.iter().any(|r| matches!(r, Record::Done))
    }

    /// The recorded calls of this phase.
    pub fn ops(&self) -> impl Iterator<Item = &OpRecord> {
        self.records.iter().filter_map(|r| match r {
            Record::Op(op) => Some(op),
            _ => None,
        })
    }

    /// Why the phase did not get to its end, in the learner's terms; `None`
    /// if it did.
    pub fn cut_short(&self) -> Option<String> {
        for r in &self.records {
            match r {
                Record::Hang { thread, call, .. } => {
                    return Some(format!(
                        "the run stopped because {call} on {thread} never returned"
                    ));
                }
                Record::Panic { .. } => return Some("a panic stopped the run".into()),
                _ => {}
            }
        }
        if self.finished() {
            return None;
        }
        Some(match &self.ending {
            Ending::TimedOut => "the run did not finish in time".into(),
            Ending::OutputFlood => "the program printed too much output and was stopped".into(),
            Ending::Cancelled => "the run was cancelled".into(),
            Ending::Signalled(sig) => format!("the program was killed by {}", signal_name(*sig)),
            Ending::Exited(code) => {
                format!("the program exited (status {code}) before the checks finished")
            }
        })
    }
}

/// A signal's name with what it usually means for a Rust program.
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGABRT => {
            "SIGABRT (an abort: a panic while panicking, or std::process::abort)".into()
        }
        libc::SIGSEGV => "SIGSEGV (often a stack overflow from unbounded recursion)".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGFPE => "SIGFPE".into(),
        other => format!("signal {other}"),
    }
}

fn not_checked_because(id: CheckId, runs: &[&PhaseRun]) -> CheckResult {
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
                    CheckId::Panic,
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
                    CheckId::Panic,
                    format!("the program was killed by {}", signal_name(*sig)),
                )
                .with_detail(run.stderr_tail.clone());
            }
            Ending::Exited(code) => {
                return CheckResult::fail(
                    CheckId::Panic,
                    format!(
                        "the program exited with status {code} in the middle of the checks; \
                         does your code call std::process::exit?"
                    ),
                );
            }
            Ending::OutputFlood => {
                return CheckResult::fail(
                    CheckId::Panic,
                    "the program printed more than the output limit and was stopped",
                );
            }
            Ending::TimedOut | Ending::Cancelled => {}
        }
    }
    CheckResult::pass(CheckId::Panic, "nothing panicked")
}

/// `hang`: no call stayed blocked past the progress deadline.
pub fn hang(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        for r in &run.records {
            if let Record::Hang {
                thread,
                call,
                millis,
            } = r
            {
                let hint = if call.starts_with("shutdown") {
                    "does the worker ever leave its loop? Is something still holding a sender, or is shutdown waiting for a reply nobody sends?"
                } else if call.starts_with("start") {
                    "start() must spawn the worker and return at once, not run the worker's loop itself"
                } else {
                    "is a reply sent for every request? Does the worker wait for something that never comes?"
                };
                return CheckResult::fail(
                    CheckId::Hang,
                    format!(
                        "{call} on {thread} has been blocked for {millis} ms and never returned: {hint}"
                    ),
                );
            }
        }
        if run.ending == Ending::TimedOut {
            return CheckResult::fail(
                CheckId::Hang,
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
        return CheckResult::not_checked(CheckId::Hang, format!("not checked: {why}"));
    }
    CheckResult::pass(CheckId::Hang, "every call returned in good time")
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
                        CheckId::LeakedWorkers,
                        format!(
                            "{count} thread(s) ({names}) were still running after shutdown() returned ({place}); \
                             shutdown must stop the worker and join it"
                        ),
                    );
                }
            }
        }
    }
    if checked == 0 {
        return not_checked_because(CheckId::LeakedWorkers, &runs.iter().collect::<Vec<_>>());
    }
    if let Some(why) = messages::not_joined(runs) {
        return CheckResult::fail(CheckId::LeakedWorkers, why);
    }
    CheckResult::pass(
        CheckId::LeakedWorkers,
        format!("every thread was gone after shutdown() ({checked} shutdowns)"),
    )
}

/// `busy-loop`: the solution's threads slept while nobody called.
pub fn busy_loop(run: &PhaseRun) -> CheckResult {
    for r in &run.records {
        if let Record::Cpu {
            window_ms,
            ticks,
            runnable,
            samples,
        } = r
        {
            // A worker blocked in recv is asleep at every sample and uses
            // no CPU. A spinning one is runnable at nearly every sample,
            // even on a loaded machine where it gets little CPU; and where
            // it gets the CPU, clock ticks (10 ms) show it too.
            let used_ms = ticks * 10;
            let spinning = *samples > 0 && runnable * 2 > *samples;
            if spinning || used_ms * 100 > window_ms * 15 {
                return CheckResult::fail(
                    CheckId::BusyLoop,
                    format!(
                        "while nobody called it, the worker was running at {runnable} of {samples} samples \
                         and used {used_ms} ms of CPU in {window_ms} ms: it spins instead of blocking \
                         (try_recv in a loop, or select! with a default arm?)"
                    ),
                );
            }
            return CheckResult::pass(
                CheckId::BusyLoop,
                format!("the idle worker slept ({used_ms} ms of CPU in {window_ms} ms)"),
            );
        }
    }
    not_checked_because(CheckId::BusyLoop, &[run])
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
                    CheckId::OwnerThread,
                    "start() did not spawn any thread: the state must be owned by a worker thread \
                     that the other threads talk to over a channel",
                );
            }
            return CheckResult::pass(
                CheckId::OwnerThread,
                format!("start() spawned {count} thread(s) ({names})"),
            );
        }
    }
    not_checked_because(CheckId::OwnerThread, &[run])
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
    let last = if last.is_empty() {
        "none".to_string()
    } else {
        last.join(", ")
    };
    format!("on one thread, after {calls} calls (the last ones: {last})")
}

/// `lost-messages` from the harness's final tallies: every trial's final
/// record that carries an expectation goes to `compare` (trial, kind,
/// expected, value), which says what was lost, if anything. Passing needs
/// at least one tally and a finished run; `what` names what was applied
/// ("command").
pub fn final_tallies(
    run: &PhaseRun,
    what: &str,
    mut compare: impl FnMut(usize, &str, &str, &str) -> Option<String>,
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
        if let Some(lost) = compare(*trial, kind, expected, value) {
            return CheckResult::fail(CheckId::LostMessages, lost);
        }
    }
    if trials == 0 || !run.finished() {
        return not_checked(CheckId::LostMessages, run);
    }
    CheckResult::pass(
        CheckId::LostMessages,
        format!("every {what} was applied exactly once ({trials} trials)"),
    )
}
