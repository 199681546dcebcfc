//! Drives a learner's `Orders` (the `graceful-shutdown` exercise).
//!
//! Phases, one per process:
//! - `single`: one thread; does `start()` spawn a worker, do the results
//!   match the contract, does every call fail promptly with `Stopped`
//!   after `shutdown()`, and is every thread gone (while a handle is still
//!   held)?
//! - `idle`: does the worker burn CPU while nobody is calling, both after
//!   a read and while commands nobody has read yet are pending?
//! - `load`: client threads, each with its own cloned handle, submit seeded
//!   commands and ask for statuses; the main thread calls `shutdown()` in
//!   the middle of their work while they keep calling and keep holding
//!   their handles. Every call is recorded with the global clock.
//!
//! Records: `op` for every call (input `submit pay 4`, `status 4`,
//! `shutdown`; output `ok`, `stopped`, `none`, `paid`, ..., `returned`),
//! `final\t<trial>\tsummary\t-\t<applied> <rejected> <id>:<status>,...` for
//! what `shutdown()` returned, and `fact\tafter\t<trial>\t<thread>\t<calls>\t<max µs>`
//! for the calls a thread made after `shutdown()` had returned.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use threadlings_harness::calls::{recorded, recorded_returning, watched, Lane};
use threadlings_harness::cpu::{self, FairClock};
use threadlings_harness::load::{self, jitter, tick};
use threadlings_harness::messages;
use threadlings_harness::phase;
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;

/// A command's kind; the order id travels next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    /// `Command::Create`.
    Create,
    /// `Command::Pay`.
    Pay,
    /// `Command::Ship`.
    Ship,
    /// `Command::Cancel`.
    Cancel,
}

impl Cmd {
    fn word(self) -> &'static str {
        match self {
            Cmd::Create => "create",
            Cmd::Pay => "pay",
            Cmd::Ship => "ship",
            Cmd::Cancel => "cancel",
        }
    }
}

/// `Err(Stopped)` from a learner's call, in the harness's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// What `shutdown()` returned, in the harness's terms.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Every order and its status word (`created`, `paid`, ...).
    pub statuses: Vec<(u64, &'static str)>,
    /// `Summary::applied`.
    pub applied: u64,
    /// `Summary::rejected`.
    pub rejected: u64,
}

impl Summary {
    fn encode(&self) -> String {
        let each: Vec<String> = self
            .statuses
            .iter()
            .map(|(id, s)| format!("{id}:{s}"))
            .collect();
        format!("{} {} {}", self.applied, self.rejected, each.join(","))
    }
}

/// The owner, as the harness calls it (implemented by generated glue).
pub trait Orders: Send {
    /// `Orders::handle`.
    fn handle(&self) -> Box<dyn Handle>;
    /// `Orders::shutdown`.
    fn shutdown(self: Box<Self>) -> Summary;
}

/// A client's handle (implemented by generated glue over `Handle`).
pub trait Handle: Send + Sync {
    /// `Handle::submit`: `true` for `Ok(())`, `false` for `Err(Stopped)`.
    fn submit(&self, cmd: Cmd, id: u64) -> bool;
    /// `Handle::status`, with the status as a word (`created`, ...).
    fn status(&self, id: u64) -> Result<Option<&'static str>, Stopped>;
    /// `Handle::clone`, boxed.
    fn clone_box(&self) -> Box<dyn Handle>;
}

/// Builds a learner's orders service: `Orders::start()`, boxed.
pub type Start = fn() -> Box<dyn Orders>;

const HANG_LIMIT: Duration = Duration::from_millis(2000);
const CLIENTS: usize = 6;
const TRIALS: usize = 80;
/// Calls a client makes after it has seen `shutdown()` return.
const CALLS_AFTER: usize = 4;
/// At most this many calls per client before `shutdown()` returns; after
/// that a client waits, still holding its handle.
const CAP: usize = 400;

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

