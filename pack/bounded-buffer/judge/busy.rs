//! `busy-loop`: threads blocked in `push` and `pop` sleep. Two signs of a
//! blocked call that does not: the shared one (CPU used beside a spinning
//! reference, judged the same on a quiet and a loaded machine), and how
//! many times the scheduler ran the blocked threads in the window: a thread
//! asleep in `Condvar::wait` is not run at all until notified, while one
//! that polls with `yield_now` is run over and over, even when yielding
//! keeps its CPU time below the reference's quarter.

use super::{CheckId, CheckResult, PhaseRun, Record, Status, fact, shared};

/// Times the blocked threads of one window may be run in all: a few for
/// threads that were still on their way into `wait` when it opened. A
/// poller is run hundreds of times in the window's 150 ms.
const WAKEUPS: u64 = 20;

pub(super) fn busy_loop(run: &PhaseRun) -> CheckResult {
    let verdict = shared::busy_loop(run);
    let windows: Vec<(&str, u64, u64, u64)> = run
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Cpu {
                when,
                window_ms,
                used_us,
                reference_us,
                ..
            } => Some((when.as_str(), *window_ms, *used_us, *reference_us)),
            _ => None,
        })
        .collect();
    let ms = |us: u64| format!("{}.{} ms", us / 1000, us % 1000 / 100);
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
                .find(|w| w.0 == when)
                .map(|w| format!(" in {} ms", w.1))
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
            // The window the shared check failed names itself in its message.
            let Some(&(when, window, used, reference)) =
                windows.iter().find(|w| verdict.message.contains(w.0))
            else {
                return verdict;
            };
            format!(
                "while {when}, they used {} of CPU in {window} ms, as much as a thread that never \
                 sleeps got meanwhile ({}): a blocked call spins instead of sleeping. Wait on a \
                 Condvar (`while` the condition does not hold, `wait`) instead of looping on \
                 try_pop()/try_push(), yield_now() or a flag",
                ms(used),
                ms(reference)
            )
        }
        Status::Passed => {
            let whens: Vec<&str> = windows.iter().map(|w| w.0).collect();
            let most = run
                .records
                .iter()
                .filter_map(|r| fact(r, "wakeups")?.get(1)?.parse::<u64>().ok())
                .max()
                .unwrap_or(0);
            format!(
                "blocked calls slept ({}: each window used less than a quarter of what a \
                 spinning thread got, and the scheduler ran the blocked threads {} in it at most)",
                whens.join("; "),
                shared::count_of(most, "time")
            )
        }
        Status::NotChecked => return verdict,
    };
    CheckResult { message, ..verdict }
}
