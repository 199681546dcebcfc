use std::time::Duration;

use super::*;
use threadlings_judge::lincheck::{
    CheckOptions, Operation, Outcome, check, check_with, op_label, simulate,
};

const BUDGET: Duration = Duration::from_secs(5);

type Op = Operation<LedgerOp, LedgerRet>;

fn credit(account: Account, amount: u64) -> LedgerOp {
    LedgerOp::Credit { account, amount }
}

fn debit(account: Account, amount: u64) -> LedgerOp {
    LedgerOp::Debit { account, amount }
}

fn transfer(from: Account, to: Account, amount: u64) -> LedgerOp {
    LedgerOp::Transfer { from, to, amount }
}

fn run(ops: &[LedgerOp]) -> (LedgerModel, Vec<LedgerRet>) {
    let mut model = LedgerModel::default();
    let mut rets = Vec::new();
    for op in ops {
        let (next, ret) = model.step(op);
        model = next;
        rets.push(ret);
    }
    (model, rets)
}

#[test]
fn steps_follow_the_exercise() {
    let (model, rets) = run(&[
        credit(3, 40),
        debit(3, 50),
        debit(3, 15),
        transfer(3, 7, 30),
        transfer(3, 7, 25),
        transfer(7, 7, 25),
        transfer(7, 7, 26),
        LedgerOp::Balance { account: 9 },
        LedgerOp::Total,
    ]);
    let refused = |balance, requested| Refused { balance, requested };
    assert_eq!(
        rets,
        vec![
            LedgerRet::Balance(40),
            LedgerRet::Debit(Err(refused(40, 50))),
            LedgerRet::Debit(Ok(25)),
            LedgerRet::Transfer(Err(refused(25, 30))),
            LedgerRet::Transfer(Ok(())),
            LedgerRet::Transfer(Ok(())),
            LedgerRet::Transfer(Err(refused(25, 26))),
            LedgerRet::Balance(0),
            LedgerRet::Total(25),
        ]
    );
    // Account 3 was emptied, so it is gone from the map and the state equals
    // one where it never existed.
    let mut expected = LedgerModel::default();
    expected.balances.insert(7, 25);
    assert_eq!(model, expected);
    assert_eq!(
        model.describe(),
        "account 7 holds 25 and every other account is empty"
    );
    assert_eq!(LedgerModel::default().describe(), "every account is empty");
}

#[test]
fn zero_amounts_and_unknown_accounts_follow_the_exercise() {
    let (model, rets) = run(&[
        debit(9, 5),
        debit(9, 0),
        credit(9, 0),
        transfer(9, 1, 3),
        transfer(9, 1, 0),
        credit(1, 20),
        transfer(1, 8, 0),
        transfer(1, 8, 7),
        debit(1, 0),
    ]);
    let refused = |balance, requested| Refused { balance, requested };
    assert_eq!(
        rets,
        vec![
            LedgerRet::Debit(Err(refused(0, 5))),
            LedgerRet::Debit(Ok(0)),
            LedgerRet::Balance(0),
            LedgerRet::Transfer(Err(refused(0, 3))),
            LedgerRet::Transfer(Ok(())),
            LedgerRet::Balance(20),
            LedgerRet::Transfer(Ok(())),
            LedgerRet::Transfer(Ok(())),
            LedgerRet::Debit(Ok(13)),
        ]
    );
    // Zero-amount calls leave no empty accounts behind.
    let mut expected = LedgerModel::default();
    expected.balances.insert(1, 13);
    expected.balances.insert(8, 7);
    assert_eq!(model, expected);
}

#[test]
fn labels() {
    let op = |input, output| Operation::completed(0, 0, 1, input, output);
    let label = |o: &Op| op_label::<LedgerModel>(o);
    assert_eq!(
        label(&op(credit(3, 10), LedgerRet::Balance(40))),
        "credit(3, 10) -> 40"
    );
    assert_eq!(
        label(&op(
            debit(3, 50),
            LedgerRet::Debit(Err(Refused {
                balance: 40,
                requested: 50
            }))
        )),
        "debit(3, 50) -> Err(balance 40)"
    );
    assert_eq!(
        label(&op(transfer(1, 2, 5), LedgerRet::Transfer(Ok(())))),
        "transfer(1, 2, 5) -> Ok"
    );
    assert_eq!(
        label(&op(LedgerOp::Total, LedgerRet::Total(9))),
        "total() -> 9"
    );
}

