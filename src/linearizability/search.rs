//! The core search: Wing & Gong backtracking with Lowe's memoisation and
//! just-in-time linearization.
//!
//! Every call and every return is an entry in one doubly linked list sorted
//! by time. Walking the list from the front, a call entry is a candidate to
//! linearize next; reaching a return entry means that operation returned
//! without having been linearized, so everything after it in the list would
//! break real-time order: the search must backtrack. Linearizing an
//! operation unlinks its two entries (they are relinked on backtrack, in
//! reverse order, so the list is restored exactly).
//!
//! The cache holds (set of linearized operations, model state) pairs that
//! were already explored: reaching the same pair again by a different order
//! cannot lead anywhere new. That turns the factorial search into one that
//! is usually close to linear on real histories.
//!
//! Pending operations get a return at infinity and accept any output, so
//! they may be linearized anywhere after their call. The search stops as
//! soon as every *completed* operation is linearized: pending ones left over
//! simply never took effect.

use std::collections::HashSet;
use std::time::Instant;

use super::{History, Model};

/// How often (in search steps) the clock is read; reading it every step
/// would cost more than the steps themselves.
const CLOCK_EVERY: u64 = 4096;

/// The result of one search.
pub struct SearchResult<M> {
    /// The verdict.
    pub outcome: SearchOutcome<M>,
    /// Steps taken (entries visited), for reporting effort.
    pub steps: u64,
}

/// The verdict of one search.
pub enum SearchOutcome<M> {
    /// Every completed operation was placed.
    Linearizable,
    /// The search was exhausted; with explanations on, the deepest point
    /// the search reached.
    NotLinearizable(Option<Deepest<M>>),
    /// The deadline passed first.
    Inconclusive,
}

/// The furthest the search got: the longest linearizable prefix it found
/// and the operation that then had to be placed but could not be.
pub struct Deepest<M> {
    /// Indices into the full history, in linearization order.
    pub prefix: Vec<usize>,
    /// The model state after `prefix`.
    pub state: M,
    /// Index into the full history of the operation that returned without
    /// any way to place it.
    pub blocked: usize,
}

/// A fixed-size set of operation positions, used as half of a cache key.
#[derive(Clone, PartialEq, Eq, Hash)]
struct BitSet(Box<[u64]>);

