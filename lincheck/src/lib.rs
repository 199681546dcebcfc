//! Linearizability checking of histories recorded on real threads.
//!
//! A concurrent object is correct when every history of calls made against
//! it could have happened one call at a time, in an order that respects real
//! time (a call that returned before another started comes first), with
//! every call returning what the sequential [`Model`] allows.
//!
//! The search is Wing & Gong's backtracking search with Lowe's memoisation
//! and "just-in-time" linearization (see [`search`] for details). Histories
//! that split into independent parts ([`Model::partition`]) are checked part
//! by part, in turns of growing time slices so that no part starves another
//! and the first violation anywhere ends the check. Time and memory are
//! bounded ([`CheckOptions`]): the cache stops growing at its cap and
//! forgets old entries instead ([`cache`]). A failing history is shrunk
//! ([`shrink()`]) to a small piece that still fails, explained in one sentence
//! ([`Explanation`]) and can be drawn as a [`Timeline`].
//!
//! # Example
//!
//! A register that starts at 0: a read that begins after a write of 1
//! returned cannot see 0.
//!
//! ```
//! use std::time::Duration;
//! use lincheck::{Model, Operation, check};
//!
//! #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
//! struct Register(u8);
//!
//! #[derive(Debug, Clone)]
//! enum Call { Read, Write(u8) }
//!
//! impl Model for Register {
//!     type Input = Call;
//!     type Output = Option<u8>;
//!     fn step(&self, call: &Call) -> (Self, Option<u8>) {
//!         match *call {
//!             Call::Read => (self.clone(), Some(self.0)),
//!             Call::Write(v) => (Register(v), None),
//!         }
//!     }
//!     fn describe(&self) -> String {
//!         format!("the register holds {}", self.0)
//!     }
//! }
//!
//! let history = [
//!     // thread, call, return, input, output
//!     Operation::completed(0, 0, 1, Call::Write(1), None),
//!     Operation::completed(1, 2, 3, Call::Read, Some(0)),
//!     // A write that timed out: it may or may not have happened.
//!     Operation::unknown(2, 4, 5, Call::Write(7)),
//! ];
//! let outcome = check(&Register::default(), &history, Duration::from_secs(1));
//! let violation = outcome.violation().expect("a stale read");
//! assert_eq!(violation.operations, [0, 1]);
//! assert_eq!(
//!     violation.description,
//!     "After the first call the register holds 1, so thread 1's Read must return Some(1), but it returned Some(0).",
//! );
//! ```
pub mod cache;
mod check;
pub mod explain;
pub mod search;
pub mod shrink;
pub mod simulate;
pub mod timeline;
pub mod witness;

use std::fmt::Debug;
use std::hash::Hash;
use std::time::Duration;

pub use cache::MemoryBudget;
pub use check::check_with;
pub use explain::Explanation;
pub use shrink::shrink;
pub use simulate::simulate;
pub use timeline::{Lane, Timeline, TimelineOp, render_text};

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
    /// What came back; `None` when it is unknown: the call never returned,
    /// or it returned without a usable answer (timed out, client crashed).
    /// Such a call may take effect at any moment after its call, even after
    /// its `ret`, or never.
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

    /// A call that returned at `ret` with no usable output (a client-side
    /// timeout, a lost reply): it may take effect any time after `call`,
    /// even after `ret`, or never.
    pub fn unknown(thread: usize, call: u64, ret: u64, input: I) -> Self {
        Operation {
            thread,
            call,
            ret: Some(ret),
            input,
            output: None,
        }
    }

    /// Whether the call never returned.
    pub fn is_pending(&self) -> bool {
        self.ret.is_none()
    }

    /// Whether the output is unknown (pending or timed out), so the call
    /// constrains nothing by its result.
    pub fn is_unknown(&self) -> bool {
        self.output.is_none()
    }
}

/// A history whose types match model `M`.
pub type History<M> = [Operation<<M as Model>::Input, <M as Model>::Output>];

