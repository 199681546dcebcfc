//! What the generic `linearizable` judgement needs to know about the
//! ledger: how records read, how `shutdown()`'s map becomes a final
//! observation, and which bug a failure usually points to.

use super::model::{Account, LedgerModel, LedgerOp, LedgerRet};
use super::records::{Parsed, parse_op};
use std::collections::BTreeSet;
use std::time::Duration;
use threadlings_judge::CheckResult;
use threadlings_judge::PhaseRun;
use threadlings_judge::history::{self, Failure, Linearizable, Trial};
use threadlings_judge::lincheck::Operation;
use threadlings_judge::protocol::OpRecord;

/// Time for deciding every trial of the load phase together.
const CHECK_BUDGET: Duration = Duration::from_millis(1500);

pub(super) fn linearizable(run: &PhaseRun) -> CheckResult {
    let spec = Linearizable {
        initial: LedgerModel::default(),
        parse,
        observe: Some(observe),
        budget: CHECK_BUDGET,
        trial_budget: CHECK_BUDGET,
        hint,
    };
    history::linearizable(run, &spec)
}

/// A recorded call other than `shutdown()` as the model sees it.
pub(super) fn parse(op: &OpRecord) -> Option<(LedgerOp, Option<LedgerRet>)> {
    match parse_op(op)? {
        Parsed::Call(input, output) => Some((input, output)),
        Parsed::Shutdown(_) => None,
    }
}

/// `shutdown()` becomes a `balance()` of every account the trial touched,
/// all spanning the shutdown call: its map is a final observation of the
/// whole ledger. A shutdown that never returned observed nothing.
pub(super) fn observe(op: &OpRecord, history: &Trial<LedgerModel>) -> Option<Trial<LedgerModel>> {
    let Parsed::Shutdown(map) = parse_op(op)? else {
        return None;
    };
    let Some(map) = map else {
        return Some(Vec::new());
    };
    let mut accounts: BTreeSet<Account> = map.keys().copied().collect();
    for earlier in history {
        match earlier.input {
            LedgerOp::Credit { account, .. }
            | LedgerOp::Debit { account, .. }
            | LedgerOp::Balance { account } => {
                accounts.insert(account);
            }
            LedgerOp::Transfer { from, to, .. } => {
                accounts.insert(from);
                accounts.insert(to);
            }
            LedgerOp::Total => {}
        }
    }
    let ret = op.ret.unwrap_or(op.call + 1);
    Some(
        accounts
            .into_iter()
            .map(|account| {
                let balance = map.get(&account).copied().unwrap_or(0);
                Operation::completed(
                    op.thread,
                    op.call,
                    ret,
                    LedgerOp::Balance { account },
                    LedgerRet::Balance(balance),
                )
            })
            .collect(),
    )
}

/// What usually causes the failure, by the call that could not be placed,
/// and who the tutor's own thread is when it is drawn.
pub(super) fn hint(failure: &Failure<'_, LedgerModel>) -> String {
    let note = match failure.observer {
        Some(lane)
            if failure
                .shown
                .iter()
                .any(|&i| failure.history[i].thread == lane) =>
        {
            format!(
                "(Thread {lane} is the tutor's main thread: it credits before and after \
                 the clients run, and its balance() calls at the very end stand for the \
                 map shutdown() returned.) "
            )
        }
        _ => String::new(),
    };
    let blocked = failure.blocked.map(|i| &failure.history[i].input);
    let hint = match blocked {
        Some(LedgerOp::Total) => {
            "A total() that disagrees with the balances saw money in flight: a transfer \
             done as two steps, or accounts read at different moments. Are transfer() \
             and total() each one message that the worker handles in one go?"
        }
        Some(LedgerOp::Debit { .. } | LedgerOp::Transfer { .. }) => {
            "Was the balance checked in one message and changed in another? Two \
             callers can then both see enough money. The worker must check and \
             change in the same step."
        }
        _ => {
            "Does every call, including the read of every balance it needs, \
             happen inside the worker as one message?"
        }
    };
    format!("{note}{hint}")
}
