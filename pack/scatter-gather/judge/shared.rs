//! The shared checks in this exercise's words: leftover threads after
//! `run_all`, hangs, CPU use while tasks sleep, and panics, of which the
//! tutor's own planned ones are not failures (the caller has taken them
//! out of the runs).

use super::{Out, Outcome, groups};
use threadlings_judge::{self as judge, CheckId, CheckResult, Doing, PhaseRun, Record, Status};

/// `leaked-workers`: no thread alive after `run_all` returned.
pub(super) fn leaked_workers(runs: &[PhaseRun]) -> CheckResult {
    let mut checked = 0;
    for run in runs {
        for r in &run.records {
            let Record::Leak {
                place,
                count,
                names,
            } = r
            else {
                continue;
            };
            checked += 1;
            if *count > 0 {
                return CheckResult::fail(
                    CheckId::LEAKED_WORKERS,
                    format!(
                        "{} ({names}) {} still running {place}: run_all must join every \
                         thread it starts before it returns, on success, failure and panic \
                         alike; std::thread::scope joins them for you",
                        judge::count_of(*count, "thread"),
                        if *count == 1 { "was" } else { "were" },
                    ),
                );
            }
        }
    }
    if checked == 0 {
        let run = runs.iter().find(|r| !r.finished()).unwrap_or(&runs[0]);
        return judge::not_checked(CheckId::LEAKED_WORKERS, run);
    }
    CheckResult::pass(
        CheckId::LEAKED_WORKERS,
        format!(
            "no thread outlived run_all ({} looked at)",
            judge::count_of(checked, "return")
        ),
    )
}

/// `hang`: every `run_all` returned in good time.
pub(super) fn hang(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        for r in &run.records {
            let Record::Hang {
                thread,
                millis,
                doing,
                ..
            } = r
            else {
                continue;
            };
            let message = if *doing == Some(Doing::Running) {
                format!(
                    "run_all() on {thread} has been running for {millis} ms and never returned; \
                     the thread was busy on a CPU: is there a loop that spins waiting for the \
                     tasks (try_recv, is_finished, a flag) instead of blocking on join or recv?"
                )
            } else {
                format!(
                    "run_all() on {thread} has been blocked for {millis} ms and never returned: \
                     does it wait for a task that was never started, or for a result nobody \
                     sends? Does cancelling wake a wait(Duration::MAX)?"
                )
            };
            return CheckResult::fail(CheckId::HANG, message);
        }
    }
    let mut result = judge::hang(runs);
    if result.status == Status::Passed {
        result.message = "every run_all returned in good time".into();
    }
    result
}

/// `busy-loop`: while the tasks slept, so did `run_all` and `wait`.
pub(super) fn busy_loop(idle: &PhaseRun) -> CheckResult {
    let mut result = judge::busy_loop(idle);
    let windows = judge::idle_windows(idle);
    let Some(window) = windows.first() else {
        return result;
    };
    match result.status {
        Status::Failed => {
            result.message = format!(
                "while two tasks slept (one on the tutor's channel, one in wait()), {} {}: does \
                 wait() poll the flag in a loop, or run_all spin waiting for the tasks? Sleep on \
                 a Condvar (wait_timeout) or block on join/recv instead",
                window.who(),
                window.figures()
            );
        }
        Status::Passed => {
            result.message = format!(
                "run_all and wait() slept while the tasks slept ({})",
                judge::quiet_windows(&windows)
            );
        }
        Status::NotChecked => {}
    }
    result
}

/// `panic`: a task's panic comes back as `Panicked { index }`, and nothing
/// else panicked.
pub(super) fn panic(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        for g in groups(run) {
            let wrong = match g.outcome {
                Outcome::Panic if g.tasks.iter().any(|t| t.out == Out::Panic) => Some(format!(
                    "run_all itself panicked ({}): a task's panic must be caught \
                     (catch_unwind, or the Err of join()) and returned as \
                     Err(GroupError::Panicked {{ index }}), never passed on to the caller",
                    g.name()
                )),
                Outcome::Failed(index, _) if g.task(index).map(|t| &t.out) == Some(&Out::Panic) => {
                    Some(format!(
                        "{}: task {index} panicked, but run_all returned {}; a panic is \
                         reported as Err(GroupError::Panicked {{ index: {index} }})",
                        g.name(),
                        super::shown(&g.outcome)
                    ))
                }
                Outcome::Panicked(index)
                    if matches!(g.task(index).map(|t| &t.out), Some(Out::Err(_))) =>
                {
                    Some(format!(
                        "{}: task {index} returned an error, but run_all returned {}",
                        g.name(),
                        super::shown(&g.outcome)
                    ))
                }
                _ => None,
            };
            if let Some(wrong) = wrong {
                return CheckResult::fail(CheckId::PANIC, wrong);
            }
        }
    }
    let mut result = judge::panic(runs);
    if result.status == Status::Passed {
        result.message =
            "every task's panic came back as Panicked { index }, and nothing else panicked".into();
    }
    result
}
