//! Witnesses: for a call's result, a few calls that, in some order, make
//! that result possible at all.
//!
//! Shrinking must not remove them: drop the writes from a register history
//! and a read of 4 still fails, but then only as a value out of thin air
//! ("at the start the register is 0, so the read must return 0"), which
//! hides the real problem. A witness is found once per call, on the whole
//! failing part, by a search that ignores real time and every other result
//! ([`Mode::relaxed`] with [`Mode::focus`]); its order is then cut down
//! greedily to the calls it needs. A witness stays a witness in any
//! sub-history that holds it, so the rule "never remove a witness of a kept
//! call" keeps every kept result producible at any history length.

use std::time::Instant;

use super::cache::MemoryBudget;
use super::search::{Mode, Search, SearchOutcome};
use super::{History, Model};

/// More states than this while replaying a nondeterministic order: give up
/// cutting it down rather than grow without bound.
const MAX_REPLAY_STATES: usize = 64;

/// For each call of `subset` with a known result, the calls (indices into
/// `history`, without the call itself) its result needs; calls whose
/// result is never possible, or whose search ran out of time, get none.
pub(crate) fn witnesses<M: Model>(
    initial: &M,
    history: &History<M>,
    subset: &[usize],
    deadline: Instant,
    memory: usize,
) -> Vec<(usize, Vec<usize>)> {
    let known: Vec<usize> = subset
        .iter()
        .copied()
        .filter(|&i| !history[i].is_unknown())
        .collect();
    let mut found = Vec::new();
    for (done, &i) in known.iter().enumerate() {
        // An equal share of what is left, so one hard call cannot starve
        // the others.
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let share = deadline.saturating_duration_since(now) / (known.len() - done) as u32;
        let mode = Mode {
            relaxed: true,
            focus: Some(i),
            ..Mode::default()
        };
        // One search at a time, each within the check's cap.
        let budget = MemoryBudget::new(memory);
        let mut search = Search::new(initial, history, subset, mode, budget);
        if !matches!(search.run(now + share), SearchOutcome::Linearizable) {
            continue;
        }
        let order = search.order();
        let before = order.iter().take_while(|&&k| k != i).copied().collect();
        found.push((i, cut_down(initial, history, before, i)));
    }
    found
}

/// Removes calls from `order` while `focus`'s result stays possible after
/// the rest, big blocks first.
fn cut_down<M: Model>(
    initial: &M,
    history: &History<M>,
    mut order: Vec<usize>,
    focus: usize,
) -> Vec<usize> {
    let mut chunk = order.len().div_ceil(2);
    while chunk > 0 {
        let mut start = 0;
        while start < order.len() {
            let end = (start + chunk).min(order.len());
            let rest: Vec<usize> = order[..start]
                .iter()
                .chain(&order[end..])
                .copied()
                .collect();
            if possible(initial, history, &rest, focus) {
                order = rest;
            } else {
                start = end;
            }
        }
        chunk /= 2;
    }
    order
}

/// Whether `focus` can return what it returned after the calls `order`
/// (whose own results are ignored) take effect in that order.
fn possible<M: Model>(initial: &M, history: &History<M>, order: &[usize], focus: usize) -> bool {
    let mut states = vec![initial.clone()];
    let mut next = Vec::new();
    for &k in order {
        next.clear();
        for state in &states {
            let mut after = Vec::new();
            state.successors(&history[k].input, None, &mut after);
            for s in after {
                if !next.contains(&s) {
                    next.push(s);
                }
            }
        }
        if next.len() > MAX_REPLAY_STATES {
            return false;
        }
        std::mem::swap(&mut states, &mut next);
    }
    let op = &history[focus];
    let mut after = Vec::new();
    states.iter().any(|state| {
        after.clear();
        state.successors(&op.input, op.output.as_ref(), &mut after);
        !after.is_empty()
    })
}
