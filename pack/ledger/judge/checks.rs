//! The ledger's own checks: `correctness` replays the one-thread run on the
//! model, `lost-messages` compares the harness's tallies of accepted
//! changes with the map `shutdown()` returned.

use super::model::{Account, LedgerModel};
use super::records::{Parsed, label, parse_map_wide, parse_op, show_map};
use std::collections::BTreeMap;
use threadlings_judge::lincheck::Model;
use threadlings_judge::protocol::OpRecord;
use threadlings_judge::{self as judge, PhaseRun};
use threadlings_judge::{Accounting, CheckId, CheckResult, Tally};

pub(super) fn correctness(run: &PhaseRun) -> CheckResult {
    let ops: Vec<&OpRecord> = run.ops().collect();
    let mut model = LedgerModel::default();
    let mut recent: Vec<String> = Vec::new();
    let mut shut_down = false;
    let context = |recent: &[String], i: usize| judge::after_calls(i, recent, String::clone);
    for (i, op) in ops.iter().enumerate() {
        let Some(parsed) = parse_op(op) else {
            return CheckResult::fail(
                CheckId::CORRECTNESS,
                format!("the harness recorded a call the tutor cannot read: {op:?}"),
            );
        };
        match parsed {
            Parsed::Call(_, None) | Parsed::Shutdown(None) => break,
            Parsed::Call(input, Some(got)) => {
                let (next, want) = model.step(&input);
                if got != want {
                    return CheckResult::fail(
                        CheckId::CORRECTNESS,
                        format!(
                            "{}, {} returned {}; with {} it must return {}",
                            context(&recent, i),
                            LedgerModel::call_label(&input),
                            LedgerModel::result_label(&got).unwrap_or_default(),
                            model.describe(),
                            LedgerModel::result_label(&want).unwrap_or_default(),
                        ),
                    );
                }
                model = next;
                recent.push(label(&input, Some(&got)));
            }
            Parsed::Shutdown(Some(map)) => {
                if map != model.balances {
                    return CheckResult::fail(
                        CheckId::CORRECTNESS,
                        format!(
                            "{}, shutdown() returned {}; it must return {} \
                             (every account whose balance is not 0, and no other)",
                            context(&recent, i),
                            show_map(&map),
                            show_map(&model.balances),
                        ),
                    );
                }
                shut_down = true;
            }
        }
    }
    if !run.finished() || !shut_down {
        return judge::not_checked(CheckId::CORRECTNESS, run);
    }
    CheckResult::pass(
        CheckId::CORRECTNESS,
        format!("{} calls on one thread gave the right results", ops.len()),
    )
}

pub(super) fn lost_messages(run: &PhaseRun) -> CheckResult {
    judge::final_tallies(run, "accepted change", |trial, kind, expected, value| {
        let (Some(expected), Some(value)) = (parse_map_wide(expected), parse_map_wide(value))
        else {
            return None;
        };
        // Zero balances in shutdown's map are a correctness matter.
        let value: BTreeMap<Account, i128> = value.into_iter().filter(|&(_, b)| b != 0).collect();
        if expected == value {
            return None;
        }
        let conserved = if kind == "transfers" {
            format!(
                " The clients only moved money between accounts, so the total must stay {} \
                 and shutdown() holds {}.",
                expected.values().sum::<i128>(),
                value.values().sum::<i128>()
            )
        } else {
            String::new()
        };
        let message = format!(
            "in trial {trial} ({kind}), the calls that returned success add up to the balances \
             {}, but shutdown() returned {}: some change was lost or applied twice.{conserved} \
             Does the worker stop before draining its mailbox, or reply before it applies \
             a change?",
            show_map(&expected),
            show_map(&value),
        );
        Some((message, accounting(trial, kind, &expected, &value)))
    })
}

/// Each account's balance as the successful calls add it up (sent) and as
/// `shutdown()` returned it (applied), then the totals.
fn accounting(
    trial: usize,
    kind: &str,
    expected: &BTreeMap<Account, i128>,
    value: &BTreeMap<Account, i128>,
) -> Accounting {
    let accounts: std::collections::BTreeSet<Account> =
        expected.keys().chain(value.keys()).copied().collect();
    let balance = |map: &BTreeMap<Account, i128>, a: &Account| map.get(a).copied().unwrap_or(0);
    let mut tallies: Vec<Tally> = accounts
        .iter()
        .map(|a| {
            Tally::both(
                format!("account {a}"),
                balance(expected, a).to_string(),
                balance(value, a).to_string(),
            )
        })
        .collect();
    tallies.push(Tally::both(
        "total",
        expected.values().sum::<i128>().to_string(),
        value.values().sum::<i128>().to_string(),
    ));
    let wrong = tallies
        .iter()
        .filter(|t| t.wrong && t.label != "total")
        .count();
    Accounting {
        place: format!("trial {trial} ({kind})"),
        tallies,
        messages: Vec::new(),
        note: format!(
            "Sent: the balances the calls that returned success add up to; applied: what \
             shutdown() returned. {wrong} account(s) differ: a change to them was lost or \
             applied twice."
        ),
    }
}
