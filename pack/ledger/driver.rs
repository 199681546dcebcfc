//! Drives a learner's `Ledger` (the `ledger` exercise).
//!
//! Phases, one per process so that a hang or crash in one cannot hide what
//! the others show:
//! - `single`: one thread; does `start()` spawn a worker, do the results
//!   match the contract, is every thread gone after `shutdown()`?
//! - `idle`: does the worker burn CPU while nobody is calling, both after
//!   a read and while writes nobody has read yet are pending?
//! - `load`: many client threads in many short seeded trials, every call
//!   recorded with the global clock, then `shutdown()` at once.
//!
//! Calls are recorded in a compact text form: inputs `credit 3 10`,
//! `debit 3 50`, `balance 3`, `transfer 1 2 5`, `total`, `shutdown`;
//! outputs `40` (credit, balance, total), `ok 10` / `err 40 50` (debit),
//! `ok` / `err 40 50` (transfer: `err <balance> <requested>`) and
//! `1=40,2=5` for shutdown's map (`empty` when it is empty).
//!
//! Every ledger call is a request with a reply that says whether it took
//! effect (a credit always does; a debit or transfer when it returns `Ok`).
//! So once every call of a trial has returned, the balances the accepted
//! calls imply are known exactly, however many clients shared an account:
//! each trial reports them in a `final` record next to what `shutdown()`
//! returned.

use std::collections::BTreeMap;
use std::time::Duration;
use threadlings_harness::calls::{self, watched, Lane};
use threadlings_harness::cpu;
use threadlings_harness::load::{self, jitter};
use threadlings_harness::messages;
use threadlings_harness::phase;
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;

/// An account number, as in the exercise.
pub type Account = u32;

/// The exercise's `InsufficientFunds`, as the harness sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// What the paying account held.
    pub balance: u64,
    /// What was asked for.
    pub requested: u64,
}

/// The ledger's API as the harness calls it. The tutor's generated glue
/// implements it by calling the learner's inherent methods, so a signature
/// that differs from the exercise is a compile error.
pub trait Ledger: Sync {
    /// `Ledger::credit`.
    fn credit(&self, account: Account, amount: u64) -> u64;
    /// `Ledger::debit`.
    fn debit(&self, account: Account, amount: u64) -> Result<u64, Refused>;
    /// `Ledger::balance`.
    fn balance(&self, account: Account) -> u64;
    /// `Ledger::transfer`.
    fn transfer(&self, from: Account, to: Account, amount: u64) -> Result<(), Refused>;
    /// `Ledger::total`.
    fn total(&self) -> u64;
    /// `Ledger::shutdown`.
    fn shutdown(self: Box<Self>) -> BTreeMap<Account, u64>;
}

/// Builds a learner's ledger: `Ledger::start()`, boxed.
pub type Start = fn() -> Box<dyn Ledger>;

/// How long one call may be busy before it counts as a hang.
const HANG_LIMIT: Duration = Duration::from_millis(2000);
/// Client threads per trial: more than the cores of a small machine.
const CLIENTS: usize = 6;
/// Trials in the load phase; a third of each kind (see [`Kind`]).
const TRIALS: usize = 45;

/// The entry point of the generated check program.
pub fn main(start: Start) {
    phase::main(
        start,
        HANG_LIMIT,
        phase::Phases {
            single,
            idle,
            load: under_load,
        },
    );
}

