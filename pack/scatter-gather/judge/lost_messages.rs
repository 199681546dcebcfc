//! `lost-messages`: on success every task ran once and every result is in
//! its task's place, with one caller and with several at once.

use super::{Group, Out, Outcome, pass_if_finished};
use threadlings_judge::{self as judge, CheckId, CheckResult, PhaseRun};

pub(super) fn lost_messages(phases: &[(&PhaseRun, &[Group])]) -> CheckResult {
    let mut checked = 0;
    for (run, groups) in phases {
        let place = if run.phase == "load" {
            " (several callers at once)"
        } else {
            ""
        };
        for g in *groups {
            let Outcome::Ok(values) = &g.outcome else {
                continue;
            };
            if g.tasks.iter().any(|t| t.failed()) {
                // Ok despite a failure: a correctness matter.
                continue;
            }
            checked += 1;
            if let Some(wrong) = misplaced(g, values) {
                return CheckResult::fail(
                    CheckId::LOST_MESSAGES,
                    format!("{}{place}: {wrong}", g.name()),
                );
            }
        }
    }
    if checked == 0 {
        return judge::not_checked(CheckId::LOST_MESSAGES, phases[0].0);
    }
    let runs: Vec<&PhaseRun> = phases.iter().map(|(r, _)| *r).collect();
    pass_if_finished(
        CheckId::LOST_MESSAGES,
        &runs,
        format!(
            "every task ran exactly once and every result was in its place ({})",
            judge::count_of(checked, "successful group")
        ),
    )
}

fn misplaced(g: &Group, values: &[u64]) -> Option<String> {
    for i in 0..g.n {
        let Some(Out::Ok(v)) = g.task(i).map(|t| &t.out) else {
            return Some(format!(
                "task {i} never ran, yet run_all returned {}",
                super::shown(&g.outcome)
            ));
        };
        match values.get(i) {
            Some(got) if got == v => {}
            Some(got) => {
                let whose = g
                    .tasks
                    .iter()
                    .find(|t| t.out == Out::Ok(*got))
                    .map_or(String::new(), |t| format!(" (task {}'s value)", t.index));
                return Some(format!(
                    "result {i} is {got}{whose}, but task {i} returned {v}: every result must \
                     go in its task's place (index), whatever order the tasks finish in"
                ));
            }
            None => {
                return Some(format!(
                    "run_all returned {} results for {} tasks: task {i}'s result ({v}) is missing",
                    values.len(),
                    g.n
                ));
            }
        }
    }
    (values.len() > g.n).then(|| {
        format!(
            "run_all returned {} results for {}",
            values.len(),
            judge::count_of(g.n, "task")
        )
    })
}