/// A sequential specification: what one call does to the state when calls
/// happen one at a time.
///
/// A deterministic model implements [`Model::step`] only. A model where a
/// call may return several outputs, or lead to several states for one
/// output, implements [`Model::successors`] too, sets
/// [`Model::DETERMINISTIC`] to `false`, and makes `step` return any one of
/// the possibilities (it is used to describe states, never to judge).
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

    /// Whether [`Model::step`] gives the only possible result; explanations
    /// say what a call "must return" only then.
    const DETERMINISTIC: bool = true;

    /// Applies one operation to the state: the new state and what the
    /// operation must return.
    fn step(&self, input: &Self::Input) -> (Self, Self::Output);

    /// Pushes onto `next` every state the call can leave behind when it
    /// returned `output`, or for any output when `output` is `None`
    /// (unknown); pushing nothing says the output is impossible here.
    ///
    /// The default follows [`Model::step`]: one state, if the outputs match.
    ///
    /// ```
    /// # use lincheck::Model;
    /// /// A set that may lose an insert (a lossy cache): `insert` always
    /// /// returns `true`, and the element may or may not be kept.
    /// #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    /// struct Lossy(Vec<u8>);
    /// impl Model for Lossy {
    ///     type Input = (bool, u8); // (insert?, element)
    ///     type Output = bool; // insert: true; contains: the answer
    ///     const DETERMINISTIC: bool = false;
    ///     fn step(&self, &(insert, x): &(bool, u8)) -> (Self, bool) {
    ///         (self.clone(), insert || self.0.contains(&x))
    ///     }
    ///     fn successors(&self, &(insert, x): &(bool, u8), out: Option<&bool>, next: &mut Vec<Self>) {
    ///         let (same, answer) = self.step(&(insert, x));
    ///         if out.is_some_and(|o| *o != answer) {
    ///             return;
    ///         }
    ///         if insert && !self.0.contains(&x) {
    ///             let mut kept = self.clone();
    ///             kept.0.push(x);
    ///             kept.0.sort();
    ///             next.push(kept);
    ///         }
    ///         next.push(same);
    ///     }
    ///     fn describe(&self) -> String {
    ///         format!("the set holds {:?}", self.0)
    ///     }
    /// }
    /// let mut next = Vec::new();
    /// Lossy::default().successors(&(true, 3), Some(&true), &mut next);
    /// assert_eq!(next.len(), 2);
    /// ```
    fn successors(&self, input: &Self::Input, output: Option<&Self::Output>, next: &mut Vec<Self>) {
        let (after, expected) = self.step(input);
        if output.is_none_or(|out| *out == expected) {
            next.push(after);
        }
    }

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

/// Which independent part of a history a verdict is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Position among the parts, from 0, in the order [`Model::partition`]
    /// gave them.
    pub index: usize,
    /// How many parts the history split into (1 when it did not split).
    pub of: usize,
    /// The part's calls, as indices into the history.
    pub operations: Vec<usize>,
}

impl Part {
    /// The part in words, e.g. "part 3 of 10 (42 calls)", or "the history
    /// (42 calls)" when it did not split.
    pub fn describe(&self) -> String {
        let calls = self.operations.len();
        if self.of == 1 {
            format!("the history ({calls} calls)")
        } else {
            format!("part {} of {} ({calls} calls)", self.index + 1, self.of)
        }
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
        /// The parts still undecided when time ran out (every other part
        /// is linearizable).
        unfinished: Vec<Part>,
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
    /// The part of the history that failed; [`Part::describe`] says which
    /// in words.
    pub part: Part,
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

/// Default cap on the memory of one check's caches.
pub const DEFAULT_MEMORY: usize = 256 << 20;

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
    /// Bytes the search caches of all partitions may hold together; when
    /// they are full, old entries are forgotten (the verdict stays right,
    /// the search may get slower).
    pub memory: usize,
}

impl CheckOptions {
    /// Partitioning on, the same budget for checking and for shrinking and
    /// [`DEFAULT_MEMORY`].
    pub fn with_budget(budget: Duration) -> Self {
        CheckOptions {
            budget,
            shrink_budget: budget,
            partition: true,
            memory: DEFAULT_MEMORY,
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

#[cfg(test)]
mod tests;
