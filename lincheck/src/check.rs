//! Checking a whole history: its parts in turns, within time and memory.
//!
//! Checking parts one after another against one deadline lets a first part
//! that cannot be settled eat the whole budget while an easy violation in a
//! later part is never reached. Here every part gets a slice of time in
//! turn, the slices doubling each round, so a part needing time `t` is
//! decided after at most about `2 * t * parts` of wall time, and the first
//! violation anywhere ends the check. All on the caller's thread: nothing
//! to start, stop or join, and the searches share one [`MemoryBudget`].

use std::time::{Duration, Instant};

use super::cache::MemoryBudget;
use super::search::{Mode, Search, SearchOutcome};
use super::{CheckOptions, History, Model, Outcome, Part, shrink};

/// The first round's slice per part; short, so that many easy parts are
/// all settled before a hard one gets a long turn.
const FIRST_SLICE: Duration = Duration::from_millis(1);

/// [`check`](super::check) with explicit options.
///
/// Deciding takes at most `options.budget` (plus a clock read's worth of
/// search steps); explaining a violation at most `options.shrink_budget`
/// more.
pub fn check_with<M: Model>(initial: &M, history: &History<M>, options: &CheckOptions) -> Outcome {
    let deadline = Instant::now() + options.budget;
    let parts = if options.partition {
        M::partition(history)
    } else {
        None
    };
    let mut parts = parts.unwrap_or_else(|| vec![(0..history.len()).collect()]);
    debug_assert!(
        is_partition(&parts, history.len()),
        "Model::partition must cover every index once"
    );
    let memory = MemoryBudget::new(options.memory);
    // Searches are made on their first turn and dropped when they finish,
    // so only the undecided parts hold memory.
    let mut open: Vec<(usize, Option<Search<'_, M>>)> =
        (0..parts.len()).map(|p| (p, None)).collect();
    let mut explored = 0;
    let mut slice = FIRST_SLICE;
    'rounds: while !open.is_empty() {
        let mut k = 0;
        while k < open.len() {
            let now = Instant::now();
            if now >= deadline {
                break 'rounds;
            }
            let p = open[k].0;
            let search = open[k].1.get_or_insert_with(|| {
                Search::new(initial, history, &parts[p], Mode::default(), memory.clone())
            });
            match search.run((now + slice).min(deadline)) {
                SearchOutcome::Inconclusive => k += 1,
                SearchOutcome::Linearizable => {
                    explored += search.steps();
                    open.remove(k);
                }
                // A violation in one part is definitive whatever the other
                // parts would say, so report it straight away.
                SearchOutcome::NotLinearizable(_) => {
                    let by_call = search.calls_in_list_order();
                    // Free the other searches' memory before shrinking.
                    drop(open);
                    let part = Part {
                        index: p,
                        of: parts.len(),
                        operations: std::mem::take(&mut parts[p]),
                    };
                    return Outcome::NotLinearizable(shrink::violation(
                        initial,
                        history,
                        part,
                        by_call,
                        options.shrink_budget,
                        options.memory,
                    ));
                }
            }
        }
        slice = slice.saturating_mul(2);
    }
    if open.is_empty() {
        return Outcome::Linearizable;
    }
    explored += open
        .iter()
        .filter_map(|(_, s)| s.as_ref().map(Search::steps))
        .sum::<u64>();
    let unfinished = open
        .iter()
        .map(|&(p, _)| Part {
            index: p,
            of: parts.len(),
            operations: parts[p].clone(),
        })
        .collect();
    Outcome::Inconclusive {
        explored,
        unfinished,
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
