//! Judging at the message level, from what the recording
//! `crossbeam_channel` saw: which call sent which message, and who received
//! it. A solution on `std::sync::mpsc` leaves no records, and these
//! judgements then say nothing (the call-level checks still apply).

use crate::accounting::{Accounting, Fate, Message};
use crate::protocol::{MsgRecord, OpRecord, Receiver, Record};
use crate::report::{CheckId, CheckResult, MessageFinding, MessageOutcome, Status};
use crate::run::PhaseRun;
use std::collections::BTreeMap;

/// How many channels `start()` created in `trial`, if the harness said.
pub fn channels_from_start(run: &PhaseRun, trial: usize) -> Option<u64> {
    run.records.iter().find_map(|r| match r {
        Record::Fact { name, fields } if name == "channels" => {
            let t: usize = fields.first()?.parse().ok()?;
            (t == trial).then(|| fields.get(1)?.parse().ok())?
        }
        _ => None,
    })
}

/// The recorded messages of a phase.
fn msgs(run: &PhaseRun) -> impl Iterator<Item = &MsgRecord> {
    run.records.iter().filter_map(|r| match r {
        Record::Msg(m) => Some(m),
        _ => None,
    })
}

/// Every call that returned, by trial and thread, in call order.
fn calls_by_lane(run: &PhaseRun) -> BTreeMap<(usize, usize), Vec<&OpRecord>> {
    let mut by: BTreeMap<(usize, usize), Vec<&OpRecord>> = BTreeMap::new();
    for op in run.ops().filter(|o| o.ret.is_some()) {
        by.entry((op.trial, op.thread)).or_default().push(op);
    }
    for ops in by.values_mut() {
        ops.sort_by_key(|o| o.call);
    }
    by
}

/// The call during which `msg` was sent: on the same thread, between the
/// call's two ticks.
fn sending_call<'a>(
    calls: &BTreeMap<(usize, usize), Vec<&'a OpRecord>>,
    msg: &MsgRecord,
) -> Option<&'a OpRecord> {
    let ops = calls.get(&(msg.trial, msg.lane))?;
    let i = ops.partition_point(|o| o.call < msg.sent);
    let op = ops.get(i.checked_sub(1)?)?;
    (op.ret? > msg.sent).then_some(*op)
}

/// Messages sent by calls that `accepted` says succeeded and that went
/// wrong: never received, received twice, or received by one of the
/// tutor's own threads. `label` writes a call as the learner would.
pub fn findings(
    run: &PhaseRun,
    accepted: impl Fn(&OpRecord) -> bool,
    label: impl Fn(&OpRecord) -> String,
) -> Vec<MessageFinding> {
    let calls = calls_by_lane(run);
    let mut found = Vec::new();
    for msg in msgs(run) {
        let outcome = match (&msg.receiver, msg.receives) {
            (Receiver::Nobody, _) => MessageOutcome::Lost,
            (_, n) if n > 1 => MessageOutcome::Duplicated,
            (Receiver::Client(_), _) => MessageOutcome::WrongReceiver,
            _ => continue,
        };
        let Some(op) = sending_call(&calls, msg).filter(|op| accepted(op)) else {
            continue;
        };
        found.push(MessageFinding {
            trial: msg.trial,
            thread: msg.lane,
            call: label(op),
            call_span: (op.call, op.ret.unwrap_or(op.call)),
            channel: msg.chan,
            seq: msg.seq,
            sent_at: msg.sent,
            received_at: msg.received,
            outcome,
        });
    }
    found
}

/// One finding in a sentence, with how many others there are.
pub fn describe(found: &[MessageFinding], phase: &str) -> Option<String> {
    let first = found.first()?;
    let place = if phase == "load" {
        format!("in trial {}", first.trial)
    } else {
        format!("in the {phase} phase")
    };
    let what = match first.outcome {
        MessageOutcome::Lost => "and never received".to_string(),
        MessageOutcome::Duplicated => format!(
            "and received more than once (first at t={})",
            first.received_at.unwrap_or_default()
        ),
        MessageOutcome::WrongReceiver => format!(
            "and received at t={} by one of the calling threads instead of the worker",
            first.received_at.unwrap_or_default()
        ),
    };
    let more = match found.len() {
        1 => String::new(),
        2 => " (1 more message like it in this phase)".to_string(),
        n => format!(" ({} more messages like it in this phase)", n - 1),
    };
    Some(format!(
        "{place}, thread {}'s {} was accepted (returned at t={}); its message #{} on channel {} \
         was sent at t={} {what}{more}",
        first.thread, first.call, first.call_span.1, first.seq, first.channel, first.sent_at
    ))
}

