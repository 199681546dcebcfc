//! `busy-loop`: threads blocked in `push` and `pop` sleep. The verdict is
//! the shared one (CPU used beside a spinning reference, judged the same
//! on a quiet and a loaded machine); the words are a buffer's.

use super::{CheckResult, PhaseRun, Record, Status, shared};

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
            format!(
                "blocked calls slept ({}: each used less than a quarter of what a spinning thread \
                 got)",
                whens.join("; ")
            )
        }
        Status::NotChecked => return verdict,
    };
    CheckResult { message, ..verdict }
}
