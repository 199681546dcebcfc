//! The `linearizable` judgement, shared by every exercise: each trial's
//! recorded calls form one history, checked against the exercise's
//! sequential model with a time budget. A violation is shown as the
//! neighbourhood of the first call that cannot be explained, drawn as a
//! timeline; a search that runs out of time is "not checked", never a pass.
//!
//! Exercises supply only what is model-specific ([`Linearizable`]): how a
//! record reads, the budget, and a hint sentence for the learner.

use crate::cpu_budget::CpuBudget;
use crate::protocol::OpRecord;
use crate::report::{CheckId, CheckResult};
use crate::run::PhaseRun;
use lincheck::explain::Explanation;
use lincheck::search::{Mode, SearchOutcome, search};
use lincheck::{self, CheckOptions, History, Model, Operation, Outcome, Timeline, Violation};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Turns one recorded call into the model's input and output (`None`
/// output for a call that never returned); `None` skips a record.
pub type Parse<M> = fn(&OpRecord) -> Option<(<M as Model>::Input, Option<<M as Model>::Output>)>;

/// One trial's recorded calls as the model sees them.
pub type Trial<M> = Vec<Operation<<M as Model>::Input, <M as Model>::Output>>;

/// Turns a record that observes the whole state at once (the ledger's
/// `shutdown()` map) into calls the model understands, given the trial's
/// calls so far; `None` leaves the record to [`Parse`].
pub type Observe<M> = fn(&OpRecord, &Trial<M>) -> Option<Trial<M>>;

/// What the learner is shown about a violation, for an exercise's hint.
#[derive(Debug)]
pub struct Failure<'a, M: Model> {
    /// The trial's whole history.
    pub history: &'a History<M>,
    /// The calls drawn, as indices into `history`.
    pub shown: &'a [usize],
    /// The call that could not be placed, when the explaining search found it.
    pub blocked: Option<usize>,
    /// The thread whose record [`Observe`] expanded, if any (the tutor's own).
    pub observer: Option<usize>,
}

/// An exercise's `linearizable` judgement: everything model-specific.
pub struct Linearizable<M: Model> {
    /// The state every trial starts from.
    pub initial: M,
    /// How one record reads.
    pub parse: Parse<M>,
    /// How a record that observes the whole state reads, if the exercise
    /// has one.
    pub observe: Option<Observe<M>>,
    /// Time for deciding every trial of the phase together.
    pub budget: Duration,
    /// Time for one trial at most, so that one tangled trial cannot use
    /// the whole budget.
    pub trial_budget: Duration,
    /// Sentences appended to the failure message (empty for none): what
    /// bug usually produces this failure.
    pub hint: fn(&Failure<'_, M>) -> String,
}

/// Time for finding and explaining the first failure of a violating trial.
const EXPLAIN_BUDGET: Duration = Duration::from_secs(1);

impl<M: Model> Linearizable<M> {
    /// The histories of a phase, one per trial, in trial order, with the
    /// thread of each trial's observing record.
    pub fn histories(&self, run: &PhaseRun) -> BTreeMap<usize, (Trial<M>, Option<usize>)> {
        let mut trials: BTreeMap<usize, (Trial<M>, Option<usize>)> = BTreeMap::new();
        for op in run.ops() {
            let (history, observer) = trials.entry(op.trial).or_default();
            if let Some(observed) = self.observe.and_then(|observe| observe(op, history)) {
                history.extend(observed);
                *observer = Some(op.thread);
                continue;
            }
            let Some((input, output)) = (self.parse)(op) else {
                continue;
            };
            history.push(match (op.ret, output) {
                (Some(ret), Some(output)) => {
                    Operation::completed(op.thread, op.call, ret, input, output)
                }
                _ => Operation::pending(op.thread, op.call, input),
            });
        }
        trials
    }

    /// Judges every trial of `run`.
    ///
    /// Budgets are CPU time of this thread, not wall time: on a loaded
    /// machine a search that got a fraction of a core in its wall-clock
    /// budget is tried again rather than reported as out of time (see
    /// [`CpuBudget`]).
    pub fn judge(&self, run: &PhaseRun) -> CheckResult {
        let trials = self.histories(run);
        let allowance = CpuBudget::start(self.budget);
        let mut calls = 0;
        let mut inconclusive = None;
        for (trial, (history, observer)) in &trials {
            let left = allowance.left();
            if left.is_zero() {
                inconclusive.get_or_insert((*trial, String::new()));
                break;
            }
            calls += history.len();
            let budget = left.min(self.trial_budget);
            let outcome = allowance.search(budget, |budget| {
                // The checker's own shrinking is only a fallback here (see
                // `around_the_failure`), so it gets the explaining budget.
                let options = CheckOptions {
                    shrink_budget: EXPLAIN_BUDGET,
                    ..CheckOptions::with_budget(budget)
                };
                lincheck::check_with(&self.initial, history, &options)
            });
            match outcome {
                Outcome::Linearizable => {}
                Outcome::Inconclusive { unfinished, .. } => {
                    let part = unfinished.first().map(|p| format!(" ({})", p.describe()));
                    inconclusive.get_or_insert((*trial, part.unwrap_or_default()));
                }
                Outcome::NotLinearizable(violation) => {
                    return self.failure(*trial, history, *observer, &violation);
                }
            }
        }
        if let Some((trial, part)) = inconclusive {
            return CheckResult::not_checked(
                CheckId::LINEARIZABLE,
                format!(
                    "not checked: the search ran out of time at trial {trial}{part}; this is not a pass (run the check again)"
                ),
            );
        }
        if trials.is_empty() || run.cut_short().is_some() {
            return crate::checks::not_checked(CheckId::LINEARIZABLE, run);
        }
        CheckResult::pass(
            CheckId::LINEARIZABLE,
            format!(
                "all {} in {} are explained by an order that respects real time",
                crate::count_of(calls, "call"),
                crate::count_of(trials.len(), "trial")
            ),
        )
    }

