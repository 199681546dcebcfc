//! Budgets, the memory cap, fairness between partitions, richer models and
//! explanations on long histories.

use std::time::Instant;

use super::*;
use crate::cache::MemoryBudget;
use crate::search::{Mode, Search, SearchOutcome};

/// Forty overlapping writes of distinct values and a read of a value
/// nobody wrote, starting at `base` on threads from `thread`: proving it
/// fails means trying every subset of the writes.
fn unsettleable(base: u64, thread: usize) -> Vec<Op> {
    let mut history: Vec<Op> = (0..40)
        .map(|t| write(thread + t, base + t as u64, base + 1000, t as i32 + 1))
        .collect();
    history.push(read(thread + 40, base + 50, base + 1001, 99));
    history
}

/// Two registers side by side: a call on thread `t` uses register `t / 100`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct Pair(Register);

impl Model for Pair {
    type Input = RegOp;
    type Output = RegRet;
    fn step(&self, input: &RegOp) -> (Self, RegRet) {
        let (r, out) = self.0.step(input);
        (Pair(r), out)
    }
    fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
        let mut parts = vec![Vec::new(), Vec::new()];
        for (i, op) in history.iter().enumerate() {
            parts[op.thread / 100].push(i);
        }
        Some(parts)
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
}

#[test]
fn an_unsettleable_part_does_not_hide_an_easy_violation_in_another() {
    let mut history = unsettleable(0, 0);
    // Register 1 (threads 100 and up): a stale read.
    history.push(write(100, 0, 1, 1));
    history.push(read(101, 2, 3, 0));
    let outcome = check(&Pair::default(), &history, Duration::from_secs(60));
    let violation = outcome.violation().expect("the stale read is found");
    assert_eq!(violation.part.index, 1);
    assert_eq!(violation.part.describe(), "part 2 of 2 (2 calls)");
    assert_eq!(violation.operations, vec![41, 42]);
}

#[test]
fn inconclusive_names_the_part_that_ran_out_and_keeps_to_the_budget() {
    let mut history = unsettleable(0, 0);
    history.push(write(100, 0, 1, 1));
    history.push(read(101, 2, 3, 1));
    let budget = Duration::from_millis(200);
    let start = Instant::now();
    let outcome = check(&Pair::default(), &history, budget);
    let elapsed = start.elapsed();
    let Outcome::Inconclusive { unfinished, .. } = outcome else {
        panic!("expected inconclusive, got {outcome:?}");
    };
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].index, 0);
    assert_eq!(unfinished[0].operations.len(), 41);
    // Generous: the bench measures it tightly; a busy machine may pause us.
    assert!(elapsed < budget * 10, "took {elapsed:?}");
}

#[test]
fn the_cache_stays_under_its_cap_and_verdicts_hold_when_it_evicts() {
    let cap = 64 << 10;
    let history = unsettleable(0, 0);
    let all: Vec<usize> = (0..history.len()).collect();
    let memory = MemoryBudget::new(cap);
    let mut search = Search::new(
        &Register::default(),
        &history,
        &all,
        Mode::default(),
        memory.clone(),
    );
    let outcome = search.run(Instant::now() + Duration::from_millis(100));
    assert!(matches!(outcome, SearchOutcome::Inconclusive));
    assert!(search.evicted() > 0, "the cap was reached");
    assert!(memory.left() <= cap);
    drop(search);
    assert_eq!(memory.left(), cap, "all memory given back");

    // Seven overlapping writes then reads: a thousand (set, state) pairs,
    // more than 16 KiB of cache holds.
    let mut history: Vec<Op> = (0..7)
        .map(|t| write(t, t as u64, 100, t as i32 + 1))
        .collect();
    history.push(read(20, 101, 102, 7));
    let tiny = CheckOptions {
        memory: 16 << 10,
        ..CheckOptions::with_budget(BUDGET)
    };
    assert_eq!(
        check_with(&Register::default(), &history, &tiny),
        Outcome::Linearizable
    );
    // Nothing is written after the read of 7.
    history.push(read(20, 103, 104, 3));
    assert!(
        check_with(&Register::default(), &history, &tiny)
            .violation()
            .is_some()
    );
    let none = CheckOptions {
        memory: 0,
        ..CheckOptions::with_budget(BUDGET)
    };
    assert!(
        check_with(&Register::default(), &history, &none)
            .violation()
            .is_some(),
        "no memo at all is slow, never wrong"
    );
}

