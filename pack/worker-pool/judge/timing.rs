//! `parallelism` and `backpressure`, read from the order of ticks: how many
//! jobs surely ran at once, how many were surely waiting, and what the pool
//! answered while the tutor held every worker.

use super::model::{may_have_waited, most_at_once, running, surely_waiting};
use super::records::Trial;
use super::{BACKPRESSURE, CheckId, CheckResult, PARALLELISM, PhaseRun, count_of};

fn unfinished(trials: &[Trial], runs: &[PhaseRun], id: CheckId) -> Option<CheckResult> {
    if trials.is_empty() || runs.iter().any(|r| r.cut_short().is_some()) {
        let refs: Vec<&PhaseRun> = runs.iter().collect();
        let why = refs
            .iter()
            .find_map(|r| r.cut_short())
            .unwrap_or_else(|| "the run ended early".into());
        return Some(CheckResult::not_checked(id, format!("not checked: {why}")));
    }
    None
}

/// `parallelism`: never more than `workers` jobs at once, and jobs that
/// wait for each other do meet `workers` at a time.
pub fn parallelism(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    let mut met = 0;
    for trial in trials {
        let (most, _) = most_at_once(running(trial));
        if most > trial.workers {
            return CheckResult::fail(
                PARALLELISM,
                format!(
                    "{}, {} ran at the same time, more than the {} workers: is a thread \
                     started per job? Jobs must queue for the pool's own workers",
                    trial.place(),
                    count_of(most, "job"),
                    trial.workers,
                ),
            );
        }
        if trial.scenario == "meet" || trial.scenario == "panic" {
            if trial.shutdown.is_none() {
                continue;
            }
            if most < trial.workers {
                let after = if trial.scenario == "panic" {
                    " after one job had panicked"
                } else {
                    ""
                };
                return CheckResult::fail(
                    PARALLELISM,
                    format!(
                        "{}, slow jobs that wait for each other never ran {} at a time{after}: \
                         at most {} overlapped, though every worker was free and jobs were \
                         queued. Do the workers share one queue, and does each take the next \
                         job as soon as it is free (not while holding a lock around the job)?",
                        trial.place(),
                        trial.workers,
                        most,
                    ),
                );
            }
            met += 1;
        }
    }
    if let Some(not) = unfinished(trials, runs, PARALLELISM) {
        return not;
    }
    if met == 0 {
        return CheckResult::not_checked(PARALLELISM, "not checked: no run of slow jobs finished");
    }
    CheckResult::pass(
        PARALLELISM,
        format!(
            "never more jobs at once than workers, and slow jobs ran `workers` at a time ({})",
            count_of(met, "pool")
        ),
    )
}

/// `backpressure`: never more than `queue` jobs waiting (with a slack of
/// `workers`: a job a worker has taken but not begun still looks waiting),
/// `Full` only when the queue was full, `try_submit` never blocks and
/// `submit` blocks instead of accepting beyond the queue.
pub fn backpressure(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    let mut fulls = 0;
    for trial in trials {
        let (most, _) = most_at_once(surely_waiting(trial));
        let (w, q) = (trial.workers, trial.queue);
        if most > q + w {
            return CheckResult::fail(
                BACKPRESSURE,
                format!(
                    "{}, {} were waiting at once, accepted and not yet begun, for a queue of \
                     {q} (and {w} taken by workers at most): the queue is not bounded. Use a \
                     bounded channel (crossbeam_channel::bounded(queue)) or check the length",
                    trial.place(),
                    count_of(most, "job"),
                ),
            );
        }
        for s in trial.submits.iter().filter(|s| s.accepted == Some(false)) {
            fulls += 1;
            let Some(ret) = s.ret else { continue };
            let waiting = may_have_waited(trial, s.call, ret, s.job);
            if waiting < q {
                return CheckResult::fail(
                    BACKPRESSURE,
                    format!(
                        "{}, try_submit() returned Err(Full) while at most {waiting} of a queue \
                         of {q} could have been waiting: Full means `queue` jobs are waiting, \
                         no fewer",
                        trial.place(),
                    ),
                );
            }
        }
        if let Some(failed) = held_workers(trial) {
            return failed;
        }
    }
    if let Some(not) = unfinished(trials, runs, BACKPRESSURE) {
        return not;
    }
    if fulls == 0 {
        return CheckResult::not_checked(
            BACKPRESSURE,
            "not checked: no try_submit() found the queue full",
        );
    }
    CheckResult::pass(
        BACKPRESSURE,
        format!(
            "the queue stayed bounded, Full came only from a full queue ({}), try_submit never \
             blocked and submit waited for room",
            count_of(fulls, "Full")
        ),
    )
}

/// The `gate` run: every worker held inside a job until the tutor opened
/// the gate. A `try_submit` that returned only after that was blocked; a
/// `submit` that returned before it, once the queue was full, accepted a
/// job with nowhere to put it.
fn held_workers(trial: &Trial) -> Option<CheckResult> {
    if trial.scenario != "gate" {
        return None;
    }
    let gate = trial.gate?;
    if trial
        .submits
        .iter()
        .any(|s| s.tried && s.call < gate && s.ret.is_some_and(|r| r > gate))
    {
        return Some(CheckResult::fail(
            BACKPRESSURE,
            format!(
                "{}, with every worker busy and the queue full, try_submit() did not return \
                 until the tutor freed a worker: try_submit must never block. Use try_send (or \
                 check the length) and return Err(Full) at once",
                trial.place(),
            ),
        ));
    }
    let full = trial
        .submits
        .iter()
        .find(|s| s.accepted == Some(false) && s.ret.is_some_and(|r| r < gate))?;
    let full_ret = full.ret?;
    let blocked = trial
        .submits
        .iter()
        .find(|s| !s.tried && s.call > full_ret && s.ret.is_some_and(|r| r < gate))?;
    let ret = blocked.ret?;
    // Every worker was surely inside a held job all along, so no job left
    // the queue in between.
    let held = trial
        .ran
        .values()
        .filter(|r| r.start < full.call && r.end > ret)
        .count();
    if held < trial.workers {
        return None;
    }
    let fate = if trial.ran.contains_key(&blocked.job) {
        "it queued the job beyond the bound"
    } else {
        "its job never ran: it was dropped"
    };
    Some(CheckResult::fail(
        BACKPRESSURE,
        format!(
            "{}, try_submit() had just found the queue full and every worker was busy, yet \
             submit() returned at once ({fate}): submit must block until there is room \
             (backpressure), never drop or overfill",
            trial.place(),
        ),
    ))
}
