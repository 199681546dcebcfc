//! Reading the harness's records of the ledger: its compact text form
//! (`debit 3 50` -> `err 40 50`, maps as `1=40,2=5`) into the
//! [`LedgerModel`]'s inputs and outputs, and writing them back for messages.

use super::model::{Account, LedgerModel, LedgerOp, LedgerRet, Refused};
use std::collections::BTreeMap;
use threadlings_judge::lincheck::Model;
use threadlings_judge::protocol::OpRecord;

/// A recorded call, parsed.
pub(super) enum Parsed {
    Call(LedgerOp, Option<LedgerRet>),
    Shutdown(Option<BTreeMap<Account, u64>>),
}

pub(super) fn parse_op(op: &OpRecord) -> Option<Parsed> {
    let words: Vec<&str> = op.input.split(' ').collect();
    let n = |i: usize| words.get(i)?.parse::<u64>().ok();
    let a = |i: usize| words.get(i)?.parse::<Account>().ok();
    let input = match words[..] {
        ["credit", ..] => LedgerOp::Credit {
            account: a(1)?,
            amount: n(2)?,
        },
        ["debit", ..] => LedgerOp::Debit {
            account: a(1)?,
            amount: n(2)?,
        },
        ["balance", _] => LedgerOp::Balance { account: a(1)? },
        ["transfer", ..] => LedgerOp::Transfer {
            from: a(1)?,
            to: a(2)?,
            amount: n(3)?,
        },
        ["total"] => LedgerOp::Total,
        ["shutdown"] => {
            return Some(Parsed::Shutdown(match op.output.as_deref() {
                None => None,
                Some(out) => Some(parse_map(out)?),
            }));
        }
        _ => return None,
    };
    let output = match op.output.as_deref() {
        None => None,
        Some(out) => Some(parse_ret(&input, out)?),
    };
    Some(Parsed::Call(input, output))
}

pub(super) fn parse_ret(input: &LedgerOp, out: &str) -> Option<LedgerRet> {
    let words: Vec<&str> = out.split(' ').collect();
    let n = |i: usize| words.get(i)?.parse::<u64>().ok();
    let refused = || {
        Some(Refused {
            balance: n(1)?,
            requested: n(2)?,
        })
    };
    Some(match (input, &words[..]) {
        (LedgerOp::Credit { .. } | LedgerOp::Balance { .. }, [_]) => LedgerRet::Balance(n(0)?),
        (LedgerOp::Total, [_]) => LedgerRet::Total(n(0)?),
        (LedgerOp::Debit { .. }, ["ok", _]) => LedgerRet::Debit(Ok(n(1)?)),
        (LedgerOp::Debit { .. }, ["err", _, _]) => LedgerRet::Debit(Err(refused()?)),
        (LedgerOp::Transfer { .. }, ["ok"]) => LedgerRet::Transfer(Ok(())),
        (LedgerOp::Transfer { .. }, ["err", _, _]) => LedgerRet::Transfer(Err(refused()?)),
        _ => return None,
    })
}

/// `1=40,2=5` (or `empty`) into a map; values may be negative in the
/// harness's expectations, hence `i128`.
pub(super) fn parse_map_wide(text: &str) -> Option<BTreeMap<Account, i128>> {
    if text == "empty" {
        return Some(BTreeMap::new());
    }
    text.split(',')
        .map(|pair| {
            let (a, b) = pair.split_once('=')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

pub(super) fn parse_map(text: &str) -> Option<BTreeMap<Account, u64>> {
    parse_map_wide(text)?
        .into_iter()
        .map(|(a, b)| Some((a, u64::try_from(b).ok()?)))
        .collect()
}

pub(super) fn show_map<V: std::fmt::Display>(map: &BTreeMap<Account, V>) -> String {
    if map.is_empty() {
        return "{}".to_string();
    }
    let parts: Vec<String> = map.iter().map(|(a, b)| format!("{a}: {b}")).collect();
    format!("{{{}}}", parts.join(", "))
}

pub(super) fn label(input: &LedgerOp, output: Option<&LedgerRet>) -> String {
    let call = LedgerModel::call_label(input);
    match output.and_then(LedgerModel::result_label) {
        Some(result) => format!("{call} -> {result}"),
        None => format!("{call} (never returned)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_judge::lincheck::Operation;

    fn op(
        thread: usize,
        call: u64,
        ret: u64,
        input: &str,
        output: &str,
    ) -> Operation<LedgerOp, LedgerRet> {
        let record = OpRecord {
            trial: 0,
            thread,
            call,
            ret: Some(ret),
            input: input.into(),
            output: Some(output.into()),
        };
        match parse_op(&record) {
            Some(Parsed::Call(input, Some(output))) => {
                Operation::completed(thread, call, ret, input, output)
            }
            _ => panic!("cannot parse {input} -> {output}"),
        }
    }

    #[test]
    fn the_harness_encoding_parses() {
        let credit = op(0, 0, 1, "credit 3 10", "40");
        assert_eq!(credit.output, Some(LedgerRet::Balance(40)));
        let refused = op(0, 0, 1, "debit 3 50", "err 40 50");
        assert_eq!(
            refused.output,
            Some(LedgerRet::Debit(Err(Refused {
                balance: 40,
                requested: 50
            })))
        );
        assert_eq!(
            op(0, 0, 1, "transfer 1 2 5", "ok").output,
            Some(LedgerRet::Transfer(Ok(())))
        );
        assert_eq!(op(0, 0, 1, "total", "7").output, Some(LedgerRet::Total(7)));
        assert_eq!(parse_map("1=40,2=5").unwrap().len(), 2);
        assert!(parse_map("empty").unwrap().is_empty());
        assert!(parse_map("1=-3").is_none());
    }
}
