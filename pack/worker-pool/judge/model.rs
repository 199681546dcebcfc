//! The pool's semantics, as the judge applies them to one recorded trial.
//!
//! Everything here reads ticks of the harness's global clock, which every
//! thread takes in one total order: a job "runs" between the two ticks its
//! body took, a job is "surely waiting" between the return of the call
//! that accepted it and its first tick, and it "may be waiting" from the
//! start of that call. Counting over these intervals says what certainly
//! happened at one instant, however the machine scheduled the threads.

use super::records::{Outcome, Trial};

/// At most how many of `intervals` (open, `(from, to)`) held at one
/// instant, and the first tick where that many did.
pub fn most_at_once(intervals: impl Iterator<Item = (u64, u64)>) -> (usize, u64) {
    let mut events: Vec<(u64, i8)> = Vec::new();
    for (from, to) in intervals {
        events.push((from, 1));
        events.push((to, -1));
    }
    // Open intervals: at one tick, ends before starts, so one that ends
    // at a tick does not meet one that starts there.
    events.sort();
    let (mut now, mut most, mut at) = (0i64, 0i64, 0);
    for (tick, step) in events {
        now += i64::from(step);
        if now > most {
            most = now;
            at = tick;
        }
    }
    (most as usize, at)
}

/// The jobs that ran, as intervals of their bodies.
pub fn running(trial: &Trial) -> impl Iterator<Item = (u64, u64)> + '_ {
    trial.ran.values().map(|r| (r.start, r.end))
}

/// The jobs surely waiting: accepted (the call returned a ticket) and not
/// yet begun.
pub fn surely_waiting(trial: &Trial) -> impl Iterator<Item = (u64, u64)> + '_ {
    trial.submits.iter().filter_map(|s| {
        let ret = s.ret?;
        let ran = trial.ran.get(&s.job)?;
        (s.accepted == Some(true) && ran.start > ret).then_some((ret, ran.start))
    })
}

/// How many jobs may have been waiting at some instant of `[from, to]`:
/// handed to a call that began before `to` and not begun before `from`
/// (a job that never began counts). An upper bound for every instant.
pub fn may_have_waited(trial: &Trial, from: u64, to: u64, except: u64) -> usize {
    trial
        .submits
        .iter()
        .filter(|s| s.job != except && s.call < to && s.accepted != Some(false))
        .filter(|s| trial.ran.get(&s.job).is_none_or(|r| r.start > from))
        .count()
}

/// What a ticket must resolve to, given how its job ended.
pub fn expected_ticket(outcome: Outcome) -> String {
    match outcome {
        Outcome::Returned(v) => v.to_string(),
        Outcome::Panicked => "panicked".to_string(),
    }
}

/// Two jobs, accepted one surely before the other, that began the other
/// way round: with one worker, jobs start in the order they were accepted.
/// Returns `(first accepted, began first)`.
pub fn out_of_order(trial: &Trial) -> Option<(u64, u64)> {
    if trial.workers != 1 {
        return None;
    }
    let accepted: Vec<_> = trial
        .submits
        .iter()
        .filter(|s| s.accepted == Some(true))
        .filter_map(|s| Some((s, s.ret?, trial.ran.get(&s.job)?)))
        .collect();
    for (a, a_ret, a_ran) in &accepted {
        for (b, _, b_ran) in &accepted {
            if *a_ret < b.call && b_ran.start < a_ran.start {
                return Some((a.job, b.job));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_counts_open_intervals() {
        assert_eq!(most_at_once([(1, 5), (2, 6), (7, 9)].into_iter()), (2, 2));
        assert_eq!(most_at_once([(1, 5), (5, 9)].into_iter()).0, 1);
        assert_eq!(
            most_at_once([(1, 10), (2, 3), (4, 8), (5, 6)].into_iter()),
            (3, 5)
        );
        assert_eq!(most_at_once(std::iter::empty()).0, 0);
    }
}
