//! Linearizability checking of histories recorded on real threads.
//!
//! A learner's owner thread is correct when every history of calls made
//! against it could have happened one call at a time, in an order that
//! respects real time (a call that returned before another started comes
//! first), with every call returning what the sequential [`Model`] says.
//!
//! The search is Wing & Gong's backtracking search with Lowe's memoisation
//! and "just-in-time" linearization (see [`search`] for details). Histories
//! that split into independent parts ([`Model::partition`]) are checked part
//! by part, which keeps long histories cheap. A failing history is shrunk
//! ([`shrink`]) to a small piece that still fails, explained in one sentence
//! ([`Explanation`]) and can be drawn as a [`Timeline`].

pub mod explain;
pub mod search;
pub mod shrink;
pub mod simulate;
pub mod timeline;

use std::fmt::Debug;
use std::hash::Hash;
use std::time::{Duration, Instant};

pub use explain::Explanation;
pub use shrink::shrink;
pub use simulate::simulate;
pub use timeline::{Lane, Timeline, TimelineOp, render_text};

use search::{Mode, SearchOutcome, search};

/// One call recorded on a client thread.
///
/// `call` and `ret` come from one global atomic counter, so `a.ret < b.call`
/// means `a` really finished before `b` started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation<I, O> {
    /// Client thread index; each thread is one lane of the timeline.
    pub thread: usize,
    /// Sequence number taken just before the call.
    pub call: u64,
    /// Sequence number taken just after it returned; `None` when the call
    /// never returned (it may or may not have taken effect).
    pub ret: Option<u64>,
    /// What was asked.
    pub input: I,
    /// What came back; `None` exactly when the call is pending.
    pub output: Option<O>,
}

impl<I, O> Operation<I, O> {
    /// A call that returned `output` between sequence numbers `call` and `ret`.
    pub fn completed(thread: usize, call: u64, ret: u64, input: I, output: O) -> Self {
        Operation {
            thread,
            call,
            ret: Some(ret),
            input,
            output: Some(output),
        }
    }

    /// A call started at `call` that never returned.
    pub fn pending(thread: usize, call: u64, input: I) -> Self {
        Operation {
            thread,
            call,
            ret: None,
            input,
            output: None,
        }
    }

    /// Whether the call never returned.
    pub fn is_pending(&self) -> bool {
        self.ret.is_none()
    }
}

/// A history whose types match model `M`.
pub type History<M> = [Operation<<M as Model>::Input, <M as Model>::Output>];

/// A sequential specification: what one call does to the state when calls
/// happen one at a time.
///
/// `Eq` and `Hash` matter: the checker remembers (set of calls done, state)
/// pairs it has already explored, so two states must compare equal exactly
/// when no later call could tell them apart (or the cache just works less
/// well; it never becomes wrong).
pub trait Model: Clone + Eq + Hash {
    /// What a call asks for.
    type Input: Clone + Debug;
    /// What a call returns.
    type Output: Clone + PartialEq + Debug;

    /// Applies one operation to the state: the new state and what the
    /// operation must return.
    fn step(&self, input: &Self::Input) -> (Self, Self::Output);

    /// Splits a history into independent sub-histories (P-compositionality),
    /// as lists of indices into `history`, or returns `None` when it cannot.
    ///
    /// Every part is checked from the same initial state, so a part must only
    /// contain calls whose results depend on nothing outside the part, and
    /// every index must appear in exactly one part.
    fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
        let _ = history;
        None
    }

    /// One sentence describing the state for explanations, e.g. "the count
    /// is 5".
    fn describe(&self) -> String;

    /// How a call is written on a timeline, e.g. `inc()` or `credit(3, 10)`.
    fn call_label(input: &Self::Input) -> String {
        format!("{input:?}")
    }

    /// How a result is written after the call, e.g. `5` for `get() -> 5`, or
    /// `None` for calls whose result carries no information.
    fn result_label(output: &Self::Output) -> Option<String> {
        Some(format!("{output:?}"))
    }
}