    fn failure(
        &self,
        trial: usize,
        history: &History<M>,
        observer: Option<usize>,
        violation: &Violation,
    ) -> CheckResult {
        let (why, timeline, shown, blocked) =
            match around_the_failure(&self.initial, history, violation) {
                Some((window, explanation)) => {
                    let sentence = sentence::<M>(history, &window, &explanation);
                    let timeline = Timeline::new::<M>(
                        history,
                        &window,
                        Some(explanation.blocked),
                        Some(sentence.clone()),
                    );
                    (sentence, timeline, window, Some(explanation.blocked))
                }
                None => {
                    let why = violation
                        .explanation
                        .as_ref()
                        .map_or_else(|| violation.description.clone(), |e| e.sentence());
                    let timeline = Timeline::from_violation::<M>(history, violation);
                    let blocked = violation.explanation.as_ref().map(|e| e.blocked);
                    (why, timeline, violation.operations.clone(), blocked)
                }
            };
        let threads: BTreeSet<usize> = shown.iter().map(|&i| history[i].thread).collect();
        let hint = (self.hint)(&Failure {
            history,
            shown: &shown,
            blocked,
            observer,
        });
        let hint = if hint.is_empty() {
            hint
        } else {
            format!(" {hint}")
        };
        // Say which independent part failed when the history split.
        let part = if violation.part.of > 1 {
            format!(" in {}", violation.part.describe())
        } else {
            String::new()
        };
        CheckResult::fail(
            CheckId::LINEARIZABLE,
            format!(
                "in trial {trial}, no order of the calls{part} that respects real time explains the results: {why} \
                 (the picture shows {} on {} around it){hint}",
                crate::count_of(shown.len(), "call"),
                crate::count_of(threads.len(), "thread")
            ),
        )
        .with_timeline(timeline)
    }
}

/// Judges every trial of `run` as `spec` says.
pub fn linearizable<M: Model>(run: &PhaseRun, spec: &Linearizable<M>) -> CheckResult {
    spec.judge(run)
}

/// Explains a violation by where it first goes wrong, and picks the calls
/// worth drawing: the call that could not be placed, the calls of other
/// threads that overlap it, and its own thread's calls just before it.
///
/// The end comes first: the earliest moment at which the calls so far
/// already fail ([`cut`]; failing only grows with the moment, so a binary
/// search finds it). Explaining that prefix rather than the whole history
/// blames the first impossible result, not one far later that only looks
/// wrong because the search went astray earlier. The explaining search then
/// gives the longest order it could make sense of and the model's state
/// after it.
///
/// Deleting calls from a history changes what the remaining results mean
/// (drop the increments and any read looks impossible "from the start"), so
/// instead of a shrunk history the learner sees the state the model had
/// reached and the neighbourhood of the call that contradicts it, with the
/// concurrent calls that cause the problem.
fn around_the_failure<M: Model>(
    initial: &M,
    history: &History<M>,
    violation: &Violation,
) -> Option<(Vec<usize>, Explanation)> {
    violation.operations.first()?;
    let part = &violation.part.operations;
    let deadline = Instant::now() + EXPLAIN_BUDGET;
    let (prefix, original) = earliest_failure(initial, history, part, deadline);
    let mode = Mode {
        explain: true,
        ..Mode::default()
    };
    let all: Vec<usize> = (0..prefix.len()).collect();
    let SearchOutcome::NotLinearizable(Some(deepest)) =
        search(initial, &prefix, &all, deadline, mode).outcome
    else {
        return None;
    };
    let mut explanation = Explanation::from_deepest(&prefix, &deepest);
    // Back to indices into the whole history.
    explanation.blocked = original[explanation.blocked];
    explanation.prefix = explanation.prefix.iter().map(|&i| original[i]).collect();
    let blocked = &history[explanation.blocked];
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
    window.push(explanation.blocked);
    window.sort_by_key(|&i| history[i].call);
    Some((window, explanation))
}

/// The shortest prefix (by moment, see [`cut`]) of the calls `part` that
/// already fails, with each of its calls' index in `history`; the whole
/// part when the search runs out of time.
fn earliest_failure<M: Model>(
    initial: &M,
    history: &History<M>,
    part: &[usize],
    deadline: Instant,
) -> (Trial<M>, Vec<usize>) {
    let mut ends: Vec<u64> = part.iter().filter_map(|&i| history[i].ret).collect();
    ends.sort_unstable();
    ends.dedup();
    let fails = |end: u64| {
        let (prefix, _) = cut::<M>(history, part, end);
        let all: Vec<usize> = (0..prefix.len()).collect();
        match search(initial, &prefix, &all, deadline, Mode::default()).outcome {
            SearchOutcome::NotLinearizable(_) => Some(true),
            SearchOutcome::Linearizable => Some(false),
            SearchOutcome::Inconclusive => None,
        }
    };
    // The smallest index whose prefix fails; the whole part does.
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match fails(ends[mid]) {
            Some(true) => hi = mid,
            Some(false) => lo = mid + 1,
            None => return cut::<M>(history, part, u64::MAX),
        }
    }
    cut::<M>(history, part, ends.get(lo).copied().unwrap_or(u64::MAX))
}