#[derive(Clone, Copy)]
enum Input {
    Submit(Cmd, u64),
    Status(u64),
}

impl Input {
    fn text(self) -> String {
        match self {
            Input::Submit(c, id) => format!("submit {} {id}", c.word()),
            Input::Status(id) => format!("status {id}"),
        }
    }
    fn name(self, after: bool) -> &'static str {
        match (self, after) {
            (Input::Submit(..), false) => "submit()",
            (Input::Status(_), false) => "status()",
            (Input::Submit(..), true) => "submit() after shutdown()",
            (Input::Status(_), true) => "status() after shutdown()",
        }
    }
}

fn random_input(rng: &mut fastrand::Rng, ids: &[u64], submits_only: bool) -> Input {
    let id = ids[rng.usize(0..ids.len())];
    let roll = if submits_only {
        rng.u8(0..80)
    } else {
        rng.u8(0..100)
    };
    match roll {
        0..=24 => Input::Submit(Cmd::Create, id),
        25..=44 => Input::Submit(Cmd::Pay, id),
        45..=64 => Input::Submit(Cmd::Ship, id),
        65..=79 => Input::Submit(Cmd::Cancel, id),
        _ => Input::Status(id),
    }
}

fn apply(handle: &dyn Handle, input: Input) -> String {
    match input {
        Input::Submit(c, id) => {
            if handle.submit(c, id) {
                "ok".into()
            } else {
                "stopped".into()
            }
        }
        Input::Status(id) => match handle.status(id) {
            Err(Stopped) => "stopped".into(),
            Ok(None) => "none".into(),
            Ok(Some(s)) => s.into(),
        },
    }
}

/// One watched, recorded call. `None` if it panicked (the record says so).
fn one_call(
    handle: &dyn Handle,
    input: Input,
    at: Lane,
    after: bool,
    records: &mut Vec<String>,
) -> Option<(String, Duration)> {
    if !after {
        return timed_call(handle, input, at, false, None, records);
    }
    // A call after shutdown() must fail promptly; how long it took is
    // counted on this thread's fair clock, so that a client kept waiting
    // for a CPU by a loaded machine is not blamed for the wait.
    let own = FairClock::of(&[cpu::current_tid()]);
    let (out, took) = timed_call(handle, input, at, true, Some(own), records)?;
    if took < RECHECK {
        return Some((out, took));
    }
    // Slow once: it may have waited on another thread that the machine
    // kept from running. A design that is slow after shutdown is slow
    // every time, so the same call is made again, timed against every
    // thread of the process this time (costly, hence only now).
    let all = FairClock::all_but(&[]);
    let (_, again) = timed_call(handle, input, at, true, Some(all), records)?;
    Some((out, took.min(again)))
}

/// A call after shutdown() that took this long is made once more.
const RECHECK: Duration = Duration::from_millis(100);

/// One watched, recorded call, timed on `clock` if given (else the wall
/// clock). `None` if it panicked (the record says so).
fn timed_call(
    handle: &dyn Handle,
    input: Input,
    at: Lane,
    after: bool,
    clock: Option<FairClock>,
    records: &mut Vec<String>,
) -> Option<(String, Duration)> {
    let mut clock = clock;
    let timed = || {
        let began = Instant::now();
        let out = apply(handle, input);
        let took = clock
            .as_mut()
            .map_or_else(|| began.elapsed(), FairClock::advance);
        (out, took)
    };
    let text = input.text();
    recorded(records, at, input.name(after), &text, timed, |(out, _)| {
        out.clone()
    })
}

fn handle_watched(orders: &dyn Orders) -> Option<Box<dyn Handle>> {
    watched(0, "handle()", || orders.handle())
}

