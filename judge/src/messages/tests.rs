//! Message-level judgements on hand-made records.

use super::*;
use crate::run::Ending;

fn finished(phase: &'static str, mut records: Vec<Record>) -> PhaseRun {
    records.push(Record::Done);
    PhaseRun {
        phase: phase.into(),
        records,
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    }
}

fn op(trial: usize, thread: usize, call: u64, ret: u64, input: &str) -> Record {
    Record::Op(OpRecord {
        trial,
        thread,
        call,
        ret: Some(ret),
        input: input.into(),
        output: Some("ok".into()),
    })
}

fn msg(trial: usize, lane: usize, sent: u64, seq: u64, receiver: Receiver) -> Record {
    let received = (receiver != Receiver::Nobody).then_some(sent + 1);
    Record::Msg(MsgRecord {
        trial,
        lane,
        sent,
        chan: 1,
        seq,
        receives: u32::from(received.is_some()),
        receiver,
        received,
    })
}

fn channels(trial: usize, made: u64) -> Record {
    Record::Fact {
        name: "channels".into(),
        fields: vec![trial.to_string(), made.to_string(), "1".into()],
    }
}

fn label(op: &OpRecord) -> String {
    format!("{}()", op.input)
}

#[test]
fn owner_wants_every_call_to_reach_a_worker() {
    let through = finished(
        "single",
        vec![
            op(0, 0, 1, 4, "inc"),
            op(0, 0, 5, 8, "get"),
            channels(0, 1),
            msg(0, 0, 2, 0, Receiver::Worker),
            msg(0, 0, 6, 1, Receiver::Worker),
        ],
    );
    let result = owner(&through, |_| true, label).expect("judged");
    assert!(result.passed, "{}", result.message);

    // The second call sends nothing: the state is somewhere else.
    let decorative = finished(
        "single",
        vec![
            op(0, 0, 1, 4, "inc"),
            op(0, 0, 5, 8, "get"),
            channels(0, 1),
            msg(0, 0, 2, 0, Receiver::Worker),
        ],
    );
    let result = owner(&decorative, |_| true, label).expect("judged");
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .message
            .starts_with("get() (call 2 of the one-thread run) sent no message")
    );

    // The caller receives its own message.
    let own = finished(
        "single",
        vec![
            op(0, 0, 1, 4, "inc"),
            channels(0, 1),
            msg(0, 0, 2, 0, Receiver::Client(0)),
        ],
    );
    let result = owner(&own, |_| true, label).expect("judged");
    assert!(
        result
            .message
            .contains("the calling thread received itself")
    );

    // A helper the worker spawned later receives it: still behind the channel.
    let helper = finished(
        "single",
        vec![
            op(0, 0, 1, 4, "inc"),
            channels(0, 1),
            msg(0, 0, 2, 0, Receiver::Other),
        ],
    );
    assert!(owner(&helper, |_| true, label).expect("judged").passed);

    // No channel made in start() (std::sync::mpsc): not judged here.
    let unseen = finished("single", vec![op(0, 0, 1, 4, "inc"), channels(0, 0)]);
    assert!(owner(&unseen, |_| true, label).is_none());
}

#[test]
fn lost_messages_name_the_call_that_sent_them() {
    let run = finished(
        "load",
        vec![
            op(3, 2, 10, 14, "pay"),
            op(3, 2, 15, 19, "ship"),
            msg(3, 2, 12, 7, Receiver::Worker),
            msg(3, 2, 17, 8, Receiver::Nobody),
        ],
    );
    let tallies = CheckResult::pass(CheckId::LOST_MESSAGES, "tallies fine");
    let result = lost_messages(tallies, &[&run], |_| true, label);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.messages.len(), 1);
    let lost = &result.messages[0];
    assert_eq!(
        (lost.trial, lost.thread, lost.seq, lost.sent_at),
        (3, 2, 8, 17)
    );
    assert_eq!((lost.call.as_str(), lost.call_span), ("ship()", (15, 19)));
    assert_eq!(lost.outcome, MessageOutcome::Lost);
    // The accounting picture names it as a row, and its text shows it.
    let accounting = result.accounting.as_ref().expect("an accounting picture");
    assert_eq!(accounting.place, "trial 3");
    assert_eq!(accounting.messages.len(), 1);
    let row = &accounting.messages[0];
    assert_eq!(
        (row.thread, row.call.as_str(), row.seq, row.at, row.fate),
        (2, "ship()", 8, Some(17), Fate::Lost)
    );
    assert!(result.detail.as_deref().unwrap_or("").contains("ship()"));
    assert!(
        result
            .message
            .starts_with("In trial 3, thread 2's ship() was accepted (returned at t=19)"),
        "{}",
        result.message
    );

    // A call that was refused is not asked to deliver anything.
    let refused = lost_messages(
        CheckResult::pass(CheckId::LOST_MESSAGES, "tallies fine"),
        &[&run],
        |op| op.input != "ship",
        label,
    );
    assert!(refused.passed);
}

#[test]
fn a_receiver_held_after_shutdown_means_no_join() {
    let joined = |held: &str| {
        finished(
            "load",
            vec![Record::Fact {
                name: "joined".into(),
                fields: vec!["5".into(), held.into()],
            }],
        )
    };
    assert!(not_joined(&[joined("0")]).is_none());
    let why = not_joined(&[joined("0"), joined("1")]).expect("not joined");
    assert!(why.starts_with("in trial 5 of the load phase, shutdown() returned while the worker"));
}
