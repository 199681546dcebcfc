//! Drives a learner's `Counter` (the `counter` exercise).
//!
//! Phases, one per process so that a hang or crash in one cannot hide what
//! the others show:
//! - `single`: one thread; does `start()` spawn a worker, do the results
//!   match the contract, is every thread gone after `shutdown()`?
//! - `idle`: does the worker burn CPU while nobody is calling, both after
//!   a read and while writes nobody has read yet are pending?
//! - `load`: many client threads in many short seeded trials, every call
//!   recorded with the global clock, then `shutdown()` at once.

use std::time::Duration;
use threadlings_harness::calls::{recorded, watched, Lane};
use threadlings_harness::cpu;
use threadlings_harness::load::{self, jitter};
use threadlings_harness::messages;
use threadlings_harness::phase;
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;

/// The counter's API as the harness calls it. The tutor's generated glue
/// implements it by calling the learner's inherent methods, so a signature
/// that differs from the exercise is a compile error.
pub trait Counter: Sync {
    /// `Counter::increment`.
    fn increment(&self);
    /// `Counter::decrement`.
    fn decrement(&self);
    /// `Counter::reset`.
    fn reset(&self);
    /// `Counter::get`.
    fn get(&self) -> i64;
    /// `Counter::shutdown`.
    fn shutdown(self: Box<Self>) -> i64;
}

/// Builds a learner's counter: `Counter::start()`, boxed.
pub type Start = fn() -> Box<dyn Counter>;

/// How long one call may be busy before it counts as a hang.
const HANG_LIMIT: Duration = Duration::from_millis(2000);
/// Client threads per trial: more than the machine has cores, so calls
/// are preempted mid-flight and interleave in many ways.
fn clients() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores + 2).clamp(6, 16)
}
const TRIALS: usize = 40;

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

fn single(start: Start, seed: u64) {
    let baseline = threads::live();
    let Some(counter) = phase::start_watched(start) else {
        return;
    };
    threads::report_spawned(&baseline);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut records = Vec::new();
    for _ in 0..200 {
        let (name, input): (&'static str, &str) = match rng.u8(0..100) {
            0..=34 => ("increment()", "inc"),
            35..=59 => ("decrement()", "dec"),
            60..=69 => ("reset()", "reset"),
            _ => ("get()", "get"),
        };
        let at = Lane::main(0, 0);
        let out = recorded(
            &mut records,
            at,
            name,
            input,
            || apply(&*counter, input),
            Clone::clone,
        );
        if out.is_none() {
            report::send_batch(&records);
            return;
        }
    }
    let last = shutdown_recorded(counter, Lane::main(0, 0), &mut records);
    report::send_batch(&records);
    if last.is_some() {
        threads::report_leftover("single", &baseline);
        messages::report(0);
    }
}

/// Calls `shutdown()` and records it; the final count if it returned.
fn shutdown_recorded(
    counter: Box<dyn Counter>,
    at: Lane,
    records: &mut Vec<String>,
) -> Option<i64> {
    let trial = at.trial.to_string();
    messages::around_shutdown(&trial, || {
        let stop = || counter.shutdown();
        recorded(records, at, "shutdown()", "shutdown", stop, i64::to_string)
    })
}

fn apply(counter: &dyn Counter, input: &str) -> String {
    match input {
        "inc" => {
            counter.increment();
            "ok".into()
        }
        "dec" => {
            counter.decrement();
            "ok".into()
        }
        "reset" => {
            counter.reset();
            "ok".into()
        }
        _ => counter.get().to_string(),
    }
}

fn idle(start: Start) {
    let baseline = threads::live();
    let Some(counter) = phase::start_watched(start) else {
        return;
    };
    if watched(0, "increment()", || counter.increment()).is_none()
        || watched(0, "get()", || counter.get()).is_none()
    {
        return;
    }
    cpu::report_idle_cpu(&baseline, "after a read");
    // Writes nobody reads yet: a worker that polls while it has unread
    // changes (to batch them, say) spins now.
    for _ in 0..3 {
        if watched(0, "increment()", || counter.increment()).is_none() {
            return;
        }
    }
    cpu::report_idle_cpu(&baseline, "after writes nobody has read");
    if messages::around_shutdown("0", || watched(0, "shutdown()", || counter.shutdown())).is_some()
    {
        threads::report_leftover("idle", &baseline);
    }
}