/// One call into the ledger.
#[derive(Debug, Clone, Copy)]
enum Call {
    Credit(Account, u64),
    Debit(Account, u64),
    Balance(Account),
    Transfer(Account, Account, u64),
    Total,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Credit(..) => "credit()",
            Call::Debit(..) => "debit()",
            Call::Balance(..) => "balance()",
            Call::Transfer(..) => "transfer()",
            Call::Total => "total()",
        }
    }

    fn input(self) -> String {
        match self {
            Call::Credit(a, n) => format!("credit {a} {n}"),
            Call::Debit(a, n) => format!("debit {a} {n}"),
            Call::Balance(a) => format!("balance {a}"),
            Call::Transfer(f, t, n) => format!("transfer {f} {t} {n}"),
            Call::Total => "total".to_string(),
        }
    }

    /// Makes the call: its encoded output, and how it changed balances if
    /// its result says it took effect.
    fn apply(self, ledger: &dyn Ledger, effect: &mut BTreeMap<Account, i128>) -> String {
        let mut add = |a: Account, n: i128| *effect.entry(a).or_insert(0) += n;
        let refused = |r: Refused| format!("err {} {}", r.balance, r.requested);
        match self {
            Call::Credit(a, n) => {
                let out = ledger.credit(a, n);
                add(a, n as i128);
                out.to_string()
            }
            Call::Debit(a, n) => match ledger.debit(a, n) {
                Ok(b) => {
                    add(a, -(n as i128));
                    format!("ok {b}")
                }
                Err(r) => refused(r),
            },
            Call::Balance(a) => ledger.balance(a).to_string(),
            Call::Transfer(f, t, n) => match ledger.transfer(f, t, n) {
                Ok(()) => {
                    add(f, -(n as i128));
                    add(t, n as i128);
                    "ok".to_string()
                }
                Err(r) => refused(r),
            },
            Call::Total => ledger.total().to_string(),
        }
    }
}

/// Shutdown's map as `1=40,2=5`, or `empty`.
fn encode_map<V: std::fmt::Display>(map: &BTreeMap<Account, V>) -> String {
    if map.is_empty() {
        return "empty".to_string();
    }
    let parts: Vec<String> = map.iter().map(|(a, b)| format!("{a}={b}")).collect();
    parts.join(",")
}

/// Makes one recorded call `at` its lane; `false` if it panicked (the
/// record then shows it as never returned).
fn recorded(
    ledger: &dyn Ledger,
    c: Call,
    at: Lane,
    effect: &mut BTreeMap<Account, i128>,
    records: &mut Vec<String>,
) -> bool {
    let made = || c.apply(ledger, effect);
    calls::recorded(records, at, c.name(), &c.input(), made, Clone::clone).is_some()
}

/// Calls `shutdown()` and records it; the map if it returned.
fn shutdown_recorded(
    ledger: Box<dyn Ledger>,
    at: Lane,
    records: &mut Vec<String>,
) -> Option<BTreeMap<Account, u64>> {
    let trial = at.trial.to_string();
    messages::around_shutdown(&trial, || {
        let stop = || ledger.shutdown();
        calls::recorded(records, at, "shutdown()", "shutdown", stop, encode_map)
    })
}

/// Calls at the edges of the contract, made first on one thread: unknown
/// accounts (8 and 9 are never used otherwise), zero amounts, and
/// transfers from an account to itself that the balance covers, exactly
/// covers and does not cover.
const EDGES: &[Call] = &[
    Call::Balance(9),
    Call::Debit(9, 5),
    Call::Debit(9, 0),
    Call::Credit(9, 0),
    Call::Transfer(9, 1, 3),
    Call::Transfer(9, 1, 0),
    Call::Credit(1, 20),
    Call::Transfer(1, 1, 5),
    Call::Balance(1),
    Call::Transfer(1, 1, 25),
    Call::Transfer(1, 1, 20),
    Call::Balance(1),
    Call::Transfer(1, 8, 0),
    Call::Transfer(1, 8, 7),
    Call::Debit(1, 0),
    Call::Total,
];