/// Calls `shutdown()` under the watchdog, recording it and the summary;
/// the tick it returned at, and the summary, if it returned.
fn shutdown_recorded(
    orders: Box<dyn Orders>,
    at: Lane,
    records: &mut Vec<String>,
) -> Option<(u64, Summary)> {
    let stop = move || orders.shutdown();
    let returned = |_: &Summary| "returned".to_string();
    let trial = at.trial.to_string();
    messages::around_shutdown(&trial, || {
        recorded_returning(records, at, "shutdown()", "shutdown", stop, returned)
    })
    .map(|(summary, tick)| (tick, summary))
}

fn send_after(trial: usize, lane: usize, calls: usize, max: Duration) {
    send(
        "fact",
        &[
            "after",
            &trial.to_string(),
            &lane.to_string(),
            &calls.to_string(),
            &max.as_micros().to_string(),
        ],
    );
}

/// Calls at the edges of the life cycle, made first on one thread, on
/// orders the random calls never use: unknown ids, a second `Create`,
/// `Ship` before `Pay`, `Cancel` after `Ship` and `Pay` after `Cancel`.
const EDGES: &[Input] = &[
    Input::Status(1001),
    Input::Submit(Cmd::Pay, 1001),
    Input::Submit(Cmd::Cancel, 1001),
    Input::Submit(Cmd::Create, 1001),
    Input::Submit(Cmd::Create, 1001),
    Input::Submit(Cmd::Ship, 1001),
    Input::Submit(Cmd::Pay, 1001),
    Input::Submit(Cmd::Pay, 1001),
    Input::Submit(Cmd::Ship, 1001),
    Input::Submit(Cmd::Cancel, 1001),
    Input::Status(1001),
    Input::Submit(Cmd::Create, 1002),
    Input::Submit(Cmd::Cancel, 1002),
    Input::Submit(Cmd::Pay, 1002),
    Input::Submit(Cmd::Cancel, 1002),
    Input::Status(1002),
];

fn single(start: Start, seed: u64) {
    let baseline = threads::live();
    let Some(orders) = phase::start_watched(start) else {
        return;
    };
    threads::report_spawned(&baseline);
    let Some(handle) = handle_watched(&*orders) else {
        return;
    };
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut records = Vec::new();
    for &input in EDGES {
        if one_call(&*handle, input, Lane::main(0, 0), false, &mut records).is_none() {
            report::send_batch(&records);
            return;
        }
    }
    for i in 0..300u64 {
        // A sliding window of three orders, so that new orders keep coming
        // and every transition is tried on every status.
        let ids = [i / 10 + 1, i / 10 + 2, i / 10 + 3];
        let input = random_input(&mut rng, &ids, false);
        if one_call(&*handle, input, Lane::main(0, 0), false, &mut records).is_none() {
            report::send_batch(&records);
            return;
        }
    }
    let Some((_, summary)) = shutdown_recorded(orders, Lane::main(0, 0), &mut records) else {
        report::send_batch(&records);
        return;
    };
    send("final", &["0", "summary", "-", &summary.encode()]);
    // The handle is still held: every call must now fail, promptly.
    let mut max = Duration::ZERO;
    let mut calls = 0;
    for _ in 0..20 {
        let input = random_input(&mut rng, &[1, 2, 3], false);
        match one_call(&*handle, input, Lane::main(0, 0), true, &mut records) {
            Some((_, took)) => {
                calls += 1;
                max = max.max(took);
            }
            None => break,
        }
    }
    report::send_batch(&records);
    send_after(0, 0, calls, max);
    if calls == 20 {
        // Still holding the handle: shutdown() must have joined the worker.
        threads::report_leftover("single, a handle still held", &baseline);
        messages::report(0);
    }
    drop(handle);
}

