//! Calls into learner code, made the one way every driver makes them.
//!
//! A call that goes into a history is: a tick of the global clock, the
//! call itself watched by the watchdog (so a call that never returns is
//! reported as a hang, naming it) with its panic caught, a second tick,
//! and the `op` record of what was called and what came back. Drivers say
//! only what to call and how to write its result: [`recorded`]. Calls that
//! go into no history (starting the value, the idle phase's pokes) are
//! [`watched`] only.

use crate::load::{call, op_record, tick};
use crate::watchdog::guard;

/// Where a call goes in the history, and who makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    /// The trial (0 in the single-threaded phase).
    pub trial: usize,
    /// The lane the call is drawn in: the client thread's number, or a
    /// number of its own for the main thread's calls.
    pub lane: usize,
    /// The watchdog slot of the thread making the call: 0 for the main
    /// thread, `client + 1` for a client.
    pub slot: usize,
}

impl Lane {
    /// Calls made by the main thread (watchdog slot 0) in `lane` of `trial`.
    pub fn main(trial: usize, lane: usize) -> Lane {
        Lane {
            trial,
            lane,
            slot: 0,
        }
    }

    /// Calls made by client thread `client` of `trial`, drawn in its own lane.
    pub fn client(trial: usize, client: usize) -> Lane {
        Lane {
            trial,
            lane: client,
            slot: client + 1,
        }
    }
}

/// Makes `f` (one call into learner code) and records it in `records`:
/// `name` is the call as a hang report names it (`get()`), `input` as the
/// record does (`get`), and `output` writes its result. `None` if the call
/// panicked; it is then recorded as never returned.
pub fn recorded<T>(
    records: &mut Vec<String>,
    at: Lane,
    name: &'static str,
    input: &str,
    f: impl FnOnce() -> T,
    output: impl FnOnce(&T) -> String,
) -> Option<T> {
    recorded_returning(records, at, name, input, f, output).map(|(value, _)| value)
}

/// [`recorded`], also giving the tick the call returned at, for drivers
/// that order later calls after it (calls made after `shutdown()`).
pub fn recorded_returning<T>(
    records: &mut Vec<String>,
    at: Lane,
    name: &'static str,
    input: &str,
    f: impl FnOnce() -> T,
    output: impl FnOnce(&T) -> String,
) -> Option<(T, u64)> {
    let called = tick();
    let value = watched(at.slot, name, f);
    let returned = tick();
    let shown = value.as_ref().map(output);
    records.push(op_record(
        at.trial,
        at.lane,
        called,
        value.as_ref().map(|_| returned),
        input,
        shown.as_deref(),
    ));
    value.map(|value| (value, returned))
}

/// Makes `f` (one call into learner code, named `name` as in `get()`) on
/// the thread owning watchdog `slot`, which reports it if it hangs, with
/// its panic caught: `None` if it panicked.
pub fn watched<T>(slot: usize, name: &'static str, f: impl FnOnce() -> T) -> Option<T> {
    let _watch = guard(slot, name);
    call(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record's fields after the `op` tag.
    fn fields(record: &str) -> Vec<&str> {
        record.split('\t').skip(1).collect()
    }

    #[test]
    fn a_returning_call_is_recorded_between_two_ticks() {
        let mut records = Vec::new();
        let before = tick();
        let got = recorded_returning(
            &mut records,
            Lane::client(3, 2),
            "get()",
            "get",
            || 41 + 1,
            |v| v.to_string(),
        );
        let after = tick();
        let (value, returned) = got.expect("it returned");
        assert_eq!(value, 42);
        let f = fields(&records[0]);
        assert_eq!((f[0], f[1], f[4], f[5]), ("3", "2", "get", "42"));
        let called: u64 = f[2].parse().unwrap();
        assert_eq!(f[3], returned.to_string());
        assert!(before < called && called < returned && returned < after);
    }

    #[test]
    fn a_panicking_call_is_recorded_as_never_returned() {
        let mut records = Vec::new();
        let got = recorded(
            &mut records,
            Lane::main(0, 5),
            "inc()",
            "inc",
            || -> u8 { panic!("the learner's code panicked") },
            |_| unreachable!("a panicked call has no output"),
        );
        assert_eq!(got, None);
        let f = fields(&records[0]);
        assert_eq!((f[0], f[1], f[3], f[4], f[5]), ("0", "5", "-", "inc", "-"));
    }
}
