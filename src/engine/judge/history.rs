//! The `linearizable` judgement, shared by every exercise: each trial's
//! recorded calls form one history, checked against the exercise's
//! sequential model with a time budget. A violation is shown as the
//! shrunk history drawn as a timeline; a search that runs out of time is
//! "not checked", never a pass.

use super::PhaseRun;
use crate::engine::protocol::OpRecord;
use crate::engine::report::{CheckId, CheckResult};
use crate::linearizability::explain::Explanation;
use crate::linearizability::search::{Mode, SearchOutcome, search};
use crate::linearizability::{self, History, Model, Operation, Outcome, Timeline, Violation};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Turns one recorded call into the model's input and output (`None`
/// output for a call that never returned); `None` skips a record.
pub type Parse<M> = fn(&OpRecord) -> Option<(<M as Model>::Input, Option<<M as Model>::Output>)>;

/// One trial's recorded calls as the model sees them.
pub type Trial<M> = Vec<Operation<<M as Model>::Input, <M as Model>::Output>>;

/// The histories of a phase, one per trial, in trial order.
pub fn histories<M: Model>(run: &PhaseRun, parse: Parse<M>) -> BTreeMap<usize, Trial<M>> {
    let mut trials: BTreeMap<usize, Trial<M>> = BTreeMap::new();
    for op in run.ops() {
        let Some((input, output)) = parse(op) else {
            continue;
        };
        let operation = match (op.ret, output) {
            (Some(ret), Some(output)) => {
                Operation::completed(op.thread, op.call, ret, input, output)
            }
            _ => Operation::pending(op.thread, op.call, input),
        };
        trials.entry(op.trial).or_default().push(operation);
    }
    trials
}

/// Judges every trial of `run` against `initial`, within `budget` in all.
pub fn linearizable<M: Model>(
    run: &PhaseRun,
    initial: &M,
    parse: Parse<M>,
    budget: Duration,
) -> CheckResult {
    let trials = histories::<M>(run, parse);
    let deadline = Instant::now() + budget;
    let mut calls = 0;
    let mut inconclusive = None;
    for (trial, history) in &trials {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            inconclusive.get_or_insert(*trial);
            break;
        }
        calls += history.len();
        match linearizability::check(initial, history, left) {
            Outcome::Linearizable => {}
            Outcome::Inconclusive { .. } => {
                inconclusive.get_or_insert(*trial);
            }
            Outcome::NotLinearizable(violation) => {
                let (why, timeline, shown) = match around_the_failure(initial, history, &violation)
                {
                    Some((window, explanation)) => {
                        let sentence = explanation.sentence();
                        let timeline = Timeline::new::<M>(
                            history,
                            &window,
                            Some(explanation.blocked),
                            Some(sentence.clone()),
                        );
                        (sentence, timeline, window)
                    }
                    None => {
                        let why = violation
                            .explanation
                            .as_ref()
                            .map_or_else(|| violation.description.clone(), |e| e.sentence());
                        let timeline = Timeline::from_violation::<M>(history, &violation);
                        (why, timeline, violation.operations.clone())
                    }
                };
                let threads: std::collections::BTreeSet<usize> =
                    shown.iter().map(|&i| history[i].thread).collect();
                return CheckResult::fail(
                    CheckId::Linearizable,
                    format!(
                        "in trial {trial}, no order of the calls that respects real time explains the results: {why} \
                         (the picture shows {} calls on {} thread(s) around it)",
                        shown.len(),
                        threads.len()
                    ),
                )
                .with_timeline(timeline);
            }
        }
    }
    if let Some(trial) = inconclusive {
        return CheckResult::not_checked(
            CheckId::Linearizable,
            format!(
                "not checked: the search ran out of time at trial {trial}; this is not a pass (run the check again)"
            ),
        );
    }
    if trials.is_empty() || run.cut_short().is_some() {
        return super::not_checked(CheckId::Linearizable, run);
    }
    CheckResult::pass(
        CheckId::Linearizable,
        format!(
            "all {calls} calls in {} trials are explained by an order that respects real time",
            trials.len()
        ),
    )
}

/// Explains a violation by where the search got stuck, and picks the calls
/// worth drawing: the call that could not be placed, the calls of other
/// threads that overlap it, and its own thread's calls just before it.
///
/// Deleting calls from a history changes what the remaining results mean
/// (drop the increments and any read looks impossible "from the start"), so
/// instead of a shrunk history the learner sees the state the model had
/// reached and the neighbourhood of the call that contradicts it.
fn around_the_failure<M: Model>(
    initial: &M,
    history: &History<M>,
    violation: &Violation,
) -> Option<(Vec<usize>, Explanation)> {
    let first = *violation.operations.first()?;
    let part = M::partition(history)
        .and_then(|parts| parts.into_iter().find(|p| p.contains(&first)))
        .unwrap_or_else(|| (0..history.len()).collect());
    let deadline = Instant::now() + Duration::from_secs(1);
    let mode = Mode {
        explain: true,
        ..Mode::default()
    };
    let SearchOutcome::NotLinearizable(Some(deepest)) =
        search(initial, history, &part, deadline, mode).outcome
    else {
        return None;
    };
    let explanation = Explanation::from_deepest(history, &deepest);
    let blocked = &history[deepest.blocked];
    let (from, to) = (blocked.call, blocked.ret.unwrap_or(u64::MAX));
    let mut own: Vec<usize> = part
        .iter()
        .copied()
        .filter(|&i| history[i].thread == blocked.thread && history[i].call < from)
        .collect();
    own.sort_by_key(|&i| history[i].call);
    let own = own.split_off(own.len().saturating_sub(3));
    let mut overlapping: Vec<usize> = part
        .iter()
        .copied()
        .filter(|&i| {
            let op = &history[i];
            op.thread != blocked.thread && op.call <= to && op.ret.unwrap_or(u64::MAX) >= from
        })
        .collect();
    overlapping.sort_by_key(|&i| history[i].call.abs_diff(from));
    overlapping.truncate(5);
    let mut window: Vec<usize> = own.into_iter().chain(overlapping).collect();
    window.push(deepest.blocked);
    window.sort_by_key(|&i| history[i].call);
    Some((window, explanation))
}