/// `owner-thread` at the message level, for the one-thread run: when
/// `start()` created recorded channels, every call before `shutdown()` that
/// succeeded must send a message that a thread of the solution (one that
/// `start()` spawned, or a helper spawned later) receives.
/// `None` when nothing was recorded (std::sync::mpsc, or no channel made
/// in `start()`): the caller keeps the thread-count judgement.
pub fn owner(
    run: &PhaseRun,
    judged: impl Fn(&OpRecord) -> bool,
    label: impl Fn(&OpRecord) -> String,
) -> Option<CheckResult> {
    let channels = channels_from_start(run, 0).filter(|&n| n > 0)?;
    let sent: Vec<&MsgRecord> = msgs(run).filter(|m| m.trial == 0).collect();
    let mut checked = 0;
    for (i, op) in run.ops().filter(|o| o.trial == 0).enumerate() {
        if op.input == "shutdown" {
            break;
        }
        let Some(ret) = op.ret else { break };
        if !judged(op) {
            continue;
        }
        checked += 1;
        let own: Vec<&&MsgRecord> = sent
            .iter()
            .filter(|m| m.lane == op.thread && op.call < m.sent && m.sent < ret)
            .collect();
        // A thread the worker spawned later (a helper it hands work to)
        // keeps the state behind the channel too.
        if own
            .iter()
            .any(|m| matches!(m.receiver, Receiver::Worker | Receiver::Other))
        {
            continue;
        }
        let seen = match own.first() {
            None => format!(
                "sent no message on any channel, although start() created {}",
                crate::checks::count_of(channels, "channel")
            ),
            Some(m) => match m.receiver {
                Receiver::Client(_) => {
                    "sent a message that the calling thread received itself".to_string()
                }
                _ => "sent a message that no thread ever received".to_string(),
            },
        };
        return Some(CheckResult::fail(
            CheckId::OWNER_THREAD,
            format!(
                "{} (call {} of the one-thread run) {seen}: the state does not live behind the \
                 channel. Every call must send the worker a message that the worker receives (is \
                 the state in an Arc<Mutex<..>> the calls use directly? A std::sync::mpsc mailbox \
                 next to crossbeam channels is invisible to the tutor: use one kind for all)",
                label(op),
                i + 1
            ),
        ));
    }
    (checked > 0).then(|| {
        CheckResult::pass(
            CheckId::OWNER_THREAD,
            format!("each of {checked} calls sent a message that the solution's worker received"),
        )
    })
}

/// Why `shutdown()` did not join, if a `joined` fact shows it: the
/// solution's threads still held a receiver they had read when it returned.
pub fn not_joined(runs: &[PhaseRun]) -> Option<String> {
    for run in runs {
        for r in &run.records {
            let Record::Fact { name, fields } = r else {
                continue;
            };
            if name != "joined" {
                continue;
            }
            let held: usize = fields.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            if held == 0 {
                continue;
            }
            let place = match (run.phase.as_str(), fields.first()) {
                ("load", Some(trial)) => format!("in trial {trial} of the load phase"),
                (phase, _) => format!("in the {phase} phase"),
            };
            return Some(format!(
                "{place}, shutdown() returned while the worker still held the receiver it reads \
                 ({} still alive): it was still running, so shutdown() did not \
                 wait for it (it may end a moment later, which hides the leak). Keep the worker's \
                 JoinHandle and join() it before shutdown() returns",
                if held == 1 {
                    "1 receiver".to_string()
                } else {
                    format!("{held} receivers")
                }
            ));
        }
    }
    None
}

/// `lost-messages` with the message-level findings added to the call-level
/// verdict `tallies`: a message that a succeeded call sent and nobody
/// received is named, even where the tallies could not tell.
pub fn lost_messages(
    tallies: CheckResult,
    runs: &[&PhaseRun],
    accepted: impl Fn(&OpRecord) -> bool,
    label: impl Fn(&OpRecord) -> String,
) -> CheckResult {
    for run in runs {
        let found = findings(run, &accepted, &label);
        let Some(named) = describe(&found, &run.phase) else {
            continue;
        };
        let message = if tallies.status == Status::Failed {
            // The tallies could not name a lost command; the records can.
            let tally = match tallies.message.split_once(" (Which ones cannot be told") {
                Some((before, after)) => {
                    format!("{before}{}", after.split_once(".)").map_or("", |(_, a)| a))
                }
                None => tallies.message.clone(),
            };
            format!("{tally} For example, {named}.")
        } else {
            let mut chars = named.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            format!(
                "{}{}: accepted means applied. Does the worker stop before draining its mailbox, \
                 or can a message be sent after the stop message?",
                first.unwrap_or_default(),
                chars.as_str()
            )
        };
        let mut accounting = tallies.accounting.clone().unwrap_or_else(|| Accounting {
            place: match run.phase.as_str() {
                "load" => format!("trial {}", found[0].trial),
                phase => format!("the {phase} phase"),
            },
            tallies: Vec::new(),
            messages: Vec::new(),
            note: "The counts agree, but the recorded channels show accepted commands whose \
                   messages went wrong."
                .to_string(),
        });
        accounting.messages.extend(found.iter().map(|f| Message {
            thread: f.thread,
            call: f.call.clone(),
            seq: f.seq,
            at: Some(f.sent_at),
            fate: match f.outcome {
                MessageOutcome::Lost => Fate::Lost,
                MessageOutcome::Duplicated => Fate::ReceivedTwice,
                MessageOutcome::WrongReceiver => Fate::ReceivedByWrongThread,
            },
        }));
        let mut result = CheckResult::fail(CheckId::LOST_MESSAGES, message)
            .with_messages(found)
            .with_accounting(accounting);
        result.timeline = tallies.timeline.clone();
        return result;
    }
    tallies
}

#[cfg(test)]
mod tests;
