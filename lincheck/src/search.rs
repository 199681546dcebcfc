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
//! is usually close to linear on real histories. It is bounded (see
//! [`cache`](crate::cache)).
//!
//! Calls whose output is unknown (pending, timed out) get a return at
//! infinity and accept any output, so they may be linearized anywhere after
//! their call. The search stops as soon as every call with a known output is
//! linearized: unknown ones left over simply never took effect.
//!
//! Such a call that changes nothing in the state the walk finds it in (a
//! timed-out read) is not placed: it may still take effect later, or never,
//! so placing it would only add orders that lead nowhere new. It is not
//! walked past again after every placement either: it is moved ("parked")
//! to a second list, walked only once the first reaches a return, in case a
//! later state makes it matter. Walking past a few hundred of them after
//! each placement took six times the steps (78,895 against 13,687) on a
//! register history of 1,000 calls with 30 % unknown outcomes. Parking is
//! undone with the placement it followed, so the lists are still restored
//! exactly.
//!
//! A step may lead to several states ([`Model::successors`]); each is a
//! branch of the search, tried in turn before the call is undone.
//!
//! A [`Search`] is resumable: [`Search::run`] stops at a given instant and
//! continues where it left off on the next call, so the checker can give
//! every partition slices of time in turn.

use std::time::Instant;

use super::cache::{Cache, MemoryBudget, hash_state, zobrist};
use super::{History, Model};

mod events;

/// How often (in search steps) the clock is read; reading it every step
/// would cost more than the steps themselves, and rarer reads would let a
/// slow model overshoot a deadline.
const CLOCK_EVERY: u64 = 256;

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

/// What a list node stands for.
#[derive(Clone, Copy)]
enum Node {
    Head,
    Tail,
    /// The end of the list of parked calls.
    End,
    Call(usize),
    Return(usize),
}

/// What [`Search::try_place`] did.
#[derive(PartialEq, Eq)]
enum Placing {
    Placed,
    /// The call is of unknown output and changes nothing here.
    NoOp,
    /// Every state it leads to was explored already.
    Explored,
}

/// A call moved to the parked list, and where it was in the first list.
struct Park {
    node: usize,
    prev: usize,
    next: usize,
    /// Placements on the stack when it was parked.
    depth: usize,
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
/// `history`) starting from `initial`, giving up at `deadline`, with a
/// cache of at most [`DEFAULT_MEMORY`](crate::DEFAULT_MEMORY).
pub fn search<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    deadline: Instant,
    mode: Mode,
) -> SearchResult<M> {
    search_within(
        initial,
        history,
        subset,
        deadline,
        mode,
        crate::DEFAULT_MEMORY,
    )
}

/// [`search`] with a cache of at most `memory` bytes.
pub fn search_within<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    deadline: Instant,
    mode: Mode,
    memory: usize,
) -> SearchResult<M> {
    let memory = MemoryBudget::new(memory);
    let mut search = Search::new(initial, history, subset, mode, memory);
    let outcome = search.run(deadline);
    SearchResult {
        outcome,
        steps: search.steps(),
    }
}

/// One call placed: its list node, the state before it and the other
/// states it could have led to that are still to try.
struct Frame<M> {
    node: usize,
    before: M,
    before_hash: u64,
    untried: Vec<M>,
    /// The walk's [`Search::blocked`] when the call was placed, to walk on
    /// from there if it is undone.
    blocked: usize,
}

/// A search in progress over one sub-history; see the module docs.
pub struct Search<'h, M: Model> {
    history: &'h History<M>,
    subset: Vec<usize>,
    explain: bool,
    /// Per position in `subset`: whether the call's output must match.
    checked: Vec<bool>,
    nodes: Vec<Node>,
    next: Vec<usize>,
    prev: Vec<usize>,
    ret_node: Vec<usize>,
    /// Zobrist hash of the set of placed positions.
    set_hash: u64,
    remaining: usize,
    cache: Cache,
    stack: Vec<Frame<M>>,
    state: M,
    state_hash: u64,
    /// Reused buffer for [`Model::successors`].
    scratch: Vec<M>,
    /// Per position: the hash of the last state in which the call (of
    /// unknown output) changed nothing, so walking past it again in that
    /// state costs no step of the model (equal hashes of different states
    /// are as unlikely here as in the cache).
    no_op_at: Vec<Option<u64>>,
    deepest: Option<Deepest<M>>,
    steps: u64,
    entry: usize,
    /// 0 while walking the first list; once it reached a return, that
    /// return's node, while the walk goes through the parked calls.
    blocked: usize,
    /// Calls parked, in order, to be unparked when the placement before
    /// them is undone.
    parks: Vec<Park>,
    finished: bool,
}