/// What kind of workload a trial runs: which calls the clients may make.
fn trial_kind(trial: usize) -> (&'static str, &'static [&'static str]) {
    match trial % 4 {
        // Counts only go up: a stale read is easy to see.
        0 => ("up", &["inc", "inc", "get"]),
        // No reset: the final count must equal what the clients sent.
        1 => ("updown", &["inc", "dec", "get"]),
        // Fire-and-forget with no pauses, so the mailbox still holds a
        // backlog when shutdown() is called.
        2 => ("burst", &["inc", "inc", "inc", "dec"]),
        _ => ("mixed", &["inc", "dec", "get", "get", "reset"]),
    }
}

fn under_load(start: Start, seed: u64) {
    let clients = clients();
    messages::main_thread(clients);
    for trial in 0..TRIALS {
        let baseline = threads::live();
        let Some(counter) = phase::start_watched(start) else {
            return;
        };
        let (kind, menu) = trial_kind(trial);
        let counter_ref: &dyn Counter = &*counter;
        let results: Vec<(Vec<String>, i64, bool)> =
            load::run_clients(clients, seed, trial, |client, rng| {
                drive(counter_ref, rng, trial, client, menu)
            });
        let mut records: Vec<String> = Vec::new();
        let mut net = 0;
        let mut complete = true;
        for (r, delta, done) in results {
            records.extend(r);
            net += delta;
            complete &= done;
        }
        if !complete || load::panicked() {
            report::send_batch(&records);
            return;
        }
        if kind != "mixed" {
            // Commands sent right before shutdown(): they are still queued
            // when it is called, so a worker that stops without draining
            // its mailbox loses some of them.
            let mut rng = fastrand::Rng::with_seed(seed ^ trial as u64);
            for _ in 0..rng.usize(50..150) {
                let at = Lane::main(trial, clients);
                let inc = || counter.increment();
                if recorded(&mut records, at, "increment()", "inc", inc, ok).is_none() {
                    report::send_batch(&records);
                    return;
                }
                net += 1;
            }
        }
        // Half the trials read right before the stop, with the burst still
        // queued: the closest a read can come to shutdown(), which takes
        // the counter.
        if trial % 2 == 1 {
            let at = Lane::main(trial, clients);
            let get = || counter.get();
            if recorded(&mut records, at, "get()", "get", get, i64::to_string).is_none() {
                report::send_batch(&records);
                return;
            }
        }
        let last = shutdown_recorded(counter, Lane::main(trial, clients), &mut records);
        report::send_batch(&records);
        let Some(last) = last else { return };
        let expected = if kind == "mixed" {
            "-".to_string()
        } else {
            net.to_string()
        };
        send(
            "final",
            &[&trial.to_string(), kind, &expected, &last.to_string()],
        );
        let leaked = threads::report_leftover(&format!("trial {trial}"), &baseline);
        messages::report(trial);
        if leaked > 0 {
            return;
        }
    }
}

/// One client's calls in one trial: its records, the net change it sent,
/// and whether it got through all its calls.
fn drive(
    counter: &dyn Counter,
    rng: &mut fastrand::Rng,
    trial: usize,
    client: usize,
    menu: &[&str],
) -> (Vec<String>, i64, bool) {
    let burst = !menu.contains(&"get");
    let calls = if burst {
        rng.usize(30..80)
    } else {
        rng.usize(10..30)
    };
    let mut records = Vec::with_capacity(calls);
    let mut net = 0;
    for _ in 0..calls {
        if !burst {
            jitter(rng);
        }
        let input = menu[rng.usize(0..menu.len())];
        let name = match input {
            "inc" => "increment()",
            "dec" => "decrement()",
            "reset" => "reset()",
            _ => "get()",
        };
        let at = Lane::client(trial, client);
        let made = || apply(counter, input);
        if recorded(&mut records, at, name, input, made, Clone::clone).is_none() {
            return (records, net, false);
        }
        net += match input {
            "inc" => 1,
            "dec" => -1,
            _ => 0,
        };
    }
    (records, net, true)
}

/// The output of a call that returns nothing.
fn ok(_: &()) -> String {
    "ok".into()
}
