//! Times the checker on the two shapes of history the course produces:
//! a long ledger history spread over many accounts (many small partitions)
//! and a short counter history that cannot be partitioned.
//!
//! Run with `cargo bench --bench linearizability`; prints the median of five
//! runs for each.

use std::time::{Duration, Instant};

use threadlings::linearizability::{Outcome, check, simulate};
use threadlings::models::{CounterModel, CounterOp, LedgerModel, LedgerOp};

const RUNS: usize = 5;
const BUDGET: Duration = Duration::from_secs(30);

fn ledger_inputs(rng: &mut fastrand::Rng, ops: usize, accounts: u32) -> Vec<LedgerOp> {
    (0..ops)
        .map(|_| {
            let account = rng.u32(..accounts);
            let amount = rng.u64(1..100);
            match rng.u8(..20) {
                0..7 => LedgerOp::Credit { account, amount },
                7..13 => LedgerOp::Debit { account, amount },
                13..17 => LedgerOp::Balance { account },
                // Transfers stay within groups of four accounts, so the
                // history splits into many independent groups as it would
                // for clients that each look after a few accounts.
                _ => LedgerOp::Transfer {
                    from: account,
                    to: account / 4 * 4 + rng.u32(..4),
                    amount,
                },
            }
        })
        .collect()
}

fn counter_inputs(rng: &mut fastrand::Rng, ops: usize) -> Vec<CounterOp> {
    (0..ops)
        .map(|_| match rng.u8(..10) {
            0..5 => CounterOp::Increment,
            5..7 => CounterOp::Decrement,
            7 => CounterOp::Reset,
            _ => CounterOp::Get,
        })
        .collect()
}

/// Median wall time of `RUNS` runs of `f`, which must report a pass.
fn median_ms(mut f: impl FnMut() -> Outcome) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let outcome = f();
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(
                outcome,
                Outcome::Linearizable,
                "generated histories are linearizable"
            );
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let mut rng = fastrand::Rng::with_seed(0x7468_7265_6164);

    let inputs = ledger_inputs(&mut rng, 100_000, 2_000);
    let ledger = simulate(&LedgerModel::default(), &inputs, 8, &mut rng);
    let ms = median_ms(|| check(&LedgerModel::default(), &ledger, BUDGET));
    println!("ledger, 100000 ops over 2000 accounts, 8 threads: median {ms:.1} ms");

    let inputs = counter_inputs(&mut rng, 1_000);
    let counter = simulate(&CounterModel::default(), &inputs, 8, &mut rng);
    let ms = median_ms(|| check(&CounterModel::default(), &counter, BUDGET));
    println!("counter, 1000 ops, one partition, 8 threads: median {ms:.2} ms");
}
