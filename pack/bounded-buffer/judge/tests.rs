//! The buffer's own judgements on hand-made observations.

use super::*;
use threadlings_judge::Ending;

fn op(trial: usize, thread: usize, call: u64, input: &str, output: &str) -> Record {
    Record::Op(OpRecord {
        trial,
        thread,
        call,
        ret: Some(call + 1),
        input: input.into(),
        output: Some(output.into()),
    })
}

fn facts(name: &str, fields: &[&str]) -> Record {
    Record::Fact {
        name: name.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}

fn run(phase: &'static str, records: Vec<Record>) -> PhaseRun {
    PhaseRun {
        phase: phase.into(),
        records,
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    }
}

#[test]
fn a_pop_stuck_after_close_is_blamed_on_close() {
    let load = run(
        "load",
        vec![
            facts("trial", &["0", "1", "2", "2", "drain"]),
            facts("closed", &["0"]),
            Record::Hang {
                thread: "client thread 3".into(),
                call: "pop()".into(),
                millis: 2010,
                doing: Some(Doing::Sleeping),
            },
        ],
    );
    let result = hang::hang(&[load]);
    assert_eq!(result.status, Status::Failed);
    assert!(
        result.message.starts_with(
            "pop() on client thread 3 in trial 0 (capacity 1, 2 producers, 2 consumers) has been \
             blocked for 2010 ms and never returned, though close() had already returned"
        ),
        "{}",
        result.message
    );
    assert!(result.message.contains("notify_all"), "{}", result.message);
}

#[test]
fn a_push_stuck_before_close_is_a_lost_wakeup() {
    let load = run(
        "load",
        vec![
            facts("trial", &["0", "1", "2", "2", "drain"]),
            facts("closed", &["0"]),
            facts("trial", &["1", "1", "3", "3", "drain"]),
            Record::Hang {
                thread: "client thread 0".into(),
                call: "push()".into(),
                millis: 2000,
                doing: Some(Doing::Sleeping),
            },
        ],
    );
    let message = hang::hang(&[load]).message;
    assert!(
        message.contains("in trial 1 (capacity 1, 3 producers"),
        "{message}"
    );
    assert!(
        message.contains("a pop() by one of them should have woken it"),
        "{message}"
    );
    assert!(message.contains("lost wakeup"), "{message}");
}

#[test]
fn a_value_never_popped_is_named_in_the_accounting() {
    let mut records = vec![facts("trial", &["0", "2", "1", "1", "drain"])];
    records.extend([
        op(0, 0, 0, "push:1001", "ok"),
        op(0, 0, 2, "push:1002", "ok"),
        op(0, 1, 4, "pop", "1001"),
        op(0, 2, 6, "close", "ok"),
        op(0, 1, 8, "pop", "closed"),
        Record::Done,
    ]);
    let result = lost::lost_messages(&run("load", records));
    assert_eq!(result.status, Status::Failed, "{}", result.message);
    assert!(
        result
            .message
            .contains("1 value pushed with Ok never came out (the first: 1002)")
    );
    let accounting = result.accounting.expect("accounting");
    assert_eq!(accounting.messages.len(), 1);
    assert_eq!(accounting.messages[0].call, "push(1002) -> Ok(())");
    assert_eq!(accounting.messages[0].fate, Fate::Lost);
    let total = accounting.tallies.last().expect("total row");
    assert_eq!(
        (total.sent.as_str(), total.applied.as_deref()),
        ("2 values", Some("1 value"))
    );
}

#[test]
fn close_that_wakes_only_some_waiters_fails_close() {
    let phase = run(
        "close",
        vec![facts("woken", &["pop", "4", "1", "103"]), Record::Done],
    );
    let result = close::close(&phase);
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .message
            .starts_with("close() woke only 1 of the 4 threads blocked in pop() within 100 ms"),
        "{}",
        result.message
    );
}

#[test]
fn a_push_into_a_full_buffer_is_not_linearizable() {
    let mut records = vec![facts("trial", &["0", "1", "2", "1", "drain"])];
    records.extend([
        op(0, 0, 0, "push:1001", "ok"),
        op(0, 1, 2, "push:2001", "ok"),
        op(0, 2, 4, "pop", "1001"),
        op(0, 2, 6, "pop", "2001"),
        Record::Done,
    ]);
    let result = linearizable(&run("load", records));
    assert_eq!(result.status, Status::Failed, "{}", result.message);
    assert!(result.message.contains("push(2001)"), "{}", result.message);
    assert!(
        result.message.contains("`if` rather than a `while`"),
        "{}",
        result.message
    );
}
