//! The checker as it was before it became the `lincheck` crate, kept only
//! so the benchmark can time both back to back: partitions one after
//! another against one deadline, and a `HashSet<(BitSet, State)>` memo
//! without a cap. Verdicts only (no shrinking); a call of unknown output is
//! given to it as a call that never returned, which is how it expressed one.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use lincheck::{History, Model};

const CLOCK_EVERY: u64 = 4096;

/// The old verdict, without the violation's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    NotLinearizable,
    Inconclusive,
}

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

#[derive(Clone, Copy)]
enum Node {
    Head,
    Tail,
    Call(usize),
    Return,
}

/// The old `check`: each part in turn, one shared deadline.
pub fn check<M: Model>(initial: &M, history: &History<M>, budget: Duration) -> Verdict {
    let deadline = Instant::now() + budget;
    let parts = M::partition(history).unwrap_or_else(|| vec![(0..history.len()).collect()]);
    let mut inconclusive = false;
    for part in &parts {
        match search(initial, history, part, deadline) {
            Verdict::NotLinearizable => return Verdict::NotLinearizable,
            Verdict::Inconclusive => inconclusive = true,
            Verdict::Linearizable => {}
        }
    }
    if inconclusive {
        Verdict::Inconclusive
    } else {
        Verdict::Linearizable
    }
}

fn search<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    deadline: Instant,
) -> Verdict {
    let checked = |i: usize| !history[i].is_pending();
    let n = subset.len();
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (j, &i) in subset.iter().enumerate() {
        let op = &history[i];
        let (call, ret) = match op.ret {
            Some(ret) if checked(i) => (op.call, ret),
            _ => (op.call, u64::MAX),
        };
        events.push((call, false, j));
        events.push((ret, true, j));
    }
    events.sort_unstable();
    let tail = 2 * n + 1;
    let mut nodes = Vec::with_capacity(2 * n + 2);
    nodes.push(Node::Head);
    let mut ret_node = vec![0; n];
    for (k, &(_, is_ret, j)) in events.iter().enumerate() {
        if is_ret {
            ret_node[j] = k + 1;
            nodes.push(Node::Return);
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
    let mut stack: Vec<(usize, M)> = Vec::new();
    let mut state = initial.clone();
    let mut steps: u64 = 0;
    let mut entry = next[0];
    loop {
        if remaining == 0 {
            return Verdict::Linearizable;
        }
        steps += 1;
        if steps.is_multiple_of(CLOCK_EVERY) && Instant::now() >= deadline {
            return Verdict::Inconclusive;
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
            Node::Return => {
                let Some((node, before)) = stack.pop() else {
                    return Verdict::NotLinearizable;
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
            Node::Head | Node::Tail => unreachable!("walked past an unplaced return"),
        }
    }
}
