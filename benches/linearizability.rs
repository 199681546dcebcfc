//! Times the checker on generated histories of the shapes that matter and
//! on the course's own, and compares it with the checker it replaced
//! (`linearizability/old.rs`), run back to back.
//!
//! Shapes: a register with ~30 % calls of unknown outcome (5 clients, 1,000
//! calls), a key-value store (10 keys, 50 clients) linearizable and not,
//! "one hard key" alone (no verdict possible in time: tests the budget and
//! the memory cap) and with an easy violation on another key, and the
//! exercises' ledger and counter histories.
//!
//! Run with `cargo bench --bench linearizability`; prints, per shape, the
//! verdict, the median of five runs, the peak memory allocated during a
//! run (a counting global allocator) and the same for the old checker. The
//! seed is printed; `LINCHECK_SEED=n` replays another.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lincheck::{CheckOptions, History, Model, Operation, Outcome, check_with, simulate};
use threadlings::exercise::builtin::counter::model::{CounterModel, CounterOp};
use threadlings::exercise::builtin::ledger::model::{LedgerModel, LedgerOp};

#[path = "linearizability/old.rs"]
mod old;

/// Counts live heap bytes and their peak, so each run's peak is measured
/// without a child process.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only the
// counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout as asked for.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout as asked for.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let grown = new_size - layout.size();
            let live = LIVE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RUNS: usize = 5;
/// Budget of every check; hard shapes use all of it.
const BUDGET: Duration = Duration::from_secs(2);

/// A register of `u32` values starting at 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Register(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegOp {
    Read,
    Write(u32),
}

impl Model for Register {
    type Input = RegOp;
    type Output = Option<u32>;

    fn step(&self, input: &RegOp) -> (Self, Option<u32>) {
        match *input {
            RegOp::Read => (*self, Some(self.0)),
            RegOp::Write(v) => (Register(v), None),
        }
    }

    fn describe(&self) -> String {
        format!("the register holds {}", self.0)
    }
}

/// A key-value store: `Put(key, value)`, `Get(key)`; absent keys read 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct Kv(BTreeMap<u8, u32>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KvOp {
    Get(u8),
    Put(u8, u32),
}

impl KvOp {
    fn key(self) -> u8 {
        match self {
            KvOp::Get(k) | KvOp::Put(k, _) => k,
        }
    }
}

impl Model for Kv {
    type Input = KvOp;
    type Output = Option<u32>;

    fn step(&self, input: &KvOp) -> (Self, Option<u32>) {
        match *input {
            KvOp::Get(k) => (self.clone(), Some(self.0.get(&k).copied().unwrap_or(0))),
            KvOp::Put(k, v) => {
                let mut next = self.clone();
                next.0.insert(k, v);
                (next, None)
            }
        }
    }

    fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
        let mut parts: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
        for (i, op) in history.iter().enumerate() {
            parts.entry(op.input.key()).or_default().push(i);
        }
        Some(parts.into_values().collect())
    }

    fn describe(&self) -> String {
        format!("{:?}", self.0)
    }
}

type Hist<M> = Vec<Operation<<M as Model>::Input, <M as Model>::Output>>;

/// A value no write ever writes.
const THIN_AIR: u32 = 999_999;

/// 1,000 register calls on 5 clients, half writes of distinct values; ~30 %
/// of the calls lose their output. `violation`: one read early on (among
/// the first 50 calls) returns a value nobody wrote.
fn register(rng: &mut fastrand::Rng, violation: bool) -> Hist<Register> {
    let inputs: Vec<RegOp> = (0..1000u32)
        .map(|v| {
            if rng.bool() {
                RegOp::Write(v + 1)
            } else {
                RegOp::Read
            }
        })
        .collect();
    let mut history = simulate(&Register::default(), &inputs, 5, rng);
    for op in &mut history {
        if rng.u8(..10) < 3 {
            op.output = None;
        }
    }
    if violation {
        let read = (0..50)
            .find(|&i| history[i].input == RegOp::Read && history[i].output.is_some())
            .unwrap_or(0);
        history[read] = Operation::completed(
            history[read].thread,
            history[read].call,
            history[read].ret.unwrap_or(history[read].call),
            RegOp::Read,
            Some(THIN_AIR),
        );
    }
    history
}

/// 2,000 calls on 10 keys from 50 clients, ~1 in 20 of unknown outcome.
/// `violation`: one read of key 5 returns a value nobody wrote.
fn kv(rng: &mut fastrand::Rng, violation: bool) -> Hist<Kv> {
    let inputs: Vec<KvOp> = (0..2000u32)
        .map(|v| {
            let key = rng.u8(..10);
            if rng.bool() {
                KvOp::Put(key, v + 1)
            } else {
                KvOp::Get(key)
            }
        })
        .collect();
    let mut history = simulate(&Kv::default(), &inputs, 50, rng);
    for op in &mut history {
        if rng.u8(..20) == 0 {
            op.output = None;
        }
    }
    if violation {
        let read = (history.len() / 2..history.len())
            .find(|&i| history[i].input == KvOp::Get(5) && history[i].output.is_some())
            .expect("a read of key 5");
        history[read].output = Some(Some(THIN_AIR));
    }
    history
}

/// Key 0 made unsettleable: 40 clients write distinct values to it all at
/// once while another reads a value none of them wrote. Proving that takes
/// trying every subset of the writes; no checker settles it in seconds.
fn with_hard_key(mut history: Hist<Kv>) -> Hist<Kv> {
    history.retain(|op| op.input.key() != 0);
    let start = history
        .iter()
        .map(|op| op.ret.unwrap_or(op.call))
        .max()
        .unwrap_or(0)
        + 1;
    for t in 0..40u64 {
        history.push(Operation::completed(
            t as usize,
            start + t,
            start + 100 + t,
            KvOp::Put(0, 10_000 + t as u32),
            None,
        ));
    }
    history.push(Operation::completed(
        40,
        start + 50,
        start + 200,
        KvOp::Get(0),
        Some(THIN_AIR),
    ));
    history
}

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

