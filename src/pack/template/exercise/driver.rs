//! Drives a learner's `Tally` (the `{{id}}` exercise). Harness side: it
//! measures and records, never judges (judge.rs does, in the tutor).
//!
//! Phases, one process each, so a hang or crash in one cannot hide what the
//! others show:
//! - `single`: one thread; does `start()` spawn a worker, are the results
//!   right, is every thread gone after `shutdown()`?
//! - `idle`: does the worker burn CPU while nobody calls?
//! - `load`: client threads in seeded trials, every call recorded with the
//!   global clock, then `shutdown()`.

use std::time::Duration;
use threadlings_harness::calls::{recorded, watched, Lane};
use threadlings_harness::load::{self, jitter};
use threadlings_harness::{cpu, phase, report, threads};

/// The exercise's API as the harness calls it. glue.rs implements it with
/// the learner's inherent methods, so a signature that differs from the
/// exercise is a compile error.
pub trait Tally: Sync {
    /// `Tally::add`.
    fn add(&self, n: u64);
    /// `Tally::total`.
    fn total(&self) -> u64;
    /// `Tally::shutdown`.
    fn shutdown(self: Box<Self>) -> u64;
}

/// Builds a learner's tally: `Tally::start()`, boxed.
pub type Start = fn() -> Box<dyn Tally>;

/// How long one call may be busy before it counts as a hang.
const HANG_LIMIT: Duration = Duration::from_millis(2000);
/// Client threads per trial: more than most machines have cores, so calls
/// are preempted mid-flight and interleave in many ways.
const CLIENTS: usize = 6;
const TRIALS: usize = 20;

/// The entry point of the check program (glue.rs's `main` calls it).
pub fn main(start: Start) {
    let phases = phase::Phases {
        single,
        idle,
        load: under_load,
    };
    phase::main(start, HANG_LIMIT, phases);
}

/// One call picked by `rng`, recorded in `at`'s lane; `false` if it
/// panicked.
fn random_call(
    tally: &dyn Tally,
    rng: &mut fastrand::Rng,
    at: Lane,
    records: &mut Vec<String>,
) -> bool {
    if rng.bool() {
        let n = rng.u64(1..10);
        let add = || tally.add(n);
        recorded(records, at, "add()", &format!("add {n}"), add, |_| {
            "ok".into()
        })
        .is_some()
    } else {
        let total = || tally.total();
        recorded(records, at, "total()", "total", total, u64::to_string).is_some()
    }
}

/// Calls `shutdown()` and records it; the final total if it returned.
fn shutdown_recorded(tally: Box<dyn Tally>, at: Lane, records: &mut Vec<String>) -> Option<u64> {
    let stop = || tally.shutdown();
    recorded(records, at, "shutdown()", "shutdown", stop, u64::to_string)
}

fn single(start: Start, seed: u64) {
    let baseline = threads::live();
    let Some(tally) = phase::start_watched(start) else {
        return;
    };
    threads::report_spawned(&baseline);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut records = Vec::new();
    let at = Lane::main(0, 0);
    for _ in 0..100 {
        if !random_call(&*tally, &mut rng, at, &mut records) {
            report::send_batch(&records);
            return;
        }
    }
    let last = shutdown_recorded(tally, at, &mut records);
    report::send_batch(&records);
    if last.is_some() {
        threads::report_leftover("single", &baseline);
    }
}

fn idle(start: Start) {
    let baseline = threads::live();
    let Some(tally) = phase::start_watched(start) else {
        return;
    };
    if watched(0, "add()", || tally.add(1)).is_none()
        || watched(0, "total()", || tally.total()).is_none()
    {
        return;
    }
    cpu::report_idle_cpu(&baseline, "after a read");
    if watched(0, "shutdown()", || tally.shutdown()).is_some() {
        threads::report_leftover("idle", &baseline);
    }
}

fn under_load(start: Start, seed: u64) {
    for trial in 0..TRIALS {
        let baseline = threads::live();
        let Some(tally) = phase::start_watched(start) else {
            return;
        };
        let shared: &dyn Tally = &*tally;
        let results: Vec<(Vec<String>, bool)> =
            load::run_clients(CLIENTS, seed, trial, |client, rng| {
                let at = Lane::client(trial, client);
                let mut records = Vec::new();
                for _ in 0..rng.usize(10..30) {
                    jitter(rng);
                    if !random_call(shared, rng, at, &mut records) {
                        return (records, false);
                    }
                }
                (records, true)
            });
        let mut records = Vec::new();
        let mut complete = true;
        for (r, done) in results {
            records.extend(r);
            complete &= done;
        }
        if !complete || load::panicked() {
            report::send_batch(&records);
            return;
        }
        // The tutor's own thread stops the tally in a lane of its own: its
        // result must count every add of the trial.
        let last = shutdown_recorded(tally, Lane::main(trial, CLIENTS), &mut records);
        report::send_batch(&records);
        if last.is_none() || threads::report_leftover(&format!("trial {trial}"), &baseline) > 0 {
            return;
        }
    }
}
