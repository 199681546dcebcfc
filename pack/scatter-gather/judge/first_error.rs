//! `first-error`: the error `run_all` returns is the first failure in real
//! time. Each failing task records whether the token was already cancelled
//! just before it failed: if so, another failure had returned (and been
//! seen) earlier, so this one cannot be the first. Two failures that both
//! saw an uncancelled token overlapped, and either may be returned.

use super::{Group, Outcome, pass_if_finished};
use threadlings_judge::{self as judge, CheckResult, PhaseRun};

pub(super) fn first_error(phases: &[(&PhaseRun, &[Group])]) -> CheckResult {
    let mut checked = 0;
    for (_, groups) in phases {
        for g in *groups {
            let index = match g.outcome {
                Outcome::Failed(index, _) | Outcome::Panicked(index) => index,
                _ => continue,
            };
            let Some(returned) = g.task(index) else {
                continue;
            };
            checked += 1;
            if !returned.saw_cancel {
                continue;
            }
            let earlier: Vec<String> = g
                .tasks
                .iter()
                .filter(|t| t.failed() && !t.saw_cancel && t.index != index)
                .map(|t| t.index.to_string())
                .collect();
            let which = match earlier.len() {
                0 => "another task".to_string(),
                1 => format!("task {}", earlier[0]),
                _ => format!("one of tasks {}", earlier.join(", ")),
            };
            return CheckResult::fail(
                super::FIRST_ERROR,
                format!(
                    "{}: run_all returned {}, but task {index} failed after the group had \
                     already been cancelled by an earlier failure ({which}'s): return the \
                     first failure to arrive (keep the first, ignore later ones), not the \
                     last one or the one with the lowest index. {}",
                    g.name(),
                    super::shown(&g.outcome),
                    g.plans()
                ),
            );
        }
    }
    if checked == 0 {
        return judge::not_checked(super::FIRST_ERROR, phases[0].0);
    }
    let runs: Vec<&PhaseRun> = phases.iter().map(|(r, _)| *r).collect();
    pass_if_finished(
        super::FIRST_ERROR,
        &runs,
        format!(
            "every failed group returned its first failure ({})",
            judge::count_of(checked, "group")
        ),
    )
}