impl<'h, M: Model> Search<'h, M> {
    /// Prepares a search of `subset` (indices into `history`) from
    /// `initial`, whose cache takes its memory from `memory`.
    pub fn new(
        initial: &M,
        history: &'h History<M>,
        subset: &[usize],
        mode: Mode,
        memory: MemoryBudget,
    ) -> Self {
        let Mode {
            explain,
            relaxed,
            focus,
        } = mode;
        // Operations whose results must be explained; the rest may be placed
        // anywhere after their call, or never.
        let checked: Vec<bool> = subset
            .iter()
            .map(|&i| history[i].output.is_some() && focus.is_none_or(|f| f == i))
            .collect();
        let n = subset.len();
        let events = events::sorted(n, |j| {
            let i = subset[j];
            let op = &history[i];
            match op.ret {
                // The focus call first in the list: the walk tries it after
                // every placement, so the search stops at the first order
                // that makes its result possible.
                _ if relaxed && focus == Some(i) => (0, u64::MAX - 1),
                _ if relaxed => (1, if checked[j] { u64::MAX - 1 } else { u64::MAX }),
                Some(ret) if checked[j] => (op.call, ret),
                _ => (op.call, u64::MAX),
            }
        });

        // Node 0 is the head, node 2n+1 the tail, the events sit in between;
        // nodes 2n+2 and 2n+3 bound the (at first empty) parked list.
        let tail = 2 * n + 1;
        let mut nodes = Vec::with_capacity(2 * n + 4);
        nodes.push(Node::Head);
        let mut ret_node = vec![0; n];
        for (k, &e) in events.iter().enumerate() {
            let j = (e >> 1) as usize;
            if e & 1 == 1 {
                ret_node[j] = k + 1;
                nodes.push(Node::Return(j));
            } else {
                nodes.push(Node::Call(j));
            }
        }
        nodes.extend([Node::Tail, Node::Head, Node::End]);
        // Sized for the parked list's two nodes up front: growing would
        // double them, copying and holding twice the memory.
        let mut next = Vec::with_capacity(nodes.len());
        next.extend(1..=tail + 1);
        next.extend([tail + 2, tail + 2]);
        let mut prev = Vec::with_capacity(nodes.len());
        prev.extend((0..=tail).map(|k| k.saturating_sub(1)));
        prev.extend([tail + 1, tail + 1]);
        let remaining = checked.iter().filter(|&&c| c).count();
        Search {
            history,
            subset: subset.to_vec(),
            explain,
            checked,
            nodes,
            next,
            prev,
            ret_node,
            set_hash: 0,
            remaining,
            cache: Cache::new(memory),
            stack: Vec::new(),
            state: initial.clone(),
            state_hash: hash_state(initial),
            scratch: Vec::new(),
            no_op_at: vec![None; n],
            deepest: None,
            steps: 0,
            entry: 1,
            blocked: 0,
            parks: Vec::new(),
            finished: false,
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Cache entries overwritten because the memory cap was reached.
    pub fn evicted(&self) -> u64 {
        self.cache.evicted
    }

    /// After [`SearchOutcome::Linearizable`]: the calls placed, as indices
    /// into the history, in the order they take effect.
    pub fn order(&self) -> Vec<usize> {
        self.stack.iter().map(|f| self.placed(f.node)).collect()
    }

    /// Every call of the sub-history, as indices into the history, in the
    /// order of the list the search walks: by call, ties by position in
    /// the subset, in the default mode. The list was sorted once when the
    /// search was made, so this costs no sort.
    pub(crate) fn calls_in_list_order(&self) -> Vec<usize> {
        let mut calls = Vec::with_capacity(self.subset.len());
        calls.extend(self.nodes.iter().filter_map(|node| match *node {
            Node::Call(j) => Some(self.subset[j]),
            _ => None,
        }));
        calls
    }

    fn placed(&self, node: usize) -> usize {
        match self.nodes[node] {
            Node::Call(k) => self.subset[k],
            _ => unreachable!("only call nodes are stacked"),
        }
    }

    fn unlink(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = n;
        self.prev[n] = p;
    }

    fn relink(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = x;
        self.prev[n] = x;
    }

    /// Searches until a verdict or `until`, whichever comes first;
    /// [`SearchOutcome::Inconclusive`] means "not yet": calling again
    /// continues. Once a verdict is given it is final and must not be asked
    /// for again.
    pub fn run(&mut self, until: Instant) -> SearchOutcome<M> {
        debug_assert!(!self.finished, "the search already gave its verdict");
        loop {
            if self.remaining == 0 {
                self.finished = true;
                return SearchOutcome::Linearizable;
            }
            self.steps += 1;
            if self.steps.is_multiple_of(CLOCK_EVERY) && Instant::now() >= until {
                return SearchOutcome::Inconclusive;
            }
            match self.nodes[self.entry] {
                Node::Call(j) => match self.try_place(j) {
                    Placing::Placed => {}
                    Placing::NoOp if self.blocked == 0 => self.park(),
                    Placing::NoOp | Placing::Explored => self.entry = self.next[self.entry],
                },
                // Parked calls were made before this return (they were
                // ahead of an earlier one), so they may go before it.
                Node::Return(_) => {
                    self.blocked = self.entry;
                    self.entry = self.next[self.parked_head()];
                }
                Node::End => {
                    if self.explain {
                        let Node::Return(j) = self.nodes[self.blocked] else {
                            unreachable!("the walk only leaves the first list at a return")
                        };
                        self.record_deepest(j);
                    }
                    if !self.backtrack() {
                        self.finished = true;
                        return SearchOutcome::NotLinearizable(self.deepest.take());
                    }
                }
                // While a completed operation is unplaced its return entry
                // comes before the tail (and before every pending return,
                // which sits at infinity), so the walk always stops there
                // first.
                Node::Head | Node::Tail => unreachable!("walked past an unplaced return"),
            }
        }
    }

    fn parked_head(&self) -> usize {
        self.nodes.len() - 2
    }

    /// Moves the call at `self.entry` from the first list to the end of
    /// the parked one and walks on in the first.
    fn park(&mut self) {
        let node = self.entry;
        let (prev, next) = (self.prev[node], self.next[node]);
        self.parks.push(Park {
            node,
            prev,
            next,
            depth: self.stack.len(),
        });
        self.unlink(node);
        let end = self.nodes.len() - 1;
        let last = self.prev[end];
        self.next[last] = node;
        self.prev[node] = last;
        self.next[node] = end;
        self.prev[end] = node;
        self.entry = next;
    }

    /// Puts back every call parked since the stack was deeper than it is.
    fn unpark(&mut self) {
        while let Some(park) = self.parks.pop_if(|p| p.depth > self.stack.len()) {
            self.unlink(park.node);
            self.prev[park.node] = park.prev;
            self.next[park.node] = park.next;
            self.relink(park.node);
        }
    }

    /// Places position `j` (at `self.entry`) if one of the states it can
    /// lead to is new.
    fn try_place(&mut self, j: usize) -> Placing {
        if self.no_op_at[j] == Some(self.state_hash) {
            return Placing::NoOp;
        }
        let op = &self.history[self.subset[j]];
        let output = if self.checked[j] {
            op.output.as_ref()
        } else {
            None
        };
        let mut next = std::mem::take(&mut self.scratch);
        next.clear();
        self.state.successors(&op.input, output, &mut next);
        let mut no_ops = 0;
        let choices = next.len();
        let set_hash = self.set_hash ^ zobrist(j);
        while let Some(after) = next.pop() {
            let after_hash = hash_state(&after);
            // A call of unknown output that changes nothing here is better
            // left unplaced: it may still take effect later, or never, so
            // placing it now only adds orders that lead nowhere new (a read
            // that timed out would otherwise double the search).
            let no_op = !self.checked[j] && after_hash == self.state_hash && after == self.state;
            no_ops += usize::from(no_op);
            if no_op || !self.cache.insert(set_hash, after_hash) {
                continue;
            }
            let before = std::mem::replace(&mut self.state, after);
            let before_hash = std::mem::replace(&mut self.state_hash, after_hash);
            let untried = if next.is_empty() {
                Vec::new()
            } else {
                std::mem::take(&mut next)
            };
            self.stack.push(Frame {
                node: self.entry,
                before,
                before_hash,
                untried,
                blocked: self.blocked,
            });
            self.scratch = next;
            self.set_hash = set_hash;
            self.unlink(self.entry);
            self.unlink(self.ret_node[j]);
            if self.checked[j] {
                self.remaining -= 1;
            }
            self.entry = self.next[0];
            self.blocked = 0;
            return Placing::Placed;
        }
        self.scratch = next;
        if no_ops == choices && choices > 0 {
            self.no_op_at[j] = Some(self.state_hash);
            return Placing::NoOp;
        }
        Placing::Explored
    }

    /// Takes back the last placement, or moves it to one of its other
    /// states; `false` when there is nothing left to take back.
    fn backtrack(&mut self) -> bool {
        let Some(frame) = self.stack.last_mut() else {
            return false;
        };
        while let Some(after) = frame.untried.pop() {
            let after_hash = hash_state(&after);
            if self.cache.insert(self.set_hash, after_hash) {
                self.state = after;
                self.state_hash = after_hash;
                self.entry = self.next[0];
                self.blocked = 0;
                return true;
            }
        }
        let Some(frame) = self.stack.pop() else {
            unreachable!("the frame was just looked at")
        };
        self.unpark();
        let Node::Call(k) = self.nodes[frame.node] else {
            unreachable!("only call nodes are stacked")
        };
        self.state = frame.before;
        self.state_hash = frame.before_hash;
        self.set_hash ^= zobrist(k);
        if self.checked[k] {
            self.remaining += 1;
        }
        self.relink(self.ret_node[k]);
        self.relink(frame.node);
        self.entry = self.next[frame.node];
        self.blocked = frame.blocked;
        true
    }

    fn record_deepest(&mut self, blocked: usize) {
        if self
            .deepest
            .as_ref()
            .is_some_and(|d| self.stack.len() <= d.prefix.len())
        {
            return;
        }
        self.deepest = Some(Deepest {
            prefix: self.order(),
            state: self.state.clone(),
            blocked: self.subset[blocked],
        });
    }
}