fn single(start: Start, seed: u64) {
    let baseline = threads::live();
    let Some(ledger) = phase::start_watched(start) else {
        return;
    };
    threads::report_spawned(&baseline);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut records = Vec::new();
    let mut effect = BTreeMap::new();
    let random = (0..300).map(|_| {
        let a = rng.u32(0..4);
        match rng.u8(0..100) {
            0..=29 => Call::Credit(a, rng.u64(0..50)),
            30..=54 => Call::Debit(a, rng.u64(0..60)),
            55..=69 => Call::Balance(a),
            70..=79 => Call::Transfer(a, (a + rng.u32(1..4)) % 4, rng.u64(0..60)),
            // To itself: the money leaves and comes back in one step.
            80..=89 => Call::Transfer(a, a, rng.u64(0..60)),
            _ => Call::Total,
        }
    });
    let calls: Vec<Call> = EDGES.iter().copied().chain(random).collect();
    for c in calls {
        if !recorded(&*ledger, c, Lane::main(0, 0), &mut effect, &mut records) {
            report::send_batch(&records);
            return;
        }
    }
    let last = shutdown_recorded(ledger, Lane::main(0, 0), &mut records);
    report::send_batch(&records);
    if last.is_some() {
        threads::report_leftover("single", &baseline);
        messages::report(0);
    }
}

fn idle(start: Start) {
    let baseline = threads::live();
    let Some(ledger) = phase::start_watched(start) else {
        return;
    };
    if watched(0, "credit()", || ledger.credit(1, 5)).is_none()
        || watched(0, "balance()", || ledger.balance(1)).is_none()
    {
        return;
    }
    cpu::report_idle_cpu(&baseline, "after a read");
    // Writes nobody reads yet: a worker that polls while it has unread
    // changes spins now.
    for account in [1, 2] {
        if watched(0, "credit()", || ledger.credit(account, 3)).is_none() {
            return;
        }
    }
    cpu::report_idle_cpu(&baseline, "after writes nobody has read");
    if messages::around_shutdown("0", || watched(0, "shutdown()", || ledger.shutdown())).is_some() {
        threads::report_leftover("idle", &baseline);
    }
}

/// What a trial's clients do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Credits, debits and balances on three accounts, small amounts so
    /// that debits race for the last of the money. No call touches two
    /// accounts, so the checker splits the history per account.
    Accounts,
    /// The tutor's main thread credits three accounts first; then clients
    /// only transfer among them and ask for `total()`, which must stay the
    /// same throughout: a transfer that is not one step shows up as a
    /// total that dips or overshoots.
    Transfers,
    /// Everything at once on three accounts, fewer calls per client.
    Mixed,
}

impl Kind {
    fn of(trial: usize) -> Kind {
        match trial % 3 {
            0 => Kind::Accounts,
            1 => Kind::Transfers,
            _ => Kind::Mixed,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Accounts => "accounts",
            Kind::Transfers => "transfers",
            Kind::Mixed => "mixed",
        }
    }

    fn calls(self, rng: &mut fastrand::Rng) -> usize {
        match self {
            Kind::Accounts | Kind::Transfers => rng.usize(10..30),
            Kind::Mixed => rng.usize(5..15),
        }
    }

    /// One client call. Amounts include 0, and one transfer in ten goes
    /// from an account to itself; mixed trials also touch account 7, which
    /// nobody credits first.
    fn pick(self, rng: &mut fastrand::Rng) -> Call {
        let a = rng.u32(0..3);
        let other = if rng.u8(0..10) == 0 {
            a
        } else {
            (a + rng.u32(1..3)) % 3
        };
        match self {
            Kind::Accounts => match rng.u8(0..100) {
                0..=34 => Call::Credit(a, rng.u64(0..10)),
                35..=69 => Call::Debit(a, rng.u64(0..15)),
                70..=79 => Call::Transfer(a, a, rng.u64(0..15)),
                _ => Call::Balance(a),
            },
            Kind::Transfers => match rng.u8(0..100) {
                0..=64 => Call::Transfer(a, other, rng.u64(0..40)),
                _ => Call::Total,
            },
            Kind::Mixed => match rng.u8(0..100) {
                0..=19 => Call::Credit(a, rng.u64(0..10)),
                20..=34 => Call::Debit(a, rng.u64(0..15)),
                35..=39 => Call::Debit(7, rng.u64(0..3)),
                40..=49 => Call::Balance(if rng.bool() { a } else { 7 }),
                50..=79 => Call::Transfer(a, other, rng.u64(0..15)),
                _ => Call::Total,
            },
        }
    }
}