#[test]
fn a_call_of_unknown_output_may_take_effect_after_it_returned_or_never() {
    // The write timed out at 3; a read at 4..5 does not see it, one at
    // 6..7 does: it took effect late.
    let history = [
        Operation::unknown(0, 0, 3, RegOp::Write(1)),
        read(1, 4, 5, 0),
        read(1, 6, 7, 1),
    ];
    assert_eq!(verdict(&history), Outcome::Linearizable);
    // It cannot take effect before it was called.
    let history = [
        read(1, 0, 1, 1),
        Operation::unknown(0, 2, 3, RegOp::Write(1)),
    ];
    assert!(verdict(&history).violation().is_some());
    // Nor be undone.
    let history = [
        Operation::unknown(0, 0, 1, RegOp::Write(1)),
        read(1, 2, 3, 1),
        read(1, 4, 5, 0),
    ];
    assert!(verdict(&history).violation().is_some());
}

/// A bag: `put(x)` adds `x`, `take()` removes and returns any element
/// (nondeterministic output), `None` when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct Bag(Vec<i32>);

impl Model for Bag {
    type Input = Option<i32>;
    type Output = Option<i32>;
    const DETERMINISTIC: bool = false;
    fn step(&self, input: &Option<i32>) -> (Self, Option<i32>) {
        let mut next = self.clone();
        match input {
            Some(x) => {
                next.0.push(*x);
                next.0.sort_unstable();
                (next, None)
            }
            None => {
                let out = next.0.pop();
                (next, out)
            }
        }
    }
    fn successors(&self, input: &Option<i32>, output: Option<&Option<i32>>, next: &mut Vec<Self>) {
        if input.is_some() || self.0.is_empty() {
            let (after, out) = self.step(input);
            if output.is_none_or(|o| *o == out) {
                next.push(after);
            }
            return;
        }
        for (k, x) in self.0.iter().enumerate() {
            if output.is_none_or(|o| *o == Some(*x)) && (k == 0 || self.0[k - 1] != *x) {
                let mut after = self.clone();
                after.0.remove(k);
                next.push(after);
            }
        }
    }
    fn describe(&self) -> String {
        format!("the bag holds {:?}", self.0)
    }
}

#[test]
fn nondeterministic_models_follow_every_possible_result() {
    let put = |t, call, x| Operation::completed(t, call, call + 1, Some(x), None);
    let take = |t, call, x| Operation::completed(t, call, call + 1, None, Some(x));
    // Either element may come out first.
    for (a, b) in [(1, 2), (2, 1)] {
        let history = [put(0, 0, 1), put(0, 2, 2), take(1, 4, a), take(1, 6, b)];
        assert_eq!(
            check(&Bag::default(), &history, BUDGET),
            Outcome::Linearizable
        );
    }
    // But not the same one twice.
    let history = [put(0, 0, 1), put(0, 2, 2), take(1, 4, 2), take(1, 6, 2)];
    let outcome = check(&Bag::default(), &history, BUDGET);
    let violation = outcome.violation().expect("2 taken twice");
    // No single result is "the" one the take must return.
    let explanation = violation.explanation.as_ref().expect("explained");
    assert_eq!(explanation.expected, None);
    // A take whose result was lost took one element or none.
    let history = [
        put(0, 0, 1),
        put(0, 2, 2),
        Operation::unknown(1, 4, 5, None),
        take(1, 6, 2),
        take(1, 8, 1),
    ];
    assert_eq!(
        check(&Bag::default(), &history, BUDGET),
        Outcome::Linearizable
    );
}

#[test]
fn the_shrunk_violation_keeps_the_write_a_stale_read_saw_in_a_long_history() {
    // Forty sequential writes with reads of the current value in between
    // (80 calls), then a read of 5 long after 5 was overwritten.
    let mut history = Vec::new();
    for v in 1..=40 {
        let t = 4 * v as u64;
        history.push(write(0, t, t + 1, v));
        history.push(read(1, t + 2, t + 3, v));
    }
    history.push(read(2, 1000, 1001, 5));
    let outcome = verdict(&history);
    let violation = outcome.violation().expect("stale read");
    let kept: Vec<&Op> = violation.operations.iter().map(|&i| &history[i]).collect();
    assert!(
        kept.iter().any(|op| op.input == RegOp::Write(5)),
        "the write of 5 stays: {kept:?}"
    );
    assert!(violation.operations.contains(&80), "the stale read stays");
    assert!(
        !violation.description.starts_with("At the start"),
        "{}",
        violation.description
    );
}

