//! `lost-messages`: in every load trial, each value a push put in (it
//! returned `Ok`) came out of exactly one pop, and nothing else came out.
//! Every consumer pops until the buffer says it is closed and empty, so a
//! value still missing then was lost.

use super::model::{self, Call, Ret};
use super::{
    Accounting, CheckId, CheckResult, Fate, Message, OpRecord, PhaseRun, Tally, TrialShape, shared,
};
use std::collections::BTreeMap;

/// What became of the values of one trial.
#[derive(Default)]
struct Ledger<'a> {
    /// Each value pushed with `Ok`: the push, and its place among its
    /// thread's calls.
    pushed: BTreeMap<u64, (&'a OpRecord, u64)>,
    /// How many times each value came out.
    popped: BTreeMap<u64, usize>,
    /// Per producer lane: values put in, and how many of them came out.
    per_thread: BTreeMap<usize, (usize, usize)>,
}

pub(super) fn lost_messages(run: &PhaseRun) -> CheckResult {
    let mut trials = 0;
    let mut values = 0;
    for shape in TrialShape::all(run) {
        let ops: Vec<&OpRecord> = run.ops().filter(|o| o.trial == shape.trial).collect();
        // A trial cut short (a hang, a panic) was never drained.
        if ops.is_empty() || ops.iter().any(|o| o.output.is_none()) {
            continue;
        }
        let ledger = tally(&ops);
        if let Some(result) = judge_trial(&shape, &ledger) {
            return result;
        }
        trials += 1;
        values += ledger.pushed.len();
    }
    if trials == 0 || !run.finished() {
        return shared::not_checked(CheckId::LOST_MESSAGES, run);
    }
    CheckResult::pass(
        CheckId::LOST_MESSAGES,
        format!(
            "every one of the {} pushed came out exactly once ({})",
            shared::count_of(values, "value"),
            shared::count_of(trials, "trial")
        ),
    )
}

fn tally<'a>(ops: &[&'a OpRecord]) -> Ledger<'a> {
    let mut ledger = Ledger::default();
    let mut seq: BTreeMap<usize, u64> = BTreeMap::new();
    for &op in ops {
        let n = seq.entry(op.thread).or_default();
        *n += 1;
        match model::parse(op) {
            Some((Call::Push(v) | Call::TryPush(v), Some(Ret::Pushed))) => {
                ledger.pushed.insert(v, (op, *n));
                ledger.per_thread.entry(op.thread).or_default().0 += 1;
            }
            Some((Call::Pop | Call::TryPop, Some(Ret::Value(v)))) => {
                *ledger.popped.entry(v).or_default() += 1;
            }
            _ => {}
        }
    }
    for (_, (op, _)) in ledger
        .pushed
        .iter()
        .filter(|(v, _)| ledger.popped.contains_key(v))
    {
        ledger.per_thread.entry(op.thread).or_default().1 += 1;
    }
    ledger
}

fn judge_trial(shape: &TrialShape, ledger: &Ledger<'_>) -> Option<CheckResult> {
    let lost: Vec<u64> = ledger
        .pushed
        .keys()
        .copied()
        .filter(|v| !ledger.popped.contains_key(v))
        .collect();
    let twice: Vec<u64> = ledger
        .popped
        .iter()
        .filter(|&(v, &n)| n > 1 && ledger.pushed.contains_key(v))
        .map(|(&v, _)| v)
        .collect();
    let invented: Vec<u64> = ledger
        .popped
        .keys()
        .copied()
        .filter(|v| !ledger.pushed.contains_key(v))
        .collect();
    if lost.is_empty() && twice.is_empty() && invented.is_empty() {
        return None;
    }
    let place = shape.describe();
    let mut parts = Vec::new();
    if !lost.is_empty() {
        parts.push(format!(
            "{} pushed with Ok never came out (the first: {}), though every consumer popped \
             until the buffer said Closed",
            shared::count_of(lost.len(), "value"),
            lost[0]
        ));
    }
    if !twice.is_empty() {
        parts.push(format!(
            "{} came out twice (the first: {})",
            shared::count_of(twice.len(), "value"),
            twice[0]
        ));
    }
    if !invented.is_empty() {
        parts.push(format!(
            "{} came out that no push put in with Ok (the first: {}; was a push that returned \
             Err kept anyway?)",
            shared::count_of(invented.len(), "value"),
            invented[0]
        ));
    }
    let message = format!(
        "in {place}, {}. Is a value dropped when the buffer is full or closed, or taken by two \
         pops at once?",
        parts.join("; ")
    );
    let mut tallies: Vec<Tally> = ledger
        .per_thread
        .iter()
        .map(|(thread, (put, out))| {
            Tally::both(format!("thread {thread}"), values(*put), values(*out))
        })
        .collect();
    let popped_total: usize = ledger.popped.values().sum();
    tallies.push(Tally::both(
        "total",
        values(ledger.pushed.len()),
        values(popped_total),
    ));
    let named = |named: &[u64], fate: Fate| -> Vec<Message> {
        named
            .iter()
            .filter_map(|v| ledger.pushed.get(v))
            .map(|(op, seq)| Message {
                thread: op.thread,
                call: super::label(op),
                seq: *seq,
                at: Some(op.call),
                fate,
            })
            .collect()
    };
    let mut messages = named(&lost, Fate::Lost);
    messages.extend(named(&twice, Fate::ReceivedTwice));
    messages.sort_by_key(|m| m.at);
    messages.truncate(12);
    let accounting = Accounting {
        place,
        tallies,
        messages,
        note: format!(
            "The sent column counts the values each producer's pushes put in (they returned \
             Ok); the applied column, how many of them pops took out. Pushes put in {} values; \
             pops took out {popped_total}. Every value \
             put in must come out exactly once.",
            ledger.pushed.len()
        ),
    };
    Some(CheckResult::fail(CheckId::LOST_MESSAGES, message).with_accounting(accounting))
}

/// A count of values for the accounting's columns: what pushes put in
/// ("sent") against what pops took out ("applied").
fn values(n: usize) -> String {
    shared::count_of(n, "value")
}