fn under_load(start: Start, seed: u64) {
    messages::main_thread(CLIENTS);
    for trial in 0..TRIALS {
        let baseline = threads::live();
        let Some(ledger) = phase::start_watched(start) else {
            return;
        };
        let kind = Kind::of(trial);
        let main = Lane::main(trial, CLIENTS);
        let mut records: Vec<String> = Vec::new();
        let mut effect: BTreeMap<Account, i128> = BTreeMap::new();
        let mut rng = fastrand::Rng::with_seed(seed ^ trial as u64);
        if kind == Kind::Transfers {
            for a in 0..3 {
                let c = Call::Credit(a, rng.u64(20..60));
                if !recorded(&*ledger, c, main, &mut effect, &mut records) {
                    report::send_batch(&records);
                    return;
                }
            }
        }
        let ledger_ref: &dyn Ledger = &*ledger;
        let results: Vec<(Vec<String>, BTreeMap<Account, i128>, bool)> =
            load::run_clients(CLIENTS, seed, trial, |client, rng| {
                drive(ledger_ref, rng, trial, client, kind)
            });
        let mut complete = true;
        for (r, e, done) in results {
            records.extend(r);
            for (a, n) in e {
                *effect.entry(a).or_insert(0) += n;
            }
            complete &= done;
        }
        if !complete || load::panicked() {
            report::send_batch(&records);
            return;
        }
        // Credits right before shutdown(), so shutdown() has to come after
        // all of them however the worker orders its mailbox.
        for _ in 0..rng.usize(20..60) {
            let c = Call::Credit(rng.u32(0..3), rng.u64(1..5));
            if !recorded(&*ledger, c, main, &mut effect, &mut records) {
                report::send_batch(&records);
                return;
            }
        }
        // Half the trials read right before the stop: the closest a read
        // can come to shutdown(), which takes the ledger. Per-account
        // trials read one account, so their history still splits.
        let read = match kind {
            Kind::Accounts => Call::Balance(0),
            _ => Call::Total,
        };
        if trial % 2 == 0 && !recorded(&*ledger, read, main, &mut effect, &mut records) {
            report::send_batch(&records);
            return;
        }
        let last = shutdown_recorded(ledger, main, &mut records);
        report::send_batch(&records);
        let Some(last) = last else { return };
        let expected: BTreeMap<Account, i128> =
            effect.into_iter().filter(|&(_, n)| n != 0).collect();
        send(
            "final",
            &[
                &trial.to_string(),
                kind.name(),
                &encode_map(&expected),
                &encode_map(&last),
            ],
        );
        let leaked = threads::report_leftover(&format!("trial {trial}"), &baseline);
        messages::report(trial);
        if leaked > 0 {
            return;
        }
    }
}

/// One client's calls in one trial: its records, the balance changes its
/// accepted calls made, and whether it got through all its calls.
fn drive(
    ledger: &dyn Ledger,
    rng: &mut fastrand::Rng,
    trial: usize,
    client: usize,
    kind: Kind,
) -> (Vec<String>, BTreeMap<Account, i128>, bool) {
    let calls = kind.calls(rng);
    let mut records = Vec::with_capacity(calls);
    let mut effect = BTreeMap::new();
    for _ in 0..calls {
        jitter(rng);
        let c = kind.pick(rng);
        let at = Lane::client(trial, client);
        if !recorded(ledger, c, at, &mut effect, &mut records) {
            return (records, effect, false);
        }
    }
    (records, effect, true)
}