#[test]
fn reads_of_unknown_output_do_not_multiply_the_search() {
    // Sixty reads that timed out, all overlapping a stale read: were each
    // one placed or not in turn, proving the violation would take 2^60
    // orders; a call that changes nothing is never worth placing.
    let mut history: Vec<Op> = (0..60)
        .map(|t| Operation::unknown(t, t as u64, 1000, RegOp::Read))
        .collect();
    history.push(write(60, 0, 1, 1));
    history.push(read(61, 2, 1001, 0));
    let outcome = check(&Register::default(), &history, Duration::from_secs(30));
    let violation = outcome.violation().expect("the stale read");
    assert_eq!(violation.operations, vec![60, 61]);
}

#[test]
fn reads_of_unknown_output_are_not_walked_past_after_every_placement() {
    // 300 timed-out reads that stay open to the end, and 300 writes, each
    // read back, one after another. Walking past every open read after each
    // placement took 300 steps a time.
    let mut history: Vec<Op> = (0..300)
        .map(|t| Operation::unknown(t, t as u64, 10_000, RegOp::Read))
        .collect();
    for v in 0..300 {
        let at = 1000 + 4 * v as u64;
        history.push(write(300, at, at + 1, v + 1));
        history.push(read(301, at + 2, at + 3, v + 1));
    }
    let all: Vec<usize> = (0..history.len()).collect();
    let mut search = Search::new(
        &Register::default(),
        &history,
        &all,
        Mode::default(),
        MemoryBudget::new(crate::DEFAULT_MEMORY),
    );
    let outcome = search.run(Instant::now() + Duration::from_secs(30));
    assert!(matches!(outcome, SearchOutcome::Linearizable));
    // Parked, the reads are only walked when nothing else can go next,
    // which never happens here: a few steps per call, against 300 per
    // placement (180,000 in all) before.
    assert!(search.steps() < 10 * 900, "{} steps", search.steps());
}

/// Every order of every subset of the unknown-output calls, tried one by
/// one: the definition of linearizability, for tiny histories.
fn brute_force(history: &[Op]) -> bool {
    let unknown: Vec<usize> = (0..history.len())
        .filter(|&i| history[i].output.is_none())
        .collect();
    (0..1u32 << unknown.len()).any(|mask| {
        let ops: Vec<usize> = (0..history.len())
            .filter(|i| match unknown.iter().position(|u| u == i) {
                Some(bit) => mask & (1 << bit) != 0,
                None => true,
            })
            .collect();
        permutations(&ops).into_iter().any(|order| {
            let respects_time = order.iter().enumerate().all(|(k, &a)| {
                order[k + 1..].iter().all(|&b| {
                    // b is placed after a: wrong if b returned before a began.
                    history[b].output.is_none()
                        || history[b].ret.is_none_or(|r| r >= history[a].call)
                })
            });
            let mut state = Register::default();
            respects_time
                && order.iter().all(|&i| {
                    let (next, out) = state.step(&history[i].input);
                    state = next;
                    history[i].output.is_none_or(|o| o == out)
                })
        })
    })
}

fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.is_empty() {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for k in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(k);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            all.push(tail);
        }
    }
    all
}

#[test]
fn verdicts_match_brute_force_on_small_random_histories() {
    // Seeded: the same 1,500 histories every run.
    let mut rng = fastrand::Rng::with_seed(13);
    let mut seen = [0; 2];
    for case in 0..1500 {
        let mut history = Vec::new();
        let mut clock = [0u64; 3];
        for _ in 0..rng.usize(2..=6) {
            let thread = rng.usize(..3);
            let call = clock[thread] + rng.u64(0..4);
            let ret = call + rng.u64(1..6);
            clock[thread] = ret + 1;
            let mut op = if rng.bool() {
                write(thread, call, ret, rng.i32(1..3))
            } else {
                read(thread, call, ret, rng.i32(0..3))
            };
            if rng.u8(..10) < 3 {
                op.output = None;
            }
            history.push(op);
        }
        let expected = brute_force(&history);
        seen[usize::from(expected)] += 1;
        assert_eq!(
            verdict(&history).is_linearizable(),
            expected,
            "case {case}: {history:?}"
        );
    }
    assert!(
        seen.iter().all(|&n| n > 100),
        "both verdicts tested: {seen:?}"
    );
}