fn idle(start: Start) {
    let baseline = threads::live();
    let Some(orders) = phase::start_watched(start) else {
        return;
    };
    let Some(handle) = handle_watched(&*orders) else {
        return;
    };
    let mut records = Vec::new();
    for input in [Input::Submit(Cmd::Create, 1), Input::Status(1)] {
        if one_call(&*handle, input, Lane::main(0, 0), false, &mut records).is_none() {
            report::send_batch(&records);
            return;
        }
    }
    cpu::report_idle_cpu(&baseline, "after a read");
    // Commands nobody has asked about yet: a worker that polls while it
    // has unread changes spins now.
    for input in [Input::Submit(Cmd::Pay, 1), Input::Submit(Cmd::Create, 2)] {
        if one_call(&*handle, input, Lane::main(0, 0), false, &mut records).is_none() {
            report::send_batch(&records);
            return;
        }
    }
    cpu::report_idle_cpu(&baseline, "after writes nobody has read");
    drop(handle);
    if shutdown_recorded(orders, Lane::main(0, 0), &mut records).is_some() {
        threads::report_leftover("idle", &baseline);
    }
}

/// Shared by one trial's threads.
struct Trial {
    /// Calls the clients have made so far (the main thread waits for some).
    calls: AtomicUsize,
    /// The tick just after `shutdown()` returned; `u64::MAX` until then.
    shut: AtomicU64,
    /// Set when the trial must end early (a panic, or shutdown panicked).
    abort: AtomicBool,
}

fn under_load(start: Start, seed: u64) {
    messages::main_thread(CLIENTS);
    for trial in 0..TRIALS {
        let baseline = threads::live();
        let Some(orders) = phase::start_watched(start) else {
            return;
        };
        let mut rng = fastrand::Rng::with_seed(seed ^ (trial as u64).wrapping_mul(0x2545_F491));
        // A few orders per trial, numbered apart from other trials'.
        let ids: Vec<u64> = (0..3).map(|k| trial as u64 * 10 + k).collect();
        // Three trials in four fire without pauses, so the mailbox holds a
        // backlog when shutdown() is called: the worker is still draining
        // it when a late client's send lands, which is when a send that
        // slipped past a "closed" check gets lost.
        let burst = trial % 4 != 0;
        let mut handles = Vec::new();
        for _ in 0..CLIENTS + 1 {
            let Some(h) = handle_watched(&*orders) else {
                return;
            };
            handles.push(h);
        }
        let mine = handles.pop().expect("a handle for the main thread");
        // Every other trial, one more thread asks for a status at the very
        // instant shutdown() is called (a rendezvous releases both).
        let racer = if trial % 2 == 1 {
            let Some(h) = handle_watched(&*orders) else {
                return;
            };
            Some(h)
        } else {
            None
        };
        let (go, gate) = crossbeam_channel::bounded::<()>(0);
        let shared = Trial {
            calls: AtomicUsize::new(0),
            shut: AtomicU64::new(u64::MAX),
            abort: AtomicBool::new(false),
        };
        let target = rng.usize(10..120);
        let main_burst = rng.usize(20..120);
        let (client_records, main_records, summary) = std::thread::scope(|scope| {
            let workers: Vec<_> = handles
                .into_iter()
                .enumerate()
                .map(|(client, handle)| {
                    let shared = &shared;
                    let ids = &ids;
                    std::thread::Builder::new()
                        .name(format!("client {client}"))
                        .spawn_scoped(scope, move || {
                            let mut rng = fastrand::Rng::with_seed(
                                seed ^ ((trial as u64) << 32) ^ ((client as u64 + 1) * 0x9E37_79B9),
                            );
                            drive(handle, &mut rng, trial, client, ids, burst, shared)
                        })
                        .expect("cannot start a client thread")
                })
                .collect();
            let racing = racer.map(|handle| {
                let id = ids[0];
                std::thread::Builder::new()
                    .name("client racer".into())
                    .spawn_scoped(scope, move || {
                        let lane = CLIENTS + 1;
                        // The harness's thread, released with shutdown():
                        // its send is never parked, and its receives are
                        // not the solution's.
                        messages::main_thread(lane);
                        let mut records = Vec::new();
                        if gate.recv().is_ok() {
                            let input = Input::Status(id);
                            let at = Lane::client(trial, CLIENTS + 1);
                            one_call(&*handle, input, at, false, &mut records);
                        }
                        records
                    })
                    .expect("cannot start a client thread")
            });
            let mut records = Vec::new();
            // Let the clients get going, then submit a burst and shut down
            // while they are still calling. Clients are stalled at random
            // points meanwhile, so some are caught between a check and
            // the send it guards when shutdown() begins.
            threadlings_harness::perturb::stall_window(true);
            let waited = Instant::now();
            while shared.calls.load(Ordering::SeqCst) < target
                && waited.elapsed() < Duration::from_millis(500)
                && !shared.abort.load(Ordering::SeqCst)
            {
                std::thread::yield_now();
            }
            let mut ok = true;
            for _ in 0..main_burst {
                let input = random_input(&mut rng, &ids, true);
                if one_call(
                    &*mine,
                    input,
                    Lane::main(trial, CLIENTS),
                    false,
                    &mut records,
                )
                .is_none()
                {
                    ok = false;
                    break;
                }
            }
            let summary = if ok {
                if racing.is_some() {
                    let _ = go.send(());
                }
                // Clients' next sends wait behind whatever shutdown() sends.
                messages::park_clients();
                shutdown_recorded(orders, Lane::main(trial, CLIENTS), &mut records)
            } else {
                drop(orders);
                None
            };
            drop(go);
            if let Some(racing) = racing {
                records.extend(racing.join().unwrap_or_default());
            }
            threadlings_harness::perturb::stall_window(false);
            match &summary {
                Some((returned, _)) => shared.shut.store(*returned, Ordering::SeqCst),
                None => shared.abort.store(true, Ordering::SeqCst),
            }
            let client_records: Vec<(Vec<String>, bool)> = workers
                .into_iter()
                .map(|w| w.join().unwrap_or_default())
                .collect();
            (client_records, records, summary)
        });
        drop(mine);
        let mut records = main_records;
        let mut complete = true;
        for (r, done) in client_records {
            records.extend(r);
            complete &= done;
        }
        report::send_batch(&records);
        let Some((_, summary)) = summary else { return };
        send(
            "final",
            &[&trial.to_string(), "summary", "-", &summary.encode()],
        );
        if !complete || load::panicked() {
            return;
        }
        let leaked = threads::report_leftover(&format!("trial {trial}"), &baseline);
        messages::report(trial);
        if leaked > 0 {
            return;
        }
    }
}

