//! The counter exercise: one owner thread holds an `i64`, clients ask it to
//! increment, decrement, reset or report the count.

use threadlings_judge::lincheck::Model;

/// A call on the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterOp {
    /// `inc()`: add one.
    Increment,
    /// `dec()`: subtract one.
    Decrement,
    /// `reset()`: back to zero.
    Reset,
    /// `get()`: report the count.
    Get,
    /// `shutdown()`: apply everything sent before, stop, report the final
    /// count. Its own operation so messages name it as the call it was.
    Shutdown,
}

/// What a counter call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterRet {
    /// The unit-returning calls (`inc`, `dec`, `reset`) finished.
    Done,
    /// The count reported by `get()` or `shutdown()`.
    Value(i64),
}

/// The counter's state. It starts at 0 (`Default`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CounterModel {
    /// The current count.
    pub count: i64,
}

impl Model for CounterModel {
    type Input = CounterOp;
    type Output = CounterRet;

    fn step(&self, input: &CounterOp) -> (Self, CounterRet) {
        // Wrapping, like a release build of the learner's code would; the
        // checker must not panic on a learner's overflow.
        match input {
            CounterOp::Increment => (
                Self {
                    count: self.count.wrapping_add(1),
                },
                CounterRet::Done,
            ),
            CounterOp::Decrement => (
                Self {
                    count: self.count.wrapping_sub(1),
                },
                CounterRet::Done,
            ),
            CounterOp::Reset => (Self { count: 0 }, CounterRet::Done),
            CounterOp::Get | CounterOp::Shutdown => (*self, CounterRet::Value(self.count)),
        }
    }

    fn describe(&self) -> String {
        format!("the count is {}", self.count)
    }

    fn call_label(input: &CounterOp) -> String {
        match input {
            CounterOp::Increment => "inc()",
            CounterOp::Decrement => "dec()",
            CounterOp::Reset => "reset()",
            CounterOp::Get => "get()",
            CounterOp::Shutdown => "shutdown()",
        }
        .to_string()
    }

    fn result_label(output: &CounterRet) -> Option<String> {
        match output {
            CounterRet::Done => None,
            CounterRet::Value(v) => Some(v.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use threadlings_judge::lincheck::{
        Operation, Outcome, Timeline, check, op_label, render_text, simulate,
    };

    type Op = Operation<CounterOp, CounterRet>;

    const BUDGET: Duration = Duration::from_secs(5);

    fn done(thread: usize, call: u64, ret: u64, input: CounterOp) -> Op {
        Operation::completed(thread, call, ret, input, CounterRet::Done)
    }

    fn get(thread: usize, call: u64, ret: u64, value: i64) -> Op {
        Operation::completed(thread, call, ret, CounterOp::Get, CounterRet::Value(value))
    }

    #[test]
    fn steps_follow_the_exercise() {
        let m = CounterModel::default();
        let (m, r) = m.step(&CounterOp::Increment);
        assert_eq!((m.count, r), (1, CounterRet::Done));
        let (m, _) = m.step(&CounterOp::Decrement);
        let (m, _) = m.step(&CounterOp::Decrement);
        assert_eq!(m.step(&CounterOp::Get).1, CounterRet::Value(-1));
        assert_eq!(m.step(&CounterOp::Reset).0.count, 0);
        assert_eq!(m.describe(), "the count is -1");
    }

    #[test]
    fn labels() {
        assert_eq!(
            op_label::<CounterModel>(&done(0, 0, 1, CounterOp::Increment)),
            "inc()"
        );
        assert_eq!(op_label::<CounterModel>(&get(0, 0, 1, 5)), "get() -> 5");
        assert_eq!(
            op_label::<CounterModel>(&Operation::pending(0, 0, CounterOp::Get)),
            "get() -> ?"
        );
    }

    #[test]
    fn read_your_writes_violation_shrinks_to_the_three_calls() {
        // Thread 0's own calls in sequence, plus thread 1's increments: one
        // overlapping everything (it may take effect after the get, so it
        // excuses nothing and must be shrunk away) and one after.
        let history = vec![
            done(0, 0, 1, CounterOp::Increment),
            done(1, 2, 20, CounterOp::Increment),
            done(0, 3, 4, CounterOp::Increment),
            get(0, 5, 6, 1),
            done(1, 21, 22, CounterOp::Increment),
        ];
        let outcome = check(&CounterModel::default(), &history, BUDGET);
        let Outcome::NotLinearizable(violation) = outcome else {
            panic!("expected a violation, got {outcome:?}");
        };
        assert!(violation.fully_shrunk);
        assert_eq!(violation.operations, vec![0, 2, 3]);
        let explanation = violation.explanation.as_ref().expect("explained");
        assert_eq!(explanation.blocked, 3);
        assert_eq!(explanation.prefix, vec![0, 2]);
        assert_eq!(
            violation.description,
            "After these 2 calls the count is 2, so thread 0's get() must return 2, but it returned 1."
        );
        let timeline = Timeline::from_violation::<CounterModel>(&history, &violation);
        insta::assert_snapshot!(render_text(&timeline, 80));
    }

    #[test]
    fn overlapping_incs_and_gets_with_plausible_values_are_linearizable() {
        // Three incs on three threads all overlapping two gets: any value
        // from 0 to 3 is plausible for each get, as long as the gets agree
        // with some single order (the first get sees no more than the second
        // when they do not overlap).
        for (a, b) in [(0, 0), (1, 3), (2, 2), (0, 3), (3, 3)] {
            let history = vec![
                done(0, 0, 10, CounterOp::Increment),
                done(1, 1, 11, CounterOp::Increment),
                done(2, 2, 12, CounterOp::Increment),
                get(3, 3, 5, a),
                get(3, 6, 9, b),
            ];
            assert_eq!(
                check(&CounterModel::default(), &history, BUDGET),
                Outcome::Linearizable,
                "gets {a} then {b}"
            );
        }
        // A later get seeing fewer increments than an earlier one is not.
        let history = vec![
            done(0, 0, 10, CounterOp::Increment),
            done(1, 1, 11, CounterOp::Increment),
            get(3, 3, 5, 2),
            get(3, 6, 9, 1),
        ];
        assert!(!check(&CounterModel::default(), &history, BUDGET).is_linearizable());
    }

    #[test]
    fn simulated_histories_are_linearizable() {
        let mut rng = fastrand::Rng::with_seed(7);
        let ops = [
            CounterOp::Increment,
            CounterOp::Decrement,
            CounterOp::Reset,
            CounterOp::Get,
        ];
        let inputs: Vec<CounterOp> = (0..500).map(|_| ops[rng.usize(..ops.len())]).collect();
        let history = simulate(&CounterModel::default(), &inputs, 4, &mut rng);
        assert_eq!(
            check(&CounterModel::default(), &history, BUDGET),
            Outcome::Linearizable
        );
    }
}
