//! `cancellation`: after the first failure no new task starts (beyond one a
//! worker had already committed to), `wait` and `is_cancelled` see the
//! cancel within 10 ms, every started task has ended before `run_all`
//! returns, and groups never see each other's cancellations.
//!
//! How fast a wake-up is comes from the driver with the time the process's
//! threads spent waiting for a CPU taken out, so a loaded machine does not
//! make a prompt wake-up late; a single slow sample is not a verdict either.

use super::{Group, Outcome, pass_if_finished};
use threadlings_judge::{self as judge, CheckResult, PhaseRun};

/// A wake-up later than this (with CPU waits taken out) is late.
const PROMPT_US: u64 = 10_000;

pub(super) fn cancellation(phases: &[(&PhaseRun, &[Group])]) -> CheckResult {
    let mut cancelled_groups = 0;
    for (_, groups) in phases {
        for g in *groups {
            if let Some(wrong) = not_waited_for(g).or_else(|| started_late(g)) {
                return CheckResult::fail(super::CANCELLATION, wrong);
            }
            if g.tasks.iter().any(|t| t.planned_failure()) {
                cancelled_groups += 1;
            } else if let Some(wrong) = crosstalk(g) {
                return CheckResult::fail(super::CANCELLATION, wrong);
            }
        }
    }
    let samples: Vec<(&Group, &super::Wake)> = phases
        .iter()
        .flat_map(|(_, groups)| groups.iter())
        .flat_map(|g| g.wakes.iter().map(move |w| (g, w)))
        .collect();
    let late: Vec<&(&Group, &super::Wake)> = samples
        .iter()
        .filter(|(_, w)| w.fair_us > PROMPT_US)
        .collect();
    // `wait` and `is_cancelled` are judged apart: a `wait` that sleeps on
    // while the flag is already set shows only in `wait`'s samples.
    for how in ["wait", "poll"] {
        let of = |w: &super::Wake| w.how == how;
        let kind: Vec<&&(&Group, &super::Wake)> = late.iter().filter(|(_, w)| of(w)).collect();
        let total = samples.iter().filter(|(_, w)| of(w)).count();
        if kind.len() < 2 || kind.len() * 2 < total {
            continue;
        }
        let (g, w) = kind[kind.len() / 2];
        let ms = |us: u64| format!("{}.{} ms", us / 1000, us % 1000 / 100);
        let call = if how == "wait" {
            "wait()"
        } else {
            "is_cancelled()"
        };
        return CheckResult::fail(
            super::CANCELLATION,
            format!(
                "after a task failed, the tasks still running in {call} took more than 10 ms to                  see the cancel in {} of {total} cases (not counting time they waited for a CPU);                  for example in {}, task {}'s {call} noticed it {} after the failure ({} on the                  clock): cancelling must wake every wait() at once (set the flag and notify_all                  the Condvar), not leave it sleeping until its timeout",
                kind.len(),
                g.name(),
                w.index,
                ms(w.fair_us),
                ms(w.wall_us),
            ),
        );
    }
    let unknown = late.iter().filter(|(_, w)| !w.known).count();
    if unknown > 0 {
        return CheckResult::not_checked(
            super::CANCELLATION,
            "not checked: this system does not report how long threads wait for a CPU, and some \
             wake-ups were slow on the clock",
        );
    }
    if cancelled_groups == 0 || samples.is_empty() {
        return judge::not_checked(super::CANCELLATION, phases[0].0);
    }
    let runs: Vec<&PhaseRun> = phases.iter().map(|(r, _)| *r).collect();
    pass_if_finished(
        super::CANCELLATION,
        &runs,
        format!(
            "in {} with a failure, no task started after the cancel, every wait woke promptly \
             ({} of {} within 10 ms) and every task was waited for",
            judge::count_of(cancelled_groups, "group"),
            samples.len() - late.len(),
            samples.len()
        ),
    )
}

/// A task still running (or never ended) when `run_all` returned.
fn not_waited_for(g: &Group) -> Option<String> {
    let ret = g.ret?;
    if matches!(g.outcome, Outcome::Panic | Outcome::Pending) {
        return None;
    }
    let t = g
        .tasks
        .iter()
        .find(|t| t.start.is_some() && t.end.is_none_or(|end| end > ret))?;
    let ignores = if t.plan == "ignore" {
        " (one that ignores the token)"
    } else {
        ""
    };
    Some(format!(
        "{}: run_all returned {} while task {}{ignores} was still running: run_all must wait \
         for every task it started, even after a failure and even for tasks that never look \
         at the token",
        g.name(),
        super::shown(&g.outcome),
        t.index
    ))
}

/// More tasks started after the cancel than workers could have committed to.
fn started_late(g: &Group) -> Option<String> {
    let late: Vec<String> = g
        .tasks
        .iter()
        .filter(|t| t.start.is_some() && t.cancelled_at_start)
        .map(|t| t.index.to_string())
        .collect();
    (late.len() > g.limit).then(|| {
        format!(
            "{}: tasks {} were started after the group had been cancelled (is_cancelled() was \
             already true as each began): once a task has failed, tasks not yet started must \
             never start; check the token before taking the next task",
            g.name(),
            late.join(", ")
        )
    })
}

/// A task of a group where nothing failed that saw a cancellation.
fn crosstalk(g: &Group) -> Option<String> {
    let t = g
        .tasks
        .iter()
        .find(|t| t.cancelled_at_start || t.saw_cancel)?;
    Some(format!(
        "{}: no task of this group failed, yet task {} saw the token cancelled: every call of \
         run_all needs a token of its own (a static or shared token lets one group's failure \
         cancel another's tasks, or stay cancelled for the next call)",
        g.name(),
        t.index
    ))
}
