//! The orders service's model-based checks: `correctness` replays the
//! one-thread run on the model, `linearizable` hands the load phase to the
//! generic judgement, `lost-messages` compares every shutdown's summary
//! with the commands that were accepted.

use super::accounting;
use super::model::{OrderId, OrdersModel, OrdersOp, OrdersRet};
use super::records::{
    history, label, ops_by_trial, parse_input, parse_output, shutdown_op, summaries, trial_ops,
};
use super::{BUDGET, TOTAL_BUDGET};
use std::collections::BTreeSet;
use threadlings_judge::CpuBudget;
use threadlings_judge::history::{self as judgement, Failure, Linearizable};
use threadlings_judge::lincheck::{self, Model, Operation, Outcome};
use threadlings_judge::protocol::OpRecord;
use threadlings_judge::{self as judge, PhaseRun};
use threadlings_judge::{Accounting, CheckId, CheckResult};

pub(super) fn correctness(run: &PhaseRun) -> CheckResult {
    let ops = trial_ops(run, 0);
    let mut model = OrdersModel::default();
    let recent = |i: usize| judge::after_calls(i, &ops[..i], |o| label(o));
    let mut shut_down = false;
    for (i, op) in ops.iter().enumerate() {
        let Some(out) = op.output.as_deref() else {
            break;
        };
        if op.input == "shutdown" {
            shut_down = true;
            let Some(summary) = summaries(run).remove(&0) else {
                break;
            };
            if summary != model {
                return CheckResult::fail(
                    CheckId::CORRECTNESS,
                    format!(
                        "{}, shutdown() returned a summary where {}; it must be: {}",
                        recent(i),
                        summary.describe(),
                        model.describe()
                    ),
                );
            }
            break;
        }
        let Some(input) = parse_input(&op.input) else {
            continue;
        };
        let (next, expected) = model.step(&input);
        let wrong = match parse_output(&input, out) {
            None if out == "stopped" => Some(format!(
                "{} returned Err(Stopped) although shutdown() had not been called",
                label(op).trim_end_matches(" -> Err(Stopped)")
            )),
            got if got != Some(expected) => {
                let want = match expected {
                    OrdersRet::Accepted => "Ok(())".to_string(),
                    OrdersRet::Status(s) => format!("Ok({s:?})"),
                };
                let call = label(&OpRecord {
                    output: Some("ok".into()),
                    ..(*op).clone()
                });
                let shown = match got {
                    Some(OrdersRet::Status(s)) => format!("Ok({s:?})"),
                    _ if out == "ok" => "Ok(())".to_string(),
                    _ => out.to_string(),
                };
                Some(format!("{call} returned {shown}; it must return {want}"))
            }
            _ => None,
        };
        if let Some(wrong) = wrong {
            return CheckResult::fail(
                CheckId::CORRECTNESS,
                format!("{}, {wrong} ({})", recent(i), model.describe()),
            );
        }
        model = next;
    }
    if !run.finished() || !shut_down {
        return judge::not_checked(CheckId::CORRECTNESS, run);
    }
    CheckResult::pass(
        CheckId::CORRECTNESS,
        format!(
            "{} calls on one thread gave the right results and the right summary",
            ops.len()
        ),
    )
}

pub(super) fn linearizable(run: &PhaseRun) -> CheckResult {
    let spec = Linearizable {
        initial: OrdersModel::default(),
        parse: parse_record,
        observe: None,
        budget: TOTAL_BUDGET,
        trial_budget: BUDGET,
        hint,
    };
    judgement::linearizable(run, &spec)
}

/// A call that returned something other than `Err(Stopped)`, as the
/// model's input and output (calls that never returned stay pending);
/// `shutdown()` and refused calls are left out.
pub(super) fn parse_record(op: &OpRecord) -> Option<(OrdersOp, Option<OrdersRet>)> {
    let input = parse_input(&op.input)?;
    let output = match (op.ret, op.output.as_deref()) {
        (Some(_), Some(out)) => Some(parse_output(&input, out)?),
        _ => None,
    };
    Some((input, output))
}

