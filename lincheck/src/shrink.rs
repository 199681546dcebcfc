//! Shrinking a non-linearizable history to a small piece that still fails.
//!
//! A learner gains little from a thousand-call history; the few calls that
//! cannot be reconciled are what teach. Shrinking removes blocks of
//! operations while the rest is still non-linearizable, halving the block
//! size down to single operations (a light form of delta debugging), and
//! then repeats single-operation passes until nothing more can go: removing
//! one operation can make another one removable, so one pass is not enough
//! to reach a history with no removable operation. Calls that a remaining
//! result needs are never removed ([`witness`](crate::witness)).

use std::time::{Duration, Instant};

use super::explain::Explanation;
use super::search::{Mode, SearchOutcome, search_within};
use super::witness::witnesses;
use super::{History, Model, Operation, Part, Violation};

/// Shrinks the non-linearizable sub-history `subset` (indices into
/// `history`) within `budget`.
///
/// Returns the remaining indices, ordered by call, and whether shrinking
/// finished; when it did, removing any single remaining operation makes the
/// history linearizable or takes away a call that a remaining result needs
/// (see [`witness`](crate::witness)): the shrunk history shows an ordering
/// problem rather than a value out of thin air, at any history length. If
/// `subset` is not actually non-linearizable it is returned as it is.
pub fn shrink<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    budget: Duration,
) -> (Vec<usize>, bool) {
    let deadline = Instant::now() + budget;
    let current = by_call(history, subset.to_vec());
    shrink_until(initial, history, current, deadline, crate::DEFAULT_MEMORY)
}

/// `operations` ordered by call, ties by index: as they are when they are
/// already (checking is one pass), else sorted.
fn by_call<I, O>(history: &[Operation<I, O>], operations: Vec<usize>) -> Vec<usize> {
    if operations.is_sorted_by_key(|&i| (history[i].call, i)) {
        return operations;
    }
    // Sorting the keys themselves (unique, so an unstable sort gives the
    // one order) is several times faster than looking them up in the
    // history at every comparison.
    let mut keyed: Vec<(u64, usize)> = operations
        .into_iter()
        .map(|i| (history[i].call, i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Shrinks `current` (ordered by call) until `deadline`.
fn shrink_until<M: Model>(
    initial: &M,
    history: &History<M>,
    mut current: Vec<usize>,
    deadline: Instant,
    memory: usize,
) -> (Vec<usize>, bool) {
    // No time at all (a caller who wants the verdict only): finding what
    // each result needs would be thrown away unused.
    let now = Instant::now();
    if now >= deadline && !current.is_empty() {
        return (current, false);
    }
    // A quarter of the time finds what each result needs; the rest removes.
    let witnesses = witnesses(
        initial,
        history,
        &current,
        now + deadline.saturating_duration_since(now) / 4,
        memory,
    );
    // Removing `gone` is allowed only if no remaining result needs it.
    let protected = |gone: &[usize]| {
        witnesses
            .iter()
            .any(|(kept, needs)| !gone.contains(kept) && needs.iter().any(|n| gone.contains(n)))
    };
    // `None` means the deadline passed: stop and report an unfinished shrink.
    let fails = |candidate: &[usize]| -> Option<bool> {
        match search_within(
            initial,
            history,
            candidate,
            deadline,
            Mode::default(),
            memory,
        )
        .outcome
        {
            SearchOutcome::NotLinearizable(_) => Some(true),
            SearchOutcome::Linearizable => Some(false),
            SearchOutcome::Inconclusive => None,
        }
    };

    let mut chunk = (current.len() / 2).max(1);
    loop {
        let mut removed_any = false;
        let mut start = 0;
        while start < current.len() {
            if Instant::now() >= deadline {
                return (current, false);
            }
            let end = (start + chunk).min(current.len());
            if protected(&current[start..end]) {
                start = end;
                continue;
            }
            let candidate: Vec<usize> = current[..start]
                .iter()
                .chain(&current[end..])
                .copied()
                .collect();
            match fails(&candidate) {
                Some(true) => {
                    // Keep `start`: the next block has slid into its place.
                    current = candidate;
                    removed_any = true;
                }
                Some(false) => start = end,
                None => return (current, false),
            }
        }
        if chunk > 1 {
            chunk /= 2;
        } else if !removed_any {
            return (current, true);
        }
    }
}

/// Builds the [`Violation`] for the non-linearizable part `part`, whose
/// calls `operations` holds in any order (the deciding search's is mostly
/// by call already, which saves a sort): shrinks it with three quarters of
/// `budget` and explains the result with what is left (at least a
/// quarter), every search's cache within `memory`.
pub(crate) fn violation<M: Model>(
    initial: &M,
    history: &History<M>,
    part: Part,
    operations: Vec<usize>,
    budget: Duration,
    memory: usize,
) -> Violation {
    let start = Instant::now();
    let (operations, fully_shrunk) = shrink_until(
        initial,
        history,
        by_call(history, operations),
        start + budget * 3 / 4,
        memory,
    );
    let mode = Mode {
        explain: true,
        ..Mode::default()
    };
    // With no time left the search would still run up to its first look
    // at the clock, which on a long part can take longer than deciding did.
    let deadline = start + budget;
    let explained = (Instant::now() < deadline)
        .then(|| search_within(initial, history, &operations, deadline, mode, memory));
    let explanation = match explained.map(|e| e.outcome) {
        Some(SearchOutcome::NotLinearizable(Some(deepest))) => {
            Some(Explanation::from_deepest(history, &deepest))
        }
        _ => None,
    };
    let description = match &explanation {
        Some(explanation) => explanation.sentence(),
        None => format!(
            "No order of these {} calls explains every result.",
            operations.len()
        ),
    };
    Violation {
        part,
        operations,
        fully_shrunk,
        explanation,
        description,
    }
}
