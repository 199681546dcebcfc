//! `busy-loop`: threads blocked in `push` and `pop` sleep. Two signs of a
//! blocked call that does not: the shared one (a thread that kept running,
//! or waiting for a core, while blocked, and used CPU doing so: judged the
//! same on a quiet and a loaded machine), and how many times the scheduler
//! ran the blocked threads in the window: a thread asleep in
//! `Condvar::wait` is not run at all until notified, while one that polls
//! with `yield_now` or a short sleep is run over and over, even when it
//! uses little CPU.

use super::{CheckId, CheckResult, PhaseRun, Status, fact, shared};

/// Times the blocked threads of one window may be run in all: a few for
/// threads that were still on their way into `wait` when it opened. A
/// window closes early only once every blocked thread has been quiet for a
/// while, so threads that keep waking get the whole 30 ms window (or
/// longer), in which a poller is run dozens of times.
const WAKEUPS: u64 = 20;

pub(super) fn busy_loop(run: &PhaseRun) -> CheckResult {
    let verdict = shared::busy_loop(run);
    let windows = shared::idle_windows(run);
    if verdict.status != Status::Failed {
        for fields in run.records.iter().filter_map(|r| fact(r, "wakeups")) {
            let (Some(when), Some(runs)) = (
                fields.first(),
                fields.get(1).and_then(|f| f.parse::<u64>().ok()),
            ) else {
                continue;
            };
            if runs < WAKEUPS {
                continue;
            }
            let window = windows
                .iter()
                .find(|w| w.when == when)
                .map(|w| format!(" in {}", shared::ms_us(w.window_us)))
                .unwrap_or_default();
            return CheckResult::fail(
                CheckId::BUSY_LOOP,
                format!(
                    "while {when}, the scheduler ran them {runs} times{window}; a thread asleep \
                     in Condvar::wait is not run at all until it is notified: a blocked call \
                     polls instead of sleeping (try_pop()/try_push() with yield_now() or a short \
                     sleep in a loop?). Wait on a Condvar (`while` the condition does not hold, \
                     `wait`) instead"
                ),
            );
        }
    }
    let message = match verdict.status {
        Status::Failed => {
            let Some(w) = windows
                .iter()
                .find(|w| w.reading == shared::IdleReading::Spun)
            else {
                return verdict;
            };
            format!(
                "while {}, a blocked call spins instead of sleeping: {} {}. Wait on a Condvar \
                 (`while` the condition does not hold, `wait`) instead of looping on \
                 try_pop()/try_push(), yield_now() or a flag",
                w.when,
                blocked_thread(w),
                w.figures()
            )
        }
        Status::Passed => {
            let whens: Vec<&str> = windows.iter().map(|w| w.when).collect();
            let most = run
                .records
                .iter()
                .filter_map(|r| fact(r, "wakeups")?.get(1)?.parse::<u64>().ok())
                .max()
                .unwrap_or(0);
            format!(
                "blocked calls slept ({}: {}; the scheduler ran the blocked threads {} in a \
                 window at most)",
                whens.join("; "),
                shared::quiet_windows(&windows),
                shared::count_of(most, "time")
            )
        }
        Status::NotChecked => return verdict,
    };
    CheckResult { message, ..verdict }
}

/// The blocked threads are the tutor's, calling `push` or `pop`: "one of
/// them", not "the worker".
fn blocked_thread(w: &shared::IdleWindow) -> &'static str {
    if w.threads == 1 {
        "the blocked thread"
    } else {
        "one of the blocked threads"
    }
}