/// `runs` timed runs: the verdict of the last, the median time in ms, the
/// slowest time and the largest peak of heap bytes above the start.
fn measure<V>(runs: usize, mut f: impl FnMut() -> V) -> (V, f64, f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut peak = 0;
    let mut verdict = None;
    for _ in 0..runs {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let v = f();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        peak = peak.max(PEAK.load(Ordering::Relaxed).saturating_sub(base));
        verdict = Some(v);
    }
    times.sort_by(f64::total_cmp);
    let verdict = verdict.expect("at least one run");
    (verdict, times[runs / 2], times[runs - 1], peak)
}

/// Milliseconds with two decimals below one, so that a check of a few
/// tens of microseconds does not read "0.0 ms".
fn millis(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn name(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Linearizable => "linearizable".into(),
        Outcome::NotLinearizable(v) => format!("NOT linearizable ({})", v.part.describe()),
        Outcome::Inconclusive { unfinished, .. } => format!(
            "inconclusive ({})",
            unfinished
                .iter()
                .map(|p| p.describe())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The history as the old checker could take it: unknown outputs become
/// calls that never returned.
fn for_old<M: Model>(history: &History<M>) -> Hist<M> {
    history
        .iter()
        .map(|op| match op.output {
            Some(_) => op.clone(),
            None => Operation::pending(op.thread, op.call, op.input.clone()),
        })
        .collect()
}

/// Times the new checker (the verdict alone, with no time to explain, and
/// the whole check with its explanation), then the old one.
fn shape<M: Model>(label: &str, initial: &M, history: &History<M>) {
    let decide = CheckOptions {
        shrink_budget: Duration::ZERO,
        ..CheckOptions::with_budget(BUDGET)
    };
    let (outcome, ms, slowest, peak) = measure(RUNS, || check_with(initial, history, &decide));
    let full = CheckOptions::with_budget(BUDGET);
    let (_, full_ms, _, full_peak) = measure(RUNS, || check_with(initial, history, &full));
    let old_history = for_old::<M>(history);
    let (old, old_ms, _, old_peak) = measure(RUNS, || old::check(initial, &old_history, BUDGET));
    let over = (slowest / BUDGET.as_secs_f64() / 1000.0 - 1.0) * 100.0;
    let over = if matches!(outcome, Outcome::Inconclusive { .. }) {
        format!(", slowest {slowest:.0} ms = budget {over:+.1} %")
    } else {
        String::new()
    };
    println!(
        "{label}\n  new: {} in {} ms median, peak {:.1} MiB{over}; with explanation {} ms, peak {:.1} MiB\n  old: {old:?} in {} ms median, peak {:.1} MiB; new/old time {:.2}",
        name(&outcome),
        millis(ms),
        mib(peak),
        millis(full_ms),
        mib(full_peak),
        millis(old_ms),
        mib(old_peak),
        ms / old_ms
    );
}

/// One long run of the hard key alone with a small memory cap: the cache
/// fills, evicts, and is freed at the end, all within the budget.
fn capped(history: &History<Kv>) {
    let budget = Duration::from_secs(10);
    let options = CheckOptions {
        memory: 64 << 20,
        ..CheckOptions::with_budget(budget)
    };
    let (outcome, ms, _, peak) = measure(1, || check_with(&Kv::default(), history, &options));
    println!(
        "kv, one hard key, 10 s budget, 64 MiB cap (one run)\n  new: {} in {ms:.0} ms = budget {:+.1} %, peak {:.1} MiB",
        name(&outcome),
        (ms / budget.as_secs_f64() / 1000.0 - 1.0) * 100.0,
        mib(peak),
    );
}

fn main() {
    let seed = std::env::var("LINCHECK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7468_7265_6164_u64);
    println!("seed {seed} (LINCHECK_SEED={seed} replays it); budget {BUDGET:?}, {RUNS} runs each");
    let mut rng = fastrand::Rng::with_seed(seed);

    let reg = Register::default();
    shape(
        "register, 1000 calls, 5 clients, 30 % unknown, linearizable",
        &reg,
        &register(&mut rng, false),
    );
    shape(
        "register, 1000 calls, 5 clients, 30 % unknown, early thin-air read",
        &reg,
        &register(&mut rng, true),
    );

    let store = Kv::default();
    shape(
        "kv, 2000 calls, 10 keys, 50 clients, linearizable",
        &store,
        &kv(&mut rng, false),
    );
    shape(
        "kv, 2000 calls, 10 keys, 50 clients, thin-air read on key 5",
        &store,
        &kv(&mut rng, true),
    );
    let hard = with_hard_key(kv(&mut rng, false));
    shape("kv, one hard key, the others linearizable", &store, &hard);
    capped(&hard);
    shape(
        "kv, one hard key, one easy violation",
        &store,
        &with_hard_key(kv(&mut rng, true)),
    );

    let inputs = ledger_inputs(&mut rng, 100_000, 2_000);
    let ledger = simulate(&LedgerModel::default(), &inputs, 8, &mut rng);
    shape(
        "ledger exercise, 100000 calls over 2000 accounts, 8 threads",
        &LedgerModel::default(),
        &ledger,
    );

    let inputs = counter_inputs(&mut rng, 1_000);
    let counter = simulate(&CounterModel::default(), &inputs, 8, &mut rng);
    shape(
        "counter exercise, 1000 calls, one partition, 8 threads",
        &CounterModel::default(),
        &counter,
    );
}
