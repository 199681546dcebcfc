//! `hang`: a call that never returned, named with what should have woken
//! it: a `push` or `pop` by another thread (a lost wakeup) or `close()`
//! (a close that wakes nobody). Runs without a stuck call are judged by
//! the shared check (time limits, runs cut short).

use super::{CheckId, CheckResult, Doing, PhaseRun, Record, TrialShape, fact, shared};

pub(super) fn hang(runs: &[PhaseRun]) -> CheckResult {
    for run in runs {
        let mut shape: Option<TrialShape> = None;
        let mut closed = false;
        for r in &run.records {
            if let Some(s) = fact(r, "trial").and_then(TrialShape::from_fields) {
                shape = Some(s);
                closed = false;
            }
            if fact(r, "closed").is_some() {
                closed = true;
            }
            if let Record::Hang {
                thread,
                call,
                millis,
                doing,
            } = r
            {
                let message = stuck(
                    &run.phase,
                    shape.as_ref(),
                    closed,
                    call,
                    thread,
                    *millis,
                    *doing,
                );
                return CheckResult::fail(CheckId::HANG, message);
            }
        }
    }
    shared::hang(runs)
}

fn stuck(
    phase: &str,
    shape: Option<&TrialShape>,
    closed: bool,
    call: &str,
    thread: &str,
    millis: u64,
    doing: Option<Doing>,
) -> String {
    let place = shape
        .map(|s| format!(" in {}", s.describe()))
        .unwrap_or_default();
    if doing == Some(Doing::Running) {
        return format!(
            "{call} on {thread}{place} has been running for {millis} ms and never returned; the \
             thread was busy on a CPU, not waiting: a call that has to wait must sleep in \
             Condvar::wait (in a `while` loop), not loop on try_pop()/try_push() or a flag"
        );
    }
    let blocked =
        format!("{call} on {thread}{place} has been blocked for {millis} ms and never returned");
    let (waker, kind) = match call {
        "pop()" => ("push()", "pop"),
        "push()" => ("pop()", "push"),
        _ => {
            return format!(
                "{blocked}: it should not wait at all. Is the lock never released (a guard kept \
                 alive, or the Mutex locked twice on one thread)?"
            );
        }
    };
    if closed {
        return format!(
            "{blocked}, though close() had already returned: close() should have woken it. Does \
             close() set the closed flag under the lock and then notify_all every Condvar that \
             push and pop wait on, and does the {kind} wait loop stop once the buffer is closed?"
        );
    }
    if phase == "single" {
        return format!(
            "{blocked}: the tutor's one thread made it on a buffer where it should not have to \
             wait. Does the {kind} wait loop test the right condition?"
        );
    }
    format!(
        "{blocked} while the other threads were still working: a {waker} by one of them should \
         have woken it. A lost wakeup: does every {waker} notify the Condvar that {call} waits on? \
         With one Condvar for producers and consumers, notify_one can wake a thread of the same \
         kind instead, and the wakeup is lost: use two Condvars, or notify_all."
    )
}
