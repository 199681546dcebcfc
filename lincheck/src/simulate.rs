//! Generating linearizable histories that look concurrent.
//!
//! Tests and benchmarks need long histories that are known to be
//! linearizable without running real threads (which would make them slow
//! and unrepeatable). The trick is to run the model sequentially and then
//! invent, around each call's moment of effect, an interval on some client
//! thread that starts a little before and ends a little after it. Intervals
//! of different threads overlap, so the checker has to reorder, yet the
//! sequential order is always a valid answer.

use super::{Model, Operation};

/// Spacing between consecutive moments of effect.
const SPACING: u64 = 8;
/// How far an interval may reach before or after its moment of effect;
/// larger than `SPACING` so several calls overlap at any time.
const REACH: u64 = 20;

/// Runs `inputs` one at a time on the model from `initial` and spreads them
/// over `threads` client threads with overlapping call intervals.
///
/// The result is linearizable by construction (the input order is a
/// linearization), has no pending calls, and uses distinct sequence numbers
/// like a real recording.
pub fn simulate<M: Model>(
    initial: &M,
    inputs: &[M::Input],
    threads: usize,
    rng: &mut fastrand::Rng,
) -> Vec<Operation<M::Input, M::Output>> {
    let threads = threads.max(1);
    let mut free_at = vec![0u64; threads];
    let mut state = initial.clone();
    let mut moment = 0u64;
    let mut history = Vec::with_capacity(inputs.len());
    for input in inputs {
        moment += SPACING;
        let mut thread = rng.usize(..threads);
        if free_at[thread] > moment {
            // That thread is still inside an earlier call; a thread can only
            // make one call at a time, so take the one that frees up first.
            thread = (0..threads).min_by_key(|&t| free_at[t]).unwrap_or(0);
            moment = moment.max(free_at[thread]);
        }
        let call = rng.u64(free_at[thread].max(moment.saturating_sub(REACH))..=moment);
        let ret = moment + rng.u64(1..=REACH);
        free_at[thread] = ret + 1;
        let (next, output) = state.step(input);
        state = next;
        history.push(Operation::completed(
            thread,
            call,
            ret,
            input.clone(),
            output,
        ));
    }
    renumber(&mut history);
    history
}

/// Replaces times by distinct consecutive sequence numbers, keeping their
/// order; at equal times calls come before returns, which keeps the
/// operations overlapping exactly as the checker would read them.
fn renumber<I, O>(history: &mut [Operation<I, O>]) {
    let mut events: Vec<(u64, bool, usize)> = history
        .iter()
        .enumerate()
        .flat_map(|(i, op)| {
            let ret = op.ret.map(|ret| (ret, true, i));
            std::iter::once((op.call, false, i)).chain(ret)
        })
        .collect();
    events.sort_unstable();
    for (seq, (_, is_ret, i)) in events.into_iter().enumerate() {
        if is_ret {
            history[i].ret = Some(seq as u64);
        } else {
            history[i].call = seq as u64;
        }
    }
}
