//! `close`: after `close()`, every blocked call returns within 100 ms of
//! fair time (the harness measures it, discounting time the machine kept
//! the threads waiting for a CPU), a push that was waiting gives up, new
//! pushes fail, and pops drain what is left before they say `Closed`.

use super::model::{self, Call, Fifo, Ret};
use super::{CLOSE, CheckResult, Model, OpRecord, PhaseRun, fact, shared};

/// The harness's threads blocked in each scenario are lanes `0..BLOCKED`;
/// the tutor's own thread is lane `BLOCKED`.
const BLOCKED: usize = 4;

pub(super) fn close(run: &PhaseRun) -> CheckResult {
    let mut woken = 0;
    for fields in run.records.iter().filter_map(|r| fact(r, "woken")) {
        let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        let (Some(scenario), Some(blocked), Some(in_time), Some(fair)) =
            (fields.first(), num(1), num(2), num(3))
        else {
            continue;
        };
        woken += 1;
        if in_time < blocked {
            let how_many = if in_time == 0 {
                format!("none of the {blocked}")
            } else {
                format!("only {in_time} of the {blocked}")
            };
            return CheckResult::fail(
                CLOSE,
                format!(
                    "close() woke {how_many} threads blocked in {scenario}() within 100 ms \
                     ({fair} ms of fair time after it was called): close must wake every waiter \
                     at once. Does it set the closed flag under the lock, then notify_all (not \
                     notify_one) every Condvar that {scenario} waits on, and does the \
                     {scenario} wait loop stop once the buffer is closed?"
                ),
            );
        }
    }
    for op in run.ops().filter(|o| o.thread < BLOCKED) {
        let Some((call, Some(ret))) = model::parse(op) else {
            continue;
        };
        if ret != Ret::Closed {
            let what = match call {
                Call::Pop => "a pop() blocked on an empty buffer",
                _ => "a push() blocked on a full buffer",
            };
            let got = Fifo::result_label(&ret).unwrap_or_default();
            return CheckResult::fail(
                CLOSE,
                format!(
                    "{what} returned {got} when close() woke it; nothing had changed but the \
                     close, so it must give up with Err(Closed)"
                ),
            );
        }
    }
    if let Some(failure) = after_close(run) {
        return failure;
    }
    if woken < 2 || !run.finished() {
        return shared::not_checked(CLOSE, run);
    }
    CheckResult::pass(
        CLOSE,
        format!(
            "close() woke all {BLOCKED} blocked pop() calls and all {BLOCKED} blocked push() \
             calls within 100 ms, and the closed buffer refused new values and handed out the \
             ones left"
        ),
    )
}

/// The tutor's own calls on the full buffer of scenario B, replayed on the
/// model: the closed buffer refuses pushes and drains.
fn after_close(run: &PhaseRun) -> Option<CheckResult> {
    let mut ops: Vec<&OpRecord> = run
        .ops()
        .filter(|o| o.trial == 1 && o.thread == BLOCKED)
        .collect();
    ops.sort_by_key(|o| o.call);
    let mut state = Fifo::new(2);
    for op in ops {
        let (call, Some(got)) = model::parse(op)? else {
            return None;
        };
        let (next, want) = state.step(&call);
        if state.closed && got != want {
            let hint = match call {
                Call::Pop | Call::TryPop if !state.items.is_empty() => {
                    "a closed buffer still hands out the values left, and says Closed only once \
                     it is empty"
                }
                Call::Push(_) | Call::TryPush(_) => "new pushes must fail once it is closed",
                Call::Len => "len() counts the values still inside",
                _ => "close() must leave the values inside for pops to drain",
            };
            return Some(CheckResult::fail(
                CLOSE,
                format!(
                    "after close(), {} returned {}, but {}, so it must return {}: {hint}",
                    Fifo::call_label(&call),
                    Fifo::result_label(&got).unwrap_or_default(),
                    state.describe(),
                    Fifo::result_label(&want).unwrap_or_default(),
                ),
            ));
        }
        state = next;
    }
    None
}