#[test]
fn partition_follows_connected_accounts() {
    let ops = [
        credit(1, 5),
        credit(2, 5),
        credit(3, 5),
        transfer(1, 3, 1),
        LedgerOp::Balance { account: 2 },
        debit(3, 1),
    ];
    let (_, rets) = run(&ops);
    let history: Vec<Op> = ops
        .iter()
        .zip(rets)
        .enumerate()
        .map(|(i, (&op, ret))| Operation::completed(0, 2 * i as u64, 2 * i as u64 + 1, op, ret))
        .collect();
    assert_eq!(
        LedgerModel::partition(&history),
        Some(vec![vec![0, 2, 3, 5], vec![1, 4]])
    );
    let mut with_total = history.clone();
    with_total.push(Operation::completed(
        0,
        20,
        21,
        LedgerOp::Total,
        LedgerRet::Total(15),
    ));
    assert_eq!(LedgerModel::partition(&with_total), None);
}

fn random_input(rng: &mut fastrand::Rng) -> LedgerOp {
    let account = rng.u32(..4);
    let amount = rng.u64(1..30);
    match rng.u8(..20) {
        0..6 => credit(account, amount),
        6..11 => debit(account, amount),
        11..15 => LedgerOp::Balance { account },
        15..19 => transfer(account, rng.u32(..4), amount),
        _ => LedgerOp::Total,
    }
}

/// A wrong but plausible result, as a buggy owner thread might return.
fn perturb(ret: LedgerRet) -> LedgerRet {
    match ret {
        LedgerRet::Balance(b) => LedgerRet::Balance(b + 1),
        LedgerRet::Total(t) => LedgerRet::Total(t + 1),
        LedgerRet::Debit(Ok(b)) => LedgerRet::Debit(Ok(b + 1)),
        LedgerRet::Debit(Err(r)) => LedgerRet::Debit(Ok(r.balance)),
        LedgerRet::Transfer(Ok(())) => LedgerRet::Transfer(Err(Refused {
            balance: 0,
            requested: 1,
        })),
        LedgerRet::Transfer(Err(_)) => LedgerRet::Transfer(Ok(())),
    }
}

#[test]
fn partitioning_agrees_with_checking_whole_histories() {
    let mut rng = fastrand::Rng::with_seed(2024);
    // Only verdicts matter here, so shrinking gets little time.
    let split_options = CheckOptions {
        shrink_budget: Duration::from_millis(20),
        ..CheckOptions::with_budget(BUDGET)
    };
    let whole = CheckOptions {
        partition: false,
        ..split_options.clone()
    };
    let mut violations = 0;
    for round in 0..60 {
        let inputs: Vec<LedgerOp> = (0..25).map(|_| random_input(&mut rng)).collect();
        let mut history = simulate(&LedgerModel::default(), &inputs, 3, &mut rng);
        assert_eq!(
            check(&LedgerModel::default(), &history, BUDGET),
            Outcome::Linearizable,
            "round {round}"
        );
        assert_eq!(
            check_with(&LedgerModel::default(), &history, &whole),
            Outcome::Linearizable
        );
        let victim = rng.usize(..history.len());
        history[victim].output = history[victim].output.map(perturb);
        let split = check_with(&LedgerModel::default(), &history, &split_options);
        let unsplit = check_with(&LedgerModel::default(), &history, &whole);
        assert_eq!(
            split.is_linearizable(),
            unsplit.is_linearizable(),
            "round {round}: {split:?} vs {unsplit:?}"
        );
        assert!(!matches!(split, Outcome::Inconclusive { .. }));
        if split.violation().is_some() {
            violations += 1;
        }
    }
    // The perturbations must actually exercise the failing path.
    assert!(
        violations > 20,
        "only {violations} perturbed histories failed"
    );
}

#[test]
fn transfer_as_debit_then_credit_loses_money_in_between() {
    // The learner's transfer sends a debit and then a separate credit, so a
    // total() that lands between the two sees the money gone.
    let history = vec![
        Operation::completed(0, 0, 1, credit(1, 100), LedgerRet::Balance(100)),
        Operation::completed(0, 2, 10, transfer(1, 2, 50), LedgerRet::Transfer(Ok(()))),
        Operation::completed(1, 3, 5, LedgerOp::Total, LedgerRet::Total(50)),
        Operation::completed(
            1,
            11,
            12,
            LedgerOp::Balance { account: 2 },
            LedgerRet::Balance(50),
        ),
    ];
    let outcome = check(&LedgerModel::default(), &history, BUDGET);
    let violation = outcome.violation().expect("money went missing");
    // No order of calls ever makes the total 50, so shrinking may drop the
    // transfer and even the credit: the smallest failing piece is the total.
    assert!(violation.fully_shrunk);
    assert!(violation.operations.contains(&2), "{violation:?}");
    let explanation = violation.explanation.as_ref().expect("explained");
    assert_eq!(explanation.blocked, 2);
    assert_eq!(explanation.actual.as_deref(), Some("50"));
}