/// The calls of `part` up to moment `end`: those still in flight then are
/// kept as never returned (they may or may not have taken effect), later
/// ones are left out. Calls that start after `end` can only come after
/// every call that returned by then, so if this prefix fails, the whole
/// history fails. Also gives each kept call's index in `history`.
fn cut<M: Model>(history: &History<M>, part: &[usize], end: u64) -> (Trial<M>, Vec<usize>) {
    part.iter()
        .copied()
        .filter(|&i| history[i].call <= end)
        .map(|i| {
            let op = &history[i];
            let kept = match op.ret {
                Some(r) if r <= end => op.clone(),
                _ => Operation::pending(op.thread, op.call, op.input.clone()),
            };
            (kept, i)
        })
        .unzip()
}

/// The explanation in one sentence. When other threads' calls overlap the
/// one that could not be placed, its result is not one fixed value, so the
/// sentence says what is impossible rather than what it "must" return.
fn sentence<M: Model>(history: &History<M>, window: &[usize], explanation: &Explanation) -> String {
    let blocked = &history[explanation.blocked];
    let (from, to) = (blocked.call, blocked.ret.unwrap_or(u64::MAX));
    let overlapped = window.iter().any(|&i| {
        let op = &history[i];
        op.thread != blocked.thread && op.call <= to && op.ret.unwrap_or(u64::MAX) >= from
    });
    let Some(actual) = explanation.actual.as_ref().filter(|_| overlapped) else {
        return explanation.sentence();
    };
    let context = match explanation.prefix.len() {
        0 => format!("At the start {}", explanation.state),
        1 => format!("After the first call {}", explanation.state),
        n => format!("After these {n} calls {}", explanation.state),
    };
    format!(
        "{context}, and no order of the calls still running then lets thread {}'s {} return {actual}.",
        explanation.blocked_thread, explanation.blocked_call
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter, just enough of one for a history to go wrong.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    struct CounterModel(i64);

    #[derive(Debug, Clone, Copy)]
    enum CounterOp {
        Increment,
        Get,
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum CounterRet {
        Done,
        Value(i64),
    }

    impl Model for CounterModel {
        type Input = CounterOp;
        type Output = CounterRet;
        fn step(&self, input: &CounterOp) -> (Self, CounterRet) {
            match input {
                CounterOp::Increment => (CounterModel(self.0 + 1), CounterRet::Done),
                CounterOp::Get => (*self, CounterRet::Value(self.0)),
            }
        }
        fn describe(&self) -> String {
            format!("the count is {}", self.0)
        }
    }

    #[test]
    fn the_first_impossible_result_is_blamed_with_its_neighbourhood() {
        use CounterOp::{Get, Increment};
        use CounterRet::{Done, Value};
        let history = vec![
            Operation::completed(0, 0, 1, Increment, Done),
            Operation::completed(1, 2, 3, Get, Value(1)),
            // Stale: the first thing that goes wrong.
            Operation::completed(1, 4, 7, Get, Value(0)),
            Operation::completed(2, 5, 6, Increment, Done),
            Operation::completed(2, 8, 9, Get, Value(7)),
        ];
        let initial = CounterModel::default();
        let outcome = lincheck::check(&initial, &history, Duration::from_secs(5));
        let violation = outcome.violation().expect("not linearizable");
        let (window, explanation) =
            around_the_failure(&initial, &history, violation).expect("explained");
        assert_eq!(explanation.blocked, 2, "{explanation:?}");
        assert_eq!(
            window,
            vec![1, 2, 3],
            "own earlier call and the overlapping one"
        );
    }
}
