//! Reading the harness's records of the orders service (`submit pay 7` ->
//! `ok` / `stopped`, summaries as `applied rejected id:status,...`) into
//! the [`OrdersModel`]'s inputs and outputs, and labelling them for
//! messages.

use super::model::{Command, OrderId, OrdersModel, OrdersOp, OrdersRet, Status};
use std::collections::BTreeMap;
use threadlings_judge::PhaseRun;
use threadlings_judge::lincheck::Operation;
use threadlings_judge::protocol::{OpRecord, Record};

pub(super) fn parse_input(input: &str) -> Option<OrdersOp> {
    let words: Vec<&str> = input.split(' ').collect();
    match words.as_slice() {
        ["submit", kind, id] => {
            let id: OrderId = id.parse().ok()?;
            Some(OrdersOp::Submit(match *kind {
                "create" => Command::Create(id),
                "pay" => Command::Pay(id),
                "ship" => Command::Ship(id),
                "cancel" => Command::Cancel(id),
                _ => return None,
            }))
        }
        ["status", id] => Some(OrdersOp::Status(id.parse().ok()?)),
        _ => None,
    }
}

pub(super) fn parse_status(word: &str) -> Option<Status> {
    Some(match word {
        "created" => Status::Created,
        "paid" => Status::Paid,
        "shipped" => Status::Shipped,
        "cancelled" => Status::Cancelled,
        _ => return None,
    })
}

/// An output other than `stopped`, as the model's result.
pub(super) fn parse_output(op: &OrdersOp, output: &str) -> Option<OrdersRet> {
    match (op, output) {
        (OrdersOp::Submit(_), "ok") => Some(OrdersRet::Accepted),
        (OrdersOp::Status(_), "none") => Some(OrdersRet::Status(None)),
        (OrdersOp::Status(_), word) => Some(OrdersRet::Status(Some(parse_status(word)?))),
        _ => None,
    }
}

pub(super) fn parse_summary(value: &str) -> Option<OrdersModel> {
    let mut parts = value.splitn(3, ' ');
    let applied = parts.next()?.parse().ok()?;
    let rejected = parts.next()?.parse().ok()?;
    let mut statuses = BTreeMap::new();
    for pair in parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.is_empty())
    {
        let (id, status) = pair.split_once(':')?;
        statuses.insert(id.parse().ok()?, parse_status(status)?);
    }
    Some(OrdersModel {
        statuses,
        applied,
        rejected,
    })
}

pub(super) fn summaries(run: &PhaseRun) -> BTreeMap<usize, OrdersModel> {
    run.records
        .iter()
        .filter_map(|r| match r {
            Record::Final {
                trial, kind, value, ..
            } if kind == "summary" => Some((*trial, parse_summary(value)?)),
            _ => None,
        })
        .collect()
}

pub(super) fn trial_ops(run: &PhaseRun, trial: usize) -> Vec<&OpRecord> {
    ops_by_trial(run).remove(&trial).unwrap_or_default()
}

/// Every trial's calls, each trial's in call order (a stable sort, so
/// calls of the same tick keep the records' order). One pass over the
/// records: a pass per trial made judging the load phase's 80 trials
/// quadratic, most of the verdict's wait.
pub(super) fn ops_by_trial(run: &PhaseRun) -> BTreeMap<usize, Vec<&OpRecord>> {
    let mut trials: BTreeMap<usize, Vec<&OpRecord>> = BTreeMap::new();
    for op in run.ops() {
        trials.entry(op.trial).or_default().push(op);
    }
    for ops in trials.values_mut() {
        ops.sort_by_key(|o| o.call);
    }
    trials
}

pub(super) fn shutdown_op<'a>(ops: &[&'a OpRecord]) -> Option<&'a OpRecord> {
    ops.iter().copied().find(|o| o.input == "shutdown")
}

pub(super) fn label(op: &OpRecord) -> String {
    let call = match parse_input(&op.input) {
        Some(OrdersOp::Submit(c)) => format!("submit({c:?})"),
        Some(OrdersOp::Status(id)) => format!("status({id})"),
        None => format!("{}()", op.input),
    };
    match op.output.as_deref() {
        None => format!("{call} (never returned)"),
        Some("ok") | Some("returned") => call,
        Some("stopped") => format!("{call} -> Err(Stopped)"),
        Some("none") => format!("{call} -> None"),
        Some(word) => match parse_status(word) {
            Some(s) => format!("{call} -> Some({s:?})"),
            None => format!("{call} -> {word}"),
        },
    }
}

/// The calls that returned something other than `Err(Stopped)`, as a
/// history for the checker (calls that never returned stay pending).
pub(super) fn history(ops: &[&OpRecord]) -> Vec<Operation<OrdersOp, OrdersRet>> {
    ops.iter()
        .filter_map(|o| {
            let input = parse_input(&o.input)?;
            match (o.ret, o.output.as_deref()) {
                (Some(ret), Some(out)) => {
                    let output = parse_output(&input, out)?;
                    Some(Operation::completed(o.thread, o.call, ret, input, output))
                }
                _ => Some(Operation::pending(o.thread, o.call, input)),
            }
        })
        .collect()
}