pub(super) fn hint(_: &Failure<'_, OrdersModel>) -> String {
    "(If status() misses this thread's own earlier submits: does the query travel on \
     another channel and overtake them?)"
        .into()
}

/// What one trial shows about lost messages.
pub(super) enum TrialVerdict {
    /// Every accepted command is in the summary.
    Fine,
    /// Could not be decided (a call cut short, or the search ran out of time).
    Undecided,
    /// Something accepted is missing, with the learner's explanation and
    /// the accounting of the trial.
    Lost(String, Box<Accounting>),
}

/// Checks one trial: every accepted submit is counted and the summary is a
/// state the accepted commands can lead to. `Some(message)` when not.
pub(super) fn lost_in_trial(
    run: &PhaseRun,
    trial: usize,
    ops: &[&OpRecord],
    summary: &OrdersModel,
    allowance: &CpuBudget,
) -> TrialVerdict {
    let place = if run.phase == "single" {
        "in the one-thread run".to_string()
    } else {
        format!("in trial {trial}")
    };
    if ops.iter().any(|o| o.ret.is_none()) {
        // A call cut short (a panic): whether it was accepted is unknown.
        return TrialVerdict::Undecided;
    }
    let accepted: Vec<&OpRecord> = ops
        .iter()
        .copied()
        .filter(|o| o.output.as_deref() == Some("ok") && o.input.starts_with("submit"))
        .collect();
    let counted = summary.applied + summary.rejected;
    let n = accepted.len() as u64;
    let shut = shutdown_op(ops).and_then(|o| o.ret).unwrap_or(u64::MAX);
    let after = accepted.iter().filter(|o| o.call > shut).count();
    let reach = unreachable_order(ops, &accepted, summary, allowance);
    let accounting = |unreachable: Option<&Unreachable>| {
        Box::new(accounting::of_trial(
            place.trim_start_matches("in "),
            ops,
            &accepted,
            summary,
            shut,
            unreachable,
        ))
    };
    if counted < n {
        let late = if after > 0 {
            format!(
                " ({after} of them were even accepted after shutdown() had returned: the mailbox stayed open)"
            )
        } else {
            String::new()
        };
        // Show one: an order whose final status the accepted commands on
        // it cannot lead to.
        let example = match &reach {
            Reach::Unreachable(order) => format!(" For example, {order}."),
            // Every final status is still reachable: the lost commands were
            // ones the worker would have rejected, so none can be named.
            Reach::Reachable => " (Which ones cannot be told: every order's final status is still \
                                 reachable without them.)"
                .to_string(),
            Reach::Undecided => String::new(),
        };
        let unreachable = match &reach {
            Reach::Unreachable(order) => Some(order),
            _ => None,
        };
        return TrialVerdict::Lost(
            format!(
                "{place}, {} returned Ok(()), but the summary counts only {} \
             ({} applied, {} rejected): {} lost{late}.{example} \
             Accepted means applied: does the worker stop at once on a separate stop signal, exit \
             while its mailbox still takes commands, or can a command be sent after the stop message \
             (a flag checked before sending)?",
                judge::count_of(n, "submit() call"),
                judge::count_of(counted, "command"),
                summary.applied,
                summary.rejected,
                match n - counted {
                    1 => "1 accepted command was".to_string(),
                    lost => format!("{lost} accepted commands were"),
                },
            ),
            accounting(unreachable),
        );
    }
    if counted > n {
        return TrialVerdict::Lost(
            format!(
                "{place}, only {n} submit() calls returned Ok(()), but the summary counts {counted} \
             commands ({} applied, {} rejected): a command was applied twice, or applied although \
             submit() returned Err(Stopped)",
                summary.applied, summary.rejected
            ),
            accounting(None),
        );
    }
    match &reach {
        Reach::Reachable => TrialVerdict::Fine,
        Reach::Undecided => TrialVerdict::Undecided,
        Reach::Unreachable(order) => TrialVerdict::Lost(
            format!("{place}, {order}: an accepted command was lost or applied wrongly"),
            accounting(Some(order)),
        ),
    }
}