impl BitSet {
    fn new(len: usize) -> Self {
        BitSet(vec![0; len.div_ceil(64)].into_boxed_slice())
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// What a list node stands for.
#[derive(Clone, Copy)]
enum Node {
    Head,
    Tail,
    Call(usize),
    Return(usize),
}

/// Variations on the plain search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// Record the deepest point reached when the search fails; it costs a
    /// copy of the prefix whenever the search gets deeper, so it is meant for
    /// small (shrunk) histories.
    pub explain: bool,
    /// Drop real-time order: every operation overlaps every other, so the
    /// search asks whether *any* order of the calls explains the results.
    pub relaxed: bool,
    /// Check only this operation's (index into the history) result and
    /// treat every other one like a pending call that may or may not take
    /// effect: "can this result happen at all?".
    pub focus: Option<usize>,
}

/// Searches for a linearization of the operations `subset` (indices into
/// `history`) starting from `initial`, giving up at `deadline`.
pub fn search<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    deadline: Instant,
    mode: Mode,
) -> SearchResult<M> {
    let Mode {
        explain,
        relaxed,
        focus,
    } = mode;
    // Operations whose results must be explained; the rest may be placed
    // anywhere after their call, or never.
    let checked = |i: usize| !history[i].is_pending() && focus.is_none_or(|f| f == i);
    let n = subset.len();
    // Events sorted by time; at equal sequence numbers calls go first so the
    // two operations count as overlapping (the more permissive reading).
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (j, &i) in subset.iter().enumerate() {
        let op = &history[i];
        let (call, ret) = match op.ret {
            _ if relaxed => (0, if checked(i) { u64::MAX - 1 } else { u64::MAX }),
            Some(ret) if checked(i) => (op.call, ret),
            _ => (op.call, u64::MAX),
        };
        events.push((call, false, j));
        events.push((ret, true, j));
    }
    events.sort_unstable();

    // Node 0 is the head, node 2n+1 the tail, the events sit in between.
    let tail = 2 * n + 1;
    let mut nodes = Vec::with_capacity(2 * n + 2);
    nodes.push(Node::Head);
    let mut ret_node = vec![0; n];
    for (k, &(_, is_ret, j)) in events.iter().enumerate() {
        if is_ret {
            ret_node[j] = k + 1;
            nodes.push(Node::Return(j));
        } else {
            nodes.push(Node::Call(j));
        }
    }
    nodes.push(Node::Tail);
    let mut next: Vec<usize> = (1..=tail + 1).collect();
    let mut prev: Vec<usize> = (0..=tail).map(|k| k.saturating_sub(1)).collect();

    let unlink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, x: usize| {
        next[prev[x]] = next[x];
        prev[next[x]] = prev[x];
    };
    let relink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, x: usize| {
        next[prev[x]] = x;
        prev[next[x]] = x;
    };

    let mut remaining = subset.iter().filter(|&&i| checked(i)).count();
    let mut linearized = BitSet::new(n);
    let mut cache: HashSet<(BitSet, M)> = HashSet::new();
    // Each frame: the call node linearized and the state before it.
    let mut stack: Vec<(usize, M)> = Vec::new();
    let mut state = initial.clone();
    let mut deepest: Option<Deepest<M>> = None;
    let mut steps: u64 = 0;
    let mut entry = next[0];

    loop {
        if remaining == 0 {
            return SearchResult {
                outcome: SearchOutcome::Linearizable,
                steps,
            };
        }
        steps += 1;
        if steps.is_multiple_of(CLOCK_EVERY) && Instant::now() >= deadline {
            return SearchResult {
                outcome: SearchOutcome::Inconclusive,
                steps,
            };
        }
        match nodes[entry] {
            Node::Call(j) => {
                let op = &history[subset[j]];
                let (after, expected) = state.step(&op.input);
                let matches =
                    !checked(subset[j]) || op.output.as_ref().is_none_or(|out| *out == expected);
                if matches {
                    linearized.set(j);
                    if cache.insert((linearized.clone(), after.clone())) {
                        let before = std::mem::replace(&mut state, after);
                        stack.push((entry, before));
                        unlink(&mut next, &mut prev, entry);
                        unlink(&mut next, &mut prev, ret_node[j]);
                        if checked(subset[j]) {
                            remaining -= 1;
                        }
                        entry = next[0];
                        continue;
                    }
                    linearized.clear(j);
                }
                entry = next[entry];
            }
            Node::Return(j) => {
                if explain
                    && deepest
                        .as_ref()
                        .is_none_or(|d| stack.len() > d.prefix.len())
                {
                    deepest = Some(Deepest {
                        prefix: stack
                            .iter()
                            .map(|&(node, _)| match nodes[node] {
                                Node::Call(k) => subset[k],
                                _ => unreachable!("only call nodes are stacked"),
                            })
                            .collect(),
                        state: state.clone(),
                        blocked: subset[j],
                    });
                }
                let Some((node, before)) = stack.pop() else {
                    return SearchResult {
                        outcome: SearchOutcome::NotLinearizable(deepest),
                        steps,
                    };
                };
                let Node::Call(k) = nodes[node] else {
                    unreachable!("only call nodes are stacked")
                };
                state = before;
                linearized.clear(k);
                if checked(subset[k]) {
                    remaining += 1;
                }
                relink(&mut next, &mut prev, ret_node[k]);
                relink(&mut next, &mut prev, node);
                entry = next[node];
            }
            // While a completed operation is unplaced its return entry comes
            // before the tail (and before every pending return, which sits at
            // infinity), so the walk always stops there first.
            Node::Head | Node::Tail => unreachable!("walked past an unplaced return"),
        }
    }
}
