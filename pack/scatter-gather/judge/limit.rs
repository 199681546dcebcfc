//! `limit`: never more than `limit` tasks at once, judged by overlapping
//! intervals of the global clock (a task's interval lies inside its real
//! run, so an overlap on the clock was a real overlap); and tasks that wait
//! for `limit` of them to be running at once are not kept waiting (judged
//! on the fair clock; a machine too loaded to tell gives "not checked").

use super::{Group, pass_if_finished};
use threadlings_judge::{self as judge, CheckResult, PhaseRun};

pub(super) fn limit(phases: &[(&PhaseRun, &[Group])]) -> CheckResult {
    let mut starved = None;
    let mut met = 0;
    for (_, groups) in phases {
        for g in *groups {
            let (most, together) = most_at_once(g);
            if most > g.limit {
                let list: Vec<String> = together.iter().map(usize::to_string).collect();
                return CheckResult::fail(
                    super::LIMIT,
                    format!(
                        "{}: {most} tasks were running at once (tasks {}: each had started \
                         before any of them returned), more than the limit of {}: start at \
                         most `limit` threads, or hand out at most `limit` permits",
                        g.name(),
                        list.join(", "),
                        g.limit
                    ),
                );
            }
            match g.meet {
                Some((true, false)) => {
                    return CheckResult::fail(
                        super::LIMIT,
                        format!(
                            "{}: the tutor's tasks each waited for {} of them to be running \
                             at once, but at most {most} ever ran together: run_all must keep \
                             `limit` tasks running while there are tasks left, not fewer \
                             (one at a time is not a limit of {})",
                            g.name(),
                            g.limit,
                            g.limit
                        ),
                    );
                }
                Some((true, true)) => {
                    starved.get_or_insert_with(|| g.name());
                }
                Some((false, _)) => met += 1,
                None => {}
            }
        }
    }
    if let Some(name) = starved {
        return CheckResult::not_checked(
            super::LIMIT,
            format!(
                "not checked (the machine was too loaded to judge): in {name} the tasks waiting \
                 for each other got too little CPU to tell a slow start from a missing worker"
            ),
        );
    }
    if met == 0 {
        return judge::not_checked(super::LIMIT, phases[0].0);
    }
    let runs: Vec<&PhaseRun> = phases.iter().map(|(r, _)| *r).collect();
    pass_if_finished(
        super::LIMIT,
        &runs,
        format!(
            "never more than `limit` tasks at once, and `limit` at a time when tasks waited \
             for each other ({})",
            judge::count_of(met, "group")
        ),
    )
}

/// The most tasks whose clock intervals overlap, and which. A task that
/// never ended counts as running to the end.
fn most_at_once(g: &Group) -> (usize, Vec<usize>) {
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for t in &g.tasks {
        if let Some(start) = t.start {
            events.push((start, true, t.index));
            events.push((t.end.unwrap_or(u64::MAX), false, t.index));
        }
    }
    // Ticks are unique, so a start and an end never share one.
    events.sort();
    let mut running: Vec<usize> = Vec::new();
    let mut best: Vec<usize> = Vec::new();
    for (_, starts, index) in events {
        if starts {
            running.push(index);
            if running.len() > best.len() {
                best = running.clone();
            }
        } else {
            running.retain(|&i| i != index);
        }
    }
    (best.len(), best)
}