/// Whether the summary's statuses are reachable from the accepted commands.
enum Reach {
    Reachable,
    Undecided,
    /// One order that is not.
    Unreachable(Unreachable),
}

/// An order whose final status no order of its accepted commands leads to.
pub(super) struct Unreachable {
    /// The order.
    pub(super) order: OrderId,
    /// Its accepted commands, as calls (the last dozen when there are more).
    pub(super) shown: String,
    /// Its status in the summary (`Some(Paid)`, `missing`).
    pub(super) status: String,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the summary says order {} is {}, but no order of the commands accepted for it \
             ({}) leads there",
            self.order, self.status, self.shown
        )
    }
}

/// Checks that the summary is a state the accepted commands can lead to, in
/// an order that respects real time, by adding it as a final observation.
fn unreachable_order(
    ops: &[&OpRecord],
    accepted: &[&OpRecord],
    summary: &OrdersModel,
    allowance: &CpuBudget,
) -> Reach {
    let mut history = history(accepted);
    let end = ops.iter().filter_map(|o| o.ret).max().unwrap_or(0) + 1;
    let mut ids: BTreeSet<OrderId> = summary.statuses.keys().copied().collect();
    ids.extend(history.iter().map(|o| o.input.order()));
    let lane = ops.iter().map(|o| o.thread).max().unwrap_or(0) + 1;
    for &id in &ids {
        history.push(Operation::completed(
            lane,
            end,
            end + 1,
            OrdersOp::Status(id),
            OrdersRet::Status(summary.statuses.get(&id).copied()),
        ));
    }
    let search = |budget| lincheck::check(&OrdersModel::default(), &history, budget);
    let violation = match allowance.search(BUDGET.min(allowance.left()), search) {
        Outcome::Linearizable => return Reach::Reachable,
        Outcome::Inconclusive { .. } => return Reach::Undecided,
        Outcome::NotLinearizable(violation) => violation,
    };
    let id = violation
        .operations
        .last()
        .map(|&i| history[i].input.order())
        .unwrap_or_default();
    let sent: Vec<String> = accepted
        .iter()
        .filter(|o| parse_input(&o.input).is_some_and(|i| i.order() == id))
        .map(|o| label(o))
        .collect();
    let shown = if sent.len() > 12 {
        format!(
            "{} commands, the last ones: {}",
            sent.len(),
            sent[sent.len() - 12..].join(", ")
        )
    } else if sent.is_empty() {
        "none".to_string()
    } else {
        sent.join(", ")
    };
    let status = summary
        .statuses
        .get(&id)
        .map_or("missing".to_string(), |s| format!("{s:?}"));
    Reach::Unreachable(Unreachable {
        order: id,
        shown,
        status,
    })
}

pub(super) fn lost_messages(single: &PhaseRun, load: &PhaseRun) -> CheckResult {
    let mut trials = 0;
    let mut undecided = 0;
    let allowance = CpuBudget::start(TOTAL_BUDGET);
    for run in [single, load] {
        let mut by_trial = ops_by_trial(run);
        for (trial, summary) in summaries(run) {
            trials += 1;
            let ops = by_trial.remove(&trial).unwrap_or_default();
            match lost_in_trial(run, trial, &ops, &summary, &allowance) {
                TrialVerdict::Fine => {}
                TrialVerdict::Undecided => undecided += 1,
                TrialVerdict::Lost(message, accounting) => {
                    return CheckResult::fail(CheckId::LOST_MESSAGES, message)
                        .with_accounting(*accounting);
                }
            }
        }
    }
    if trials == 0 || !load.finished() {
        return judge::not_checked(CheckId::LOST_MESSAGES, load);
    }
    if undecided > 0 {
        return CheckResult::not_checked(
            CheckId::LOST_MESSAGES,
            format!(
                "not checked: {undecided} of {} could not be compared with the \
                 accepted commands (a call never returned, or the search ran out of time)",
                judge::count_of(trials, "shutdown")
            ),
        );
    }
    CheckResult::pass(
        CheckId::LOST_MESSAGES,
        format!(
            "every accepted command was applied exactly once ({})",
            judge::count_of(trials, "shutdown")
        ),
    )
}