/// One client's calls in one trial: it calls until it has made a few calls
/// after `shutdown()` returned, holding its handle all along. Returns its
/// records and whether it got through.
fn drive(
    handle: Box<dyn Handle>,
    rng: &mut fastrand::Rng,
    trial: usize,
    client: usize,
    ids: &[u64],
    burst: bool,
    shared: &Trial,
) -> (Vec<String>, bool) {
    let _stalls = threadlings_harness::perturb::Perturbation::start(rng.u64(..));
    messages::client_thread(client, rng.u64(..));
    let mut records = Vec::new();
    let mut made = 0;
    let mut after = 0;
    let mut max_after = Duration::ZERO;
    let at = Lane::client(trial, client);
    while after < CALLS_AFTER {
        if shared.abort.load(Ordering::SeqCst) {
            return (records, false);
        }
        let is_after = tick() > shared.shut.load(Ordering::SeqCst);
        if made >= CAP && !is_after {
            // Enough calls: wait for shutdown() with the handle still held.
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        if !burst {
            jitter(rng);
        }
        let input = random_input(rng, ids, burst);
        let Some((_, took)) = one_call(&*handle, input, at, is_after, &mut records) else {
            shared.abort.store(true, Ordering::SeqCst);
            return (records, false);
        };
        made += 1;
        shared.calls.fetch_add(1, Ordering::SeqCst);
        if is_after {
            after += 1;
            max_after = max_after.max(took);
        }
    }
    send_after(trial, client, after, max_after);
    drop(handle);
    (records, true)
}
