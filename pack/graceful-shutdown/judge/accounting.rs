//! The accounting of one shutdown of the orders service: how many submits
//! each thread had accepted, how many commands the summary counts, the
//! order whose final status the accepted commands cannot explain, and the
//! commands accepted after `shutdown()` returned (lost, since the summary
//! was already handed back).

use super::checks::Unreachable;
use super::model::OrdersModel;
use super::records::label;
use std::collections::BTreeMap;
use threadlings_judge::protocol::OpRecord;
use threadlings_judge::{Accounting, Fate, Message, Tally};

/// The accounting of the trial whose calls are `ops` (sorted by call
/// time), `accepted` of them submits that returned `Ok(())`; `shut` is the
/// tick at which `shutdown()` returned.
pub(super) fn of_trial(
    place: &str,
    ops: &[&OpRecord],
    accepted: &[&OpRecord],
    summary: &OrdersModel,
    shut: u64,
    unreachable: Option<&Unreachable>,
) -> Accounting {
    let mut per_thread: BTreeMap<usize, usize> = BTreeMap::new();
    for o in accepted {
        *per_thread.entry(o.thread).or_default() += 1;
    }
    let mut tallies: Vec<Tally> = per_thread
        .iter()
        .map(|(thread, n)| Tally::sent(format!("thread {thread}"), format!("{n} accepted")))
        .collect();
    let counted = summary.applied + summary.rejected;
    tallies.push(Tally {
        label: "total".into(),
        sent: format!("{} accepted", accepted.len()),
        applied: Some(format!(
            "{counted} counted ({} applied, {} rejected)",
            summary.applied, summary.rejected
        )),
        wrong: counted != accepted.len() as u64,
    });
    if let Some(u) = unreachable {
        tallies.push(Tally {
            label: format!("order {}", u.order),
            sent: u.shown.clone(),
            applied: Some(u.status.clone()),
            wrong: true,
        });
    }
    // Each call's place among its thread's calls, to name it.
    let mut seq: BTreeMap<(usize, u64), u64> = BTreeMap::new();
    let mut next: BTreeMap<usize, u64> = BTreeMap::new();
    for o in ops {
        let n = next.entry(o.thread).or_default();
        *n += 1;
        seq.insert((o.thread, o.call), *n);
    }
    let messages: Vec<Message> = accepted
        .iter()
        .filter(|o| o.call > shut)
        .map(|o| Message {
            thread: o.thread,
            call: label(o),
            seq: seq.get(&(o.thread, o.call)).copied().unwrap_or(0),
            at: Some(o.call),
            fate: Fate::Lost,
        })
        .collect();
    let mut note = "Sent: the submit() calls that returned Ok(()); applied: the commands \
                    shutdown()'s summary counts."
        .to_string();
    if !messages.is_empty() {
        note.push_str(
            " The commands named as lost were accepted after shutdown() had returned its \
             summary, so none of them can be in it.",
        );
    }
    Accounting {
        place: place.to_string(),
        tallies,
        messages,
        note,
    }
}
