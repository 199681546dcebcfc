//! `correctness` (tickets, stats, order) and `lost-messages` (every
//! accepted job runs exactly once, every ticket resolves).

use super::model::{expected_ticket, out_of_order};
use super::records::Trial;
use super::{Accounting, CheckId, CheckResult, PhaseRun, Tally, count_of, shared};

/// `correctness`: every ticket resolves to its job's value, or to
/// `Err(JobPanicked)` if it panicked; `shutdown()` counts what the jobs did;
/// with one worker, jobs start in the order they were accepted.
pub fn correctness(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    let mut tickets = 0;
    for trial in trials {
        for w in &trial.waits {
            let (Some(out), Some(ran)) = (&w.output, trial.ran.get(&w.job)) else {
                continue;
            };
            tickets += 1;
            let want = expected_ticket(ran.outcome);
            if *out != want {
                let what = |v: &str| {
                    if v == "panicked" {
                        "Err(JobPanicked)".to_string()
                    } else {
                        format!("Ok({v})")
                    }
                };
                let hint = if want == "panicked" {
                    "a job that panics must resolve its ticket to Err(JobPanicked)"
                } else if out == "panicked" {
                    "only a job that panicked may resolve to Err(JobPanicked)"
                } else {
                    "each ticket must get its own job's result: does every job carry its own \
                     reply channel?"
                };
                return CheckResult::fail(
                    CheckId::CORRECTNESS,
                    format!(
                        "{}, job {}'s ticket resolved to {} but the job {}: {hint}",
                        trial.place(),
                        w.job,
                        what(out),
                        if want == "panicked" {
                            "panicked".to_string()
                        } else {
                            format!("returned {want}")
                        },
                    ),
                );
            }
        }
        if let Some((first, overtook)) = out_of_order(trial) {
            return CheckResult::fail(
                CheckId::CORRECTNESS,
                format!(
                    "{}, job {overtook} began before job {first}, which was accepted first: jobs \
                     must start in the order they were accepted (a FIFO queue)",
                    trial.place(),
                ),
            );
        }
        if let Some((expected, value)) = &trial.stats
            && expected != value
        {
            let pair = |s: &str| {
                let mut it = s.split(' ');
                format!(
                    "completed {}, panicked {}",
                    it.next().unwrap_or("?"),
                    it.next().unwrap_or("?")
                )
            };
            return CheckResult::fail(
                CheckId::CORRECTNESS,
                format!(
                    "{}, shutdown() returned PoolStats {{ {} }} but the jobs that ran make it {}: \
                     `completed` counts jobs that returned, `panicked` jobs that panicked",
                    trial.place(),
                    pair(value),
                    pair(expected),
                ),
            );
        }
    }
    let single = runs.iter().find(|r| r.phase == "single");
    if let Some(run) = single.filter(|r| !r.finished()) {
        return shared::not_checked(CheckId::CORRECTNESS, run);
    }
    if tickets == 0 {
        return shared::not_checked(CheckId::CORRECTNESS, &runs[0]);
    }
    CheckResult::pass(
        CheckId::CORRECTNESS,
        format!(
            "{} resolved to their jobs' results, the stats added up and one worker kept the order",
            count_of(tickets, "ticket")
        ),
    )
}

/// `lost-messages`: once `shutdown()` returned, every job that was accepted
/// had run; no rejected job ran; no ticket resolved for a job that never ran.
pub fn lost_messages(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    let mut checked = 0;
    for trial in trials {
        for w in &trial.waits {
            if w.output.is_some() && !trial.ran.contains_key(&w.job) && trial.shutdown.is_some() {
                return CheckResult::fail(
                    CheckId::LOST_MESSAGES,
                    format!(
                        "{}, job {}'s ticket resolved, but the job never ran: a ticket must \
                         wait for its job's own result",
                        trial.place(),
                        w.job
                    ),
                );
            }
        }
        if let Some(s) = trial
            .submits
            .iter()
            .find(|s| s.accepted == Some(false) && trial.ran.contains_key(&s.job))
        {
            return CheckResult::fail(
                CheckId::LOST_MESSAGES,
                format!(
                    "{}, try_submit() returned Err(Full) for job {}, yet the job ran: a rejected \
                     job must not run (the caller thinks it did not)",
                    trial.place(),
                    s.job
                ),
            );
        }
        if trial.shutdown.is_none() {
            continue;
        }
        checked += 1;
        let lost: Vec<u64> = trial
            .submits
            .iter()
            .filter(|s| s.accepted == Some(true) && !trial.ran.contains_key(&s.job))
            .map(|s| s.job)
            .collect();
        if !lost.is_empty() {
            return lost_jobs(trial, &lost);
        }
    }
    if let Some(run) = runs.iter().find(|r| !r.finished()) {
        return shared::not_checked(CheckId::LOST_MESSAGES, run);
    }
    if checked == 0 {
        return shared::not_checked(CheckId::LOST_MESSAGES, &runs[0]);
    }
    CheckResult::pass(
        CheckId::LOST_MESSAGES,
        format!(
            "every accepted job ran exactly once before shutdown() returned ({})",
            count_of(checked, "pool")
        ),
    )
}

fn lost_jobs(trial: &Trial, lost: &[u64]) -> CheckResult {
    let shown: Vec<String> = lost.iter().take(6).map(|j| j.to_string()).collect();
    let more = if lost.len() > shown.len() {
        ", ..."
    } else {
        ""
    };
    let drained = if trial.scenario == "drain" {
        " shutdown() was called while they were still queued: it must let the workers finish \
         the queue (drop the sender and let them drain it) before joining them"
    } else {
        " Does shutdown() stop the workers before the queue is empty, or does submit() drop \
         jobs?"
    };
    let message = format!(
        "{}, shutdown() returned but {} accepted (a ticket was returned) never ran (job {}{more}).{drained}",
        trial.place(),
        count_of(lost.len(), "job"),
        shown.join(", "),
    );
    let mut lanes: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    for s in trial.submits.iter().filter(|s| s.accepted == Some(true)) {
        let row = lanes.entry(s.lane).or_default();
        row.0 += 1;
        if trial.ran.contains_key(&s.job) {
            row.1 += 1;
        }
    }
    let name = |lane: usize| {
        if lane == 0 {
            "the tutor's thread".to_string()
        } else {
            format!("client {}", lane - 1)
        }
    };
    let mut tallies: Vec<Tally> = lanes
        .iter()
        .map(|(&lane, &(sent, ran))| {
            Tally::both(name(lane), format!("{sent} jobs"), format!("{ran} jobs"))
        })
        .collect();
    let (sent, ran) = lanes
        .values()
        .fold((0, 0), |(a, b), &(s, r)| (a + s, b + r));
    tallies.push(Tally::both(
        "total",
        format!("{sent} jobs"),
        format!("{ran} jobs"),
    ));
    let accounting = Accounting {
        place: trial.place().trim_start_matches("in ").to_string(),
        tallies,
        messages: Vec::new(),
        note: format!(
            "{} accepted, {} ran: every job the pool accepted must run before shutdown() returns.",
            count_of(sent, "job"),
            ran
        ),
    };
    CheckResult::fail(CheckId::LOST_MESSAGES, message).with_accounting(accounting)
}
