//! The plumbing every exercise's check program shares: choosing the phase
//! from the command line under a watchdog, and starting the learner's
//! value under the watchdog.

use crate::calls::watched;
use crate::load;
use crate::report::{self, send};
use crate::watchdog::Watchdog;
use std::time::Duration;

/// An exercise's three phases, each run in its own process.
pub struct Phases<S> {
    /// One thread: contract, spawned threads, leftovers.
    pub single: fn(S, u64),
    /// Nobody calls: does the worker sleep?
    pub idle: fn(S),
    /// Many client threads, every call recorded.
    pub load: fn(S, u64),
}

/// The entry point of a generated check program: the report channel, the
/// panic hook and a watchdog with `hang_limit` around the phase named on
/// the command line.
pub fn main<S>(start: S, hang_limit: Duration, phases: Phases<S>) {
    report::init();
    load::install_panic_hook();
    let seed = load::seed_from_args();
    crate::messages::main_thread(0);
    let watchdog = Watchdog::start(hang_limit);
    match crate::phase_from_args().as_str() {
        "single" => (phases.single)(start, seed),
        "idle" => (phases.idle)(start),
        "load" => (phases.load)(start, seed),
        other => send(
            "error",
            &[&report::escape(&format!("unknown phase {other:?}"))],
        ),
    }
    drop(watchdog);
    report::done();
}

/// Calls the learner's `start()` under the watchdog; `None` if it panicked.
/// What it spawned and created is noted for [`crate::messages`].
pub fn start_watched<T: ?Sized>(start: fn() -> Box<T>) -> Option<Box<T>> {
    crate::messages::watch_start(|| watched(0, "start()", start))
}
