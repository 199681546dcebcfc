//! `correctness`: with one caller, `run_all` returns the tasks' values in
//! their order, or the error of a task that really failed; an empty group
//! gives `Ok(vec![])`; `wait` that is not cancelled sleeps its whole
//! timeout and returns `false`.

use super::{Group, Out, Outcome, pass_if_finished, shown};
use threadlings_judge::{self as judge, CheckId, CheckResult, PhaseRun};

pub(super) fn correctness(run: &PhaseRun, groups: &[Group]) -> CheckResult {
    let mut checked = 0;
    for g in groups {
        if let Some(wrong) = wrong_result(g).or_else(|| early_wait(g)) {
            return CheckResult::fail(CheckId::CORRECTNESS, wrong);
        }
        if g.outcome != Outcome::Pending && g.outcome != Outcome::Panic {
            checked += 1;
        }
    }
    if checked == 0 {
        return judge::not_checked(CheckId::CORRECTNESS, run);
    }
    pass_if_finished(
        CheckId::CORRECTNESS,
        &[run],
        format!(
            "{} on one thread returned the right results and errors",
            judge::count_of(checked, "run_all call")
        ),
    )
}

/// What is wrong with what `run_all` returned, if anything. A panic that
/// came back as the wrong variant is left to the `panic` check.
fn wrong_result(g: &Group) -> Option<String> {
    let failed = g.tasks.iter().find(|t| t.failed());
    let got = shown(&g.outcome);
    match (&g.outcome, failed) {
        (Outcome::Pending | Outcome::Panic, _) => None,
        (Outcome::Ok(values), None) => {
            let expected: Vec<Option<u64>> = (0..g.n)
                .map(|i| match g.task(i).map(|t| &t.out) {
                    Some(Out::Ok(v)) => Some(*v),
                    _ => None,
                })
                .collect();
            if let Some(i) = expected.iter().position(Option::is_none) {
                return Some(format!(
                    "{}: task {i} never ran, yet run_all returned {got}; on success every \
                     task must have run",
                    g.name()
                ));
            }
            let expected: Vec<u64> = expected.into_iter().flatten().collect();
            (values != &expected).then(|| {
                format!(
                    "{}: the tasks returned {}, in the order of the tasks, but run_all \
                     returned {got}: results must come in the order of `tasks`, not in the \
                     order the tasks finished",
                    g.name(),
                    shown(&Outcome::Ok(expected))
                )
            })
        }
        (Outcome::Ok(_), Some(t)) => Some(format!(
            "{}: task {} {}, yet run_all returned {got}",
            g.name(),
            t.index,
            match &t.out {
                Out::Panic => "panicked".to_string(),
                Out::Err(e) => format!("returned Err(TaskError({e:?}))"),
                _ => "failed".to_string(),
            }
        )),
        (Outcome::Failed(index, error), _) => match g.task(*index).map(|t| &t.out) {
            Some(Out::Err(e)) if e == error => None,
            Some(Out::Panic) => None,
            Some(Out::Err(e)) => Some(format!(
                "{}: task {index} returned Err(TaskError({e:?})), but run_all returned {got}",
                g.name()
            )),
            _ => Some(format!(
                "{}: run_all returned {got}, but task {index} did not fail",
                g.name()
            )),
        },
        (Outcome::Panicked(index), _) => match g.task(*index).map(|t| &t.out) {
            Some(Out::Panic | Out::Err(_)) => None,
            _ => Some(format!(
                "{}: run_all returned {got}, but task {index} did not panic",
                g.name()
            )),
        },
    }
}

/// A `wait` that returned `false` before its timeout had passed.
fn early_wait(g: &Group) -> Option<String> {
    let &(task, timeout, took) = g.waited.iter().find(|(_, timeout, took)| took < timeout)?;
    let ms = |us: u64| format!("{}.{} ms", us / 1000, us % 1000 / 100);
    Some(format!(
        "{}: task {task}'s wait({}) returned false after only {}, although nothing was \
         cancelled: wait must sleep until the timeout has passed (a Condvar can wake \
         spuriously: wait again for the time left)",
        g.name(),
        ms(timeout),
        ms(took)
    ))
}