/// The call and its result as one label, e.g. `get() -> 5`; a pending call
/// is shown as `get() -> ?` because its result is unknown.
pub fn op_label<M: Model>(op: &Operation<M::Input, M::Output>) -> String {
    let call = M::call_label(&op.input);
    match &op.output {
        None => format!("{call} -> ?"),
        Some(out) => match M::result_label(out) {
            Some(result) => format!("{call} -> {result}"),
            None => call,
        },
    }
}

/// The verdict on a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Some real-time-respecting order of the calls explains every result.
    Linearizable,
    /// No order does; the violation says where it goes wrong.
    NotLinearizable(Violation),
    /// The time budget ran out before a verdict; never to be read as a pass.
    Inconclusive {
        /// Search steps taken before giving up.
        explored: u64,
    },
}

impl Outcome {
    /// Whether the verdict is [`Outcome::Linearizable`].
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Outcome::Linearizable)
    }

    /// The violation, if the verdict is [`Outcome::NotLinearizable`].
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Outcome::NotLinearizable(v) => Some(v),
            _ => None,
        }
    }
}

/// Why a history is not linearizable, reduced to a small counterexample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The shrunk counterexample as indices into the original history,
    /// ordered by call.
    pub operations: Vec<usize>,
    /// Whether shrinking finished; `false` when its budget ran out, in which
    /// case some operations might still be removable.
    pub fully_shrunk: bool,
    /// Where the shrunk history goes wrong, when the explaining search
    /// finished.
    pub explanation: Option<Explanation>,
    /// One or two sentences for the learner.
    pub description: String,
}

/// Knobs for [`check_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// Time allowed for deciding the verdict (all partitions together).
    pub budget: Duration,
    /// Separate time allowed for shrinking and explaining a violation.
    pub shrink_budget: Duration,
    /// Whether to use [`Model::partition`]; turning it off is only useful
    /// to cross-check the partitioning itself.
    pub partition: bool,
}

impl CheckOptions {
    /// Partitioning on and the same budget for checking and for shrinking.
    pub fn with_budget(budget: Duration) -> Self {
        CheckOptions {
            budget,
            shrink_budget: budget,
            partition: true,
        }
    }
}

/// Checks `history` against the sequential model starting at `initial`.
///
/// `budget` bounds the search; shrinking a violation gets the same amount
/// again on top, so a failing check can take up to twice `budget`.
pub fn check<M: Model>(initial: &M, history: &History<M>, budget: Duration) -> Outcome {
    check_with(initial, history, &CheckOptions::with_budget(budget))
}

/// [`check`] with explicit options.
pub fn check_with<M: Model>(initial: &M, history: &History<M>, options: &CheckOptions) -> Outcome {
    let deadline = Instant::now() + options.budget;
    let parts = if options.partition {
        M::partition(history)
    } else {
        None
    };
    let parts = parts.unwrap_or_else(|| vec![(0..history.len()).collect()]);
    debug_assert!(
        is_partition(&parts, history.len()),
        "Model::partition must cover every index once"
    );

    let mut explored = 0;
    let mut inconclusive = false;
    for part in &parts {
        let result = search(initial, history, part, deadline, Mode::default());
        explored += result.steps;
        match result.outcome {
            SearchOutcome::Linearizable => {}
            // A violation in one part is definitive whatever the other parts
            // would say, so report it straight away.
            SearchOutcome::NotLinearizable(_) => {
                return Outcome::NotLinearizable(shrink::violation(
                    initial,
                    history,
                    part,
                    options.shrink_budget,
                ));
            }
            SearchOutcome::Inconclusive => inconclusive = true,
        }
    }
    if inconclusive {
        Outcome::Inconclusive { explored }
    } else {
        Outcome::Linearizable
    }
}

fn is_partition(parts: &[Vec<usize>], len: usize) -> bool {
    let mut seen = vec![false; len];
    for &i in parts.iter().flatten() {
        if i >= len || seen[i] {
            return false;
        }
        seen[i] = true;
    }
    seen.into_iter().all(|s| s)
}

#[cfg(test)]
mod tests;
