//! Checker tests on a read/write register, the textbook object for
//! linearizability examples, plus budget and shrinking behaviour.

use std::time::Duration;

use super::*;

/// A register holding one integer, starting at 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Register(i32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegOp {
    Read,
    Write(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegRet {
    Ok,
    Value(i32),
}

impl Model for Register {
    type Input = RegOp;
    type Output = RegRet;

    fn step(&self, input: &RegOp) -> (Self, RegRet) {
        match *input {
            RegOp::Read => (*self, RegRet::Value(self.0)),
            RegOp::Write(v) => (Register(v), RegRet::Ok),
        }
    }

    fn describe(&self) -> String {
        format!("the register holds {}", self.0)
    }

    fn call_label(input: &RegOp) -> String {
        match input {
            RegOp::Read => "read()".into(),
            RegOp::Write(v) => format!("write({v})"),
        }
    }

    fn result_label(output: &RegRet) -> Option<String> {
        match output {
            RegRet::Ok => None,
            RegRet::Value(v) => Some(v.to_string()),
        }
    }
}

type Op = Operation<RegOp, RegRet>;

const BUDGET: Duration = Duration::from_secs(5);

fn write(thread: usize, call: u64, ret: u64, v: i32) -> Op {
    Operation::completed(thread, call, ret, RegOp::Write(v), RegRet::Ok)
}

fn read(thread: usize, call: u64, ret: u64, v: i32) -> Op {
    Operation::completed(thread, call, ret, RegOp::Read, RegRet::Value(v))
}

fn verdict(history: &[Op]) -> Outcome {
    check(&Register::default(), history, BUDGET)
}

#[test]
fn empty_history_is_linearizable() {
    assert_eq!(verdict(&[]), Outcome::Linearizable);
}

#[test]
fn linearizable_only_by_reordering_overlapping_calls() {
    // write(1) is called first, but the read after write(2) returned sees 1,
    // so write(1) must take effect after write(2): allowed, they overlap.
    let history = [write(0, 0, 10, 1), write(1, 1, 3, 2), read(1, 4, 5, 1)];
    assert_eq!(verdict(&history), Outcome::Linearizable);
    // Taking the overlap away makes the same results impossible.
    let sequential = [write(0, 0, 1, 1), write(1, 2, 3, 2), read(1, 4, 5, 1)];
    assert!(!verdict(&sequential).is_linearizable());
}

#[test]
fn stale_read_after_a_returned_write_is_not_linearizable() {
    let history = [write(0, 0, 1, 1), read(1, 2, 3, 0)];
    let outcome = verdict(&history);
    let violation = outcome.violation().expect("stale read");
    assert_eq!(violation.operations, vec![0, 1]);
    assert_eq!(
        violation.description,
        "After the first call the register holds 1, so thread 1's read() must return 1, but it returned 0."
    );
}

#[test]
fn read_seeing_a_write_that_started_after_it_returned_is_not_linearizable() {
    let history = [read(1, 0, 1, 1), write(0, 2, 3, 1)];
    assert!(!verdict(&history).is_linearizable());
    // Overlapping, the same read is fine.
    let history = [read(1, 0, 3, 1), write(0, 1, 2, 1)];
    assert!(verdict(&history).is_linearizable());
}

#[test]
fn pending_call_may_have_taken_effect() {
    // The write never returned, yet a later read sees it: it took effect.
    let history = [Operation::pending(0, 0, RegOp::Write(1)), read(1, 1, 2, 1)];
    assert_eq!(verdict(&history), Outcome::Linearizable);
}

#[test]
fn pending_call_may_not_have_taken_effect() {
    // Only consistent if the pending write never happened.
    let history = [
        write(1, 0, 1, 5),
        Operation::pending(0, 2, RegOp::Write(1)),
        read(1, 3, 4, 5),
        read(1, 10, 11, 5),
    ];
    assert_eq!(verdict(&history), Outcome::Linearizable);
    // But it cannot take effect and then be undone.
    let history = [
        Operation::pending(0, 0, RegOp::Write(1)),
        read(1, 1, 2, 1),
        read(1, 3, 4, 0),
    ];
    assert!(!verdict(&history).is_linearizable());
}

#[test]
fn equal_sequence_numbers_count_as_overlapping() {
    // ret == call is not "finished before"; only ret < call is.
    let history = [read(1, 0, 5, 1), write(0, 5, 6, 1)];
    assert!(verdict(&history).is_linearizable());
}

#[test]
fn tiny_budget_gives_inconclusive_never_a_pass() {
    // Forty overlapping writes of distinct values and a read of a value
    // nobody wrote: proving failure means trying every subset of writes
    // before the read, far more than a millisecond allows.
    let mut history: Vec<Op> = (0..40)
        .map(|t| write(t, t as u64, 1000, t as i32 + 1))
        .collect();
    history.push(read(40, 50, 1001, 99));
    let outcome = check(&Register::default(), &history, Duration::from_millis(1));
    assert!(
        matches!(outcome, Outcome::Inconclusive { explored, .. } if explored > 0),
        "{outcome:?}"
    );
}

#[test]
fn shrunk_history_fails_and_has_no_removable_operation() {
    // Three threads hammering the register; thread 2 reads a value that
    // was overwritten before its read began.
    let history = vec![
        write(0, 0, 3, 1),
        read(1, 1, 2, 0),
        write(0, 4, 6, 2),
        read(1, 5, 8, 2),
        write(2, 7, 9, 3),
        read(0, 10, 11, 3),
        read(2, 12, 13, 1),
        write(1, 14, 15, 4),
    ];
    let outcome = verdict(&history);
    let violation = outcome.violation().expect("stale read of 1");
    assert!(violation.fully_shrunk);
    let shrunk: Vec<Op> = violation
        .operations
        .iter()
        .map(|&i| history[i].clone())
        .collect();
    assert!(!verdict(&shrunk).is_linearizable());
    for skip in 0..shrunk.len() {
        let mut smaller = shrunk.clone();
        let removed = smaller.remove(skip);
        // Shrinking keeps results producible: the write of 1 stays even
        // though a read of 1 with no write of 1 would fail too.
        let keeps_the_read_explainable = removed.input != RegOp::Write(1);
        assert!(
            verdict(&smaller).is_linearizable() || !keeps_the_read_explainable,
            "operation {skip} was removable"
        );
    }
    assert_eq!(shrunk[0].input, RegOp::Write(1));
    assert!(shrunk.len() < history.len());
    assert!(violation.operations.contains(&6), "the stale read stays");
}

#[test]
fn partitions_are_checked_separately() {
    // Two registers keyed by the write value's parity is contrived, but it
    // shows a failing part failing the whole history.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    struct Split(Register);
    impl Model for Split {
        type Input = RegOp;
        type Output = RegRet;
        fn step(&self, input: &RegOp) -> (Self, RegRet) {
            let (r, out) = self.0.step(input);
            (Split(r), out)
        }
        fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
            // Each thread is its own part, as if threads used separate registers.
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for (i, op) in history.iter().enumerate() {
                parts.resize(parts.len().max(op.thread + 1), Vec::new());
                parts[op.thread].push(i);
            }
            parts.retain(|p| !p.is_empty());
            Some(parts)
        }
        fn describe(&self) -> String {
            self.0.describe()
        }
    }
    // Across threads this would fail (stale read), per thread it does not.
    let history = [write(0, 0, 1, 1), read(1, 2, 3, 0)];
    assert!(check(&Split::default(), &history, BUDGET).is_linearizable());
    let history = [write(0, 0, 1, 1), read(1, 2, 3, 0), read(0, 4, 5, 0)];
    let outcome = check(&Split::default(), &history, BUDGET);
    assert_eq!(
        outcome.violation().map(|v| v.operations.clone()),
        Some(vec![0, 2])
    );
}

#[test]
fn timeline_marks_the_impossible_read_and_shows_pending_calls() {
    let history = vec![
        write(0, 0, 3, 1),
        read(1, 1, 2, 0),
        Operation::pending(2, 4, RegOp::Write(7)),
        read(1, 5, 6, 0),
    ];
    let timeline = Timeline::new::<Register>(
        &history,
        &[0, 1, 2, 3],
        Some(3),
        Some("After the first call the register holds 1, so thread 1's read() must return 1, but it returned 0.".into()),
    );
    assert_eq!(timeline.columns, 7);
    assert_eq!(timeline.lanes.len(), 3);
    assert_eq!(timeline.lanes[2].ops[0].end, None);
    assert!(timeline.lanes[1].ops[1].impossible);
    insta::assert_snapshot!("register_wide", render_text(&timeline, 80));
    insta::assert_snapshot!("register_narrow", render_text(&timeline, 30));
}

mod bounds;
