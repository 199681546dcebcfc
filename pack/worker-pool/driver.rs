//! Drives a learner's `Pool` (the `worker-pool` exercise).
//!
//! Every job is the tutor's own closure: it takes a tick of the global
//! clock when it begins and another when it ends (also when it panics), so
//! the judge sees exactly which jobs ran, when, and how many at once. What
//! the learner's pool did is then read from those intervals and from the
//! recorded `submit`/`try_submit`/`wait`/`shutdown` calls, never from a
//! wall-clock threshold.
//!
//! Phases, one per process:
//! - `single`: one submitting thread, fixed scenarios, one trial each:
//!   `panic` first (the workers survive a panic: threads counted, then jobs
//!   that wait for each other must meet; first, because a pool that loses
//!   its worker would hang a later scenario), `fifo` (one worker: jobs
//!   start in order, panics resolve to `JobPanicked`), `meet` (slow jobs that
//!   wait until `workers` of them run at once), `gate` (workers held on a
//!   gate: `try_submit` fills the queue and then says `Full` without
//!   blocking, `submit` blocks), `drain` (`shutdown` while jobs are queued)
//!   and `tiny` (a queue of one).
//! - `idle`: do the workers sleep when there is nothing to do?
//! - `load`: seeded trials of client threads submitting quick, sleeping,
//!   spinning and panicking jobs, with random pool sizes; tickets waited at
//!   once, later, after `shutdown()`, or never.
//!
//! Records:
//! - `fact\tpool\t<trial>\t<workers>\t<queue>\t<scenario>` when a trial starts;
//! - `fact\tthreads\t<trial>\t<when>\t<count>\t<names>`: the threads of the
//!   pool just after `start()` (`start`) and after a job panicked
//!   (`after-panic`, once the count settled);
//! - `op` for every call: inputs `submit <job>`, `try_submit <job>`,
//!   `wait <job>`, `shutdown`; outputs `ticket`, `full`, the job's value,
//!   `panicked`, or `<completed> <panicked>`;
//! - `fact\tjob\t<trial>\t<job>\t<start>\t<end>\t<outcome>` for every job
//!   that began: the ticks around its body and `ret:<value>` or `panic`;
//! - `fact\tgate\t<trial>\t<tick>`: the tick at which held jobs were let go;
//! - `final\t<trial>\tstats\t<completed> <panicked>\t<completed> <panicked>`:
//!   what the jobs did, next to what `shutdown()` returned.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use threadlings_harness::cpu::{self, FairClock};
use threadlings_harness::load::{call, op_record, tick};
use threadlings_harness::phase;
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;
use threadlings_harness::watchdog::guard;

/// A job, exactly as the exercise's API takes it.
pub type Job = Box<dyn FnOnce() -> u64 + Send + 'static>;

/// `try_submit`'s `Err(Full)`, in the harness's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// A ticket's `Err(JobPanicked)`, in the harness's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobPanicked;

/// What `shutdown()` returned, in the harness's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// `PoolStats::completed`.
    pub completed: u64,
    /// `PoolStats::panicked`.
    pub panicked: u64,
}

/// The pool, as the harness calls it (implemented by the glue).
pub trait Pool: Send + Sync {
    /// `Pool::submit`.
    fn submit(&self, job: Job) -> Box<dyn Ticket>;
    /// `Pool::try_submit`.
    fn try_submit(&self, job: Job) -> Result<Box<dyn Ticket>, Full>;
    /// `Pool::shutdown`.
    fn shutdown(self: Box<Self>) -> Stats;
}

/// A ticket, as the harness calls it (implemented by the glue).
pub trait Ticket: Send {
    /// `Ticket::wait`.
    fn wait(self: Box<Self>) -> Result<u64, JobPanicked>;
}

/// Builds a learner's pool: `Pool::start(workers, queue)`, boxed.
pub type Start = fn(usize, usize) -> Box<dyn Pool>;

/// The payload of every panic a job makes on purpose; the judge tells
/// these apart from real panics by it.
pub const JOB_PANIC: &str = "threadlings: this job panics on purpose";

/// Longer than any wait below, so that a blocked call shows as a hang only
/// when nothing the tutor does can free it.
const HANG_LIMIT: Duration = Duration::from_millis(3000);
/// Fair time a scenario waits for something a correct pool does at once
/// (jobs meeting, held jobs all running). Counted on a [`FairClock`], so a
/// loaded machine only stretches it.
const MEET_WINDOW: Duration = Duration::from_millis(1000);
/// Fair time a `try_submit` may take before the tutor frees a worker to see
/// whether it was blocked, and time a blocking `submit` gets to show that
/// it does not block.
const BLOCK_WINDOW: Duration = Duration::from_millis(400);
/// However loaded the machine, a fair wait ends after this much wall time.
const WALL_CAP: Duration = Duration::from_secs(12);
/// Fair time a pool gets to replace (or finish losing) a worker after a
/// panic before its threads are counted.
const SETTLE_WINDOW: Duration = Duration::from_millis(200);
/// Fair time `shutdown()` runs, in the `drain` run, before the held jobs
/// are let go.
const DRAIN_DELAY: Duration = Duration::from_millis(40);
const LOAD_TRIALS: usize = 24;
const CLIENTS: usize = 4;
const CALLS_PER_CLIENT: usize = 16;

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

/// What a job does between its two ticks.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Returns at once.
    Quick,
    /// Sleeps this many microseconds.
    Sleep(u64),
    /// Spins this many turns.
    Spin(u32),
    /// Panics with [`JOB_PANIC`].
    Panic,
    /// Waits until `workers` jobs run at once (or the tutor gives up).
    Meet,
    /// Waits until the tutor opens the gate.
    Gate,
}

/// What the jobs of one trial share with the tutor's threads.
struct Shared {
    trial: usize,
    workers: usize,
    next_id: AtomicU64,
    /// Set just before the tutor calls `shutdown()`.
    closing: AtomicBool,
    state: Mutex<State>,
    changed: Condvar,
    /// Job facts, as record bodies.
    ran: Mutex<Vec<(u64, bool, String)>>,
}

#[derive(Default)]
struct State {
    running: usize,
    /// `workers` meet jobs ran at once (sticky).
    met: bool,
    /// The tutor gave up waiting for a meeting.
    released: bool,
    gate: bool,
}

impl Shared {
    fn new(trial: usize, workers: usize) -> Arc<Shared> {
        Arc::new(Shared {
            trial,
            workers,
            next_id: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            ran: Mutex::new(Vec::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks until `done` holds, re-checking now and then so that no
    /// wake-up can be missed.
    fn wait_for(&self, done: impl Fn(&State) -> bool) {
        let mut state = self.lock();
        while !done(&state) {
            state = self
                .changed
                .wait_timeout(state, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    /// Opens the gate and records when.
    fn open_gate(&self) {
        let mut state = self.lock();
        if !state.gate {
            state.gate = true;
            let at = tick();
            send("fact", &["gate", &self.trial.to_string(), &at.to_string()]);
        }
        drop(state);
        self.changed.notify_all();
    }

    fn gate_open(&self) -> bool {
        self.lock().gate
    }

    fn did_run(&self, id: u64) -> bool {
        let ran = self.ran.lock().unwrap_or_else(|e| e.into_inner());
        ran.iter().any(|(j, _, _)| *j == id)
    }

    /// `(completed, panicked)` over the jobs that ran.
    fn outcomes(&self) -> (u64, u64) {
        let ran = self.ran.lock().unwrap_or_else(|e| e.into_inner());
        let panicked = ran.iter().filter(|(_, p, _)| *p).count() as u64;
        (ran.len() as u64 - panicked, panicked)
    }

    fn send_jobs(&self) {
        let bodies: Vec<String> = {
            let mut ran = self.ran.lock().unwrap_or_else(|e| e.into_inner());
            ran.iter_mut().map(|(_, _, b)| std::mem::take(b)).collect()
        };
        let bodies: Vec<String> = bodies.into_iter().filter(|b| !b.is_empty()).collect();
        report::send_batch(&bodies);
    }
}

/// The value job `id` of `trial` returns.
fn value(trial: usize, id: u64) -> u64 {
    (trial as u64 + 1) * 1_000_003 + id.wrapping_mul(7919) % 100_000
}

/// Marks a job running from its creation to its drop (also on unwinding),
/// recording its two ticks.
struct Running {
    shared: Arc<Shared>,
    id: u64,
    start: u64,
}

impl Running {
    fn enter(shared: Arc<Shared>, id: u64) -> Running {
        let start = tick();
        let workers = shared.workers;
        shared.update(|s| {
            s.running += 1;
            if s.running >= workers {
                s.met = true;
            }
        });
        Running { shared, id, start }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let panicked = std::thread::panicking();
        let end = tick();
        self.shared.update(|s| s.running -= 1);
        let outcome = if panicked {
            "panic".to_string()
        } else {
            format!("ret:{}", value(self.shared.trial, self.id))
        };
        let body = format!(
            "fact\tjob\t{}\t{}\t{}\t{end}\t{outcome}",
            self.shared.trial, self.id, self.start
        );
        let mut ran = self.shared.ran.lock().unwrap_or_else(|e| e.into_inner());
        ran.push((self.id, panicked, body));
    }
}

fn make_job(shared: &Arc<Shared>, kind: Kind) -> (u64, Job) {
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let shared = Arc::clone(shared);
    let job: Job = Box::new(move || {
        let trial = shared.trial;
        let run = Running::enter(shared, id);
        match kind {
            Kind::Quick => {}
            Kind::Sleep(us) => std::thread::sleep(Duration::from_micros(us)),
            Kind::Spin(turns) => {
                for _ in 0..turns {
                    std::hint::spin_loop();
                }
            }
            Kind::Panic => panic!("{JOB_PANIC}"),
            Kind::Meet => run.shared.wait_for(|s| s.met || s.released),
            Kind::Gate => run.shared.wait_for(|s| s.gate),
        }
        drop(run);
        value(trial, id)
    });
    (id, job)
}

/// Where a thread's calls are recorded: its lane in the history and its
/// watchdog slot.
#[derive(Clone, Copy)]
struct Lane {
    lane: usize,
    slot: usize,
}

const MAIN: Lane = Lane { lane: 0, slot: 0 };

/// A ticket the tutor holds, with its job's id.
type Held = (u64, Box<dyn Ticket>);

/// `submit` (or `try_submit`) of a new job of `kind`, watched and recorded.
/// `None` if the call panicked; `Some(None)` for `Full`.
fn submit(
    pool: &dyn Pool,
    shared: &Arc<Shared>,
    kind: Kind,
    try_only: bool,
    at: Lane,
    records: &mut Vec<String>,
) -> Option<Option<Held>> {
    let (id, job) = make_job(shared, kind);
    let input = if try_only {
        format!("try_submit {id}")
    } else {
        format!("submit {id}")
    };
    let called = tick();
    let out = {
        let _g = guard(at.slot, if try_only { "try_submit()" } else { "submit()" });
        call(|| {
            if try_only {
                pool.try_submit(job).ok()
            } else {
                Some(pool.submit(job))
            }
        })
    };
    let returned = tick();
    let trial = shared.trial;
    match out {
        Some(ticket) => {
            let word = if ticket.is_some() { "ticket" } else { "full" };
            records.push(op_record(
                trial,
                at.lane,
                called,
                Some(returned),
                &input,
                Some(word),
            ));
            Some(ticket.map(|t| (id, t)))
        }
        None => {
            records.push(op_record(trial, at.lane, called, None, &input, None));
            None
        }
    }
}

/// `wait` on a ticket, watched and recorded; `false` if it panicked.
fn wait(trial: usize, held: Held, at: Lane, records: &mut Vec<String>) -> bool {
    let (id, ticket) = held;
    let called = tick();
    let out = {
        let _g = guard(at.slot, "Ticket::wait()");
        call(move || ticket.wait())
    };
    let returned = tick();
    let input = format!("wait {id}");
    let output = match out {
        Some(Ok(v)) => v.to_string(),
        Some(Err(JobPanicked)) => "panicked".into(),
        None => {
            records.push(op_record(trial, at.lane, called, None, &input, None));
            return false;
        }
    };
    records.push(op_record(
        trial,
        at.lane,
        called,
        Some(returned),
        &input,
        Some(&output),
    ));
    true
}

fn start_watched(start: Start, workers: usize, queue: usize) -> Option<Box<dyn Pool>> {
    let _g = guard(0, "Pool::start()");
    call(|| start(workers, queue))
}

/// Starts a trial's pool and reports it and the threads it started.
fn open(
    start: Start,
    trial: usize,
    (workers, queue): (usize, usize),
    scenario: &str,
) -> Option<(Box<dyn Pool>, Arc<Shared>, BTreeSet<u32>)> {
    send(
        "fact",
        &[
            "pool",
            &trial.to_string(),
            &workers.to_string(),
            &queue.to_string(),
            scenario,
        ],
    );
    let baseline = threads::live();
    let pool = start_watched(start, workers, queue)?;
    report_threads(trial, "start", &threads::spawned_since(&baseline));
    Some((pool, Shared::new(trial, workers), baseline))
}

fn report_threads(trial: usize, when: &str, tids: &[u32]) {
    let names: Vec<String> = tids.iter().map(|&t| threads::name(t)).collect();
    send(
        "fact",
        &[
            "threads",
            &trial.to_string(),
            when,
            &tids.len().to_string(),
            &report::escape(&names.join(",")),
        ],
    );
}

/// `shutdown()`, watched and recorded, then the jobs' facts, the stats
/// next to what the jobs did, the tickets of jobs that ran waited (after
/// shutdown, as the API allows) and the leftover threads.
fn close(
    pool: Box<dyn Pool>,
    shared: &Shared,
    baseline: &BTreeSet<u32>,
    held: Vec<Held>,
    records: &mut Vec<String>,
) -> bool {
    let trial = shared.trial;
    shared.closing.store(true, Ordering::SeqCst);
    let called = tick();
    let out = {
        let _g = guard(0, "shutdown()");
        call(move || pool.shutdown())
    };
    let returned = tick();
    let Some(stats) = out else {
        records.push(op_record(trial, 0, called, None, "shutdown", None));
        report::send_batch(records);
        shared.send_jobs();
        return false;
    };
    let said = format!("{} {}", stats.completed, stats.panicked);
    records.push(op_record(
        trial,
        0,
        called,
        Some(returned),
        "shutdown",
        Some(&said),
    ));
    let (completed, panicked) = shared.outcomes();
    let mut ok = true;
    for held in held {
        // A ticket whose job never ran may never resolve; the judge reports
        // the job as lost instead of the tutor hanging on it.
        if shared.did_run(held.0) && !wait(trial, held, MAIN, records) {
            ok = false;
            break;
        }
    }
    report::send_batch(records);
    records.clear();
    shared.send_jobs();
    send(
        "final",
        &[
            &trial.to_string(),
            "stats",
            &format!("{completed} {panicked}"),
            &said,
        ],
    );
    threads::report_leftover(&format!("trial {trial}"), baseline);
    ok
}

/// Waits until `done()` holds or `window` of fair time has passed over the
/// process's threads but `ignore`; returns `done()`.
fn wait_fair(window: Duration, ignore: &[u32], done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    let mut clock = FairClock::all_but(ignore);
    loop {
        if done() {
            return true;
        }
        if clock.advance() >= window || started.elapsed() >= WALL_CAP {
            return done();
        }
        std::thread::sleep(Duration::from_millis(3));
    }
}

fn single(start: Start, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let scenarios: [fn(Start, usize, &mut fastrand::Rng) -> bool; 6] =
        [panic_then_meet, fifo, meet, gate, drain, tiny];
    for (trial, scenario) in scenarios.into_iter().enumerate() {
        if !scenario(start, trial, &mut rng) {
            return;
        }
    }
}

/// One worker: a held job, then quick and panicking jobs queued behind it;
/// they must start in the order they were accepted.
fn fifo(start: Start, trial: usize, rng: &mut fastrand::Rng) -> bool {
    let Some((pool, shared, baseline)) = open(start, trial, (1, 16), "fifo") else {
        return false;
    };
    let mut records = Vec::new();
    let mut held = Vec::new();
    let mut kinds = vec![Kind::Gate];
    kinds.extend((0..12).map(|_| {
        if rng.u8(0..100) < 20 {
            Kind::Panic
        } else {
            Kind::Quick
        }
    }));
    for kind in kinds {
        let try_only = rng.bool();
        match submit(&*pool, &shared, kind, try_only, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    shared.open_gate();
    for t in held {
        if !wait(trial, t, MAIN, &mut records) {
            return finish_early(&shared, &records);
        }
    }
    close(pool, &shared, &baseline, Vec::new(), &mut records)
}

/// A job panics; the pool must keep `workers` threads, and they must still
/// run `workers` jobs at once.
fn panic_then_meet(start: Start, trial: usize, _rng: &mut fastrand::Rng) -> bool {
    let workers = 2;
    let Some((pool, shared, baseline)) = open(start, trial, (workers, 4), "panic") else {
        return false;
    };
    let mut records = Vec::new();
    let Some(Some(t)) = submit(&*pool, &shared, Kind::Panic, false, MAIN, &mut records) else {
        return finish_early(&shared, &records);
    };
    if !wait(trial, t, MAIN, &mut records) {
        return finish_early(&shared, &records);
    }
    // A replaced worker may still be on its way out, its replacement on its
    // way in: let the count settle, on a fair clock over the pool's threads.
    let started = Instant::now();
    let mut clock = FairClock::of(&threads::spawned_since(&baseline));
    let settled = loop {
        let now = threads::spawned_since(&baseline);
        if now.len() == workers || clock.advance() >= SETTLE_WINDOW || started.elapsed() >= WALL_CAP
        {
            break now;
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    report_threads(trial, "after-panic", &settled);
    meet_round(pool, shared, baseline, 2 * workers, records)
}

/// Slow jobs that each wait until `workers` of them run at once.
fn meet(start: Start, trial: usize, _rng: &mut fastrand::Rng) -> bool {
    let workers = 3;
    let Some((pool, shared, baseline)) = open(start, trial, (workers, 6), "meet") else {
        return false;
    };
    meet_round(pool, shared, baseline, 2 * workers, Vec::new())
}

fn meet_round(
    pool: Box<dyn Pool>,
    shared: Arc<Shared>,
    baseline: BTreeSet<u32>,
    jobs: usize,
    mut records: Vec<String>,
) -> bool {
    let mut held = Vec::new();
    for _ in 0..jobs {
        match submit(&*pool, &shared, Kind::Meet, false, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    // A pool that runs fewer than `workers` jobs at once never gets them to
    // meet: give up after a fair second, and let the jobs go.
    wait_fair(MEET_WINDOW, &[cpu::current_tid()], || shared.lock().met);
    shared.update(|s| s.released = true);
    for t in held {
        if !wait(shared.trial, t, MAIN, &mut records) {
            return finish_early(&shared, &records);
        }
    }
    close(pool, &shared, &baseline, Vec::new(), &mut records)
}

/// Every worker held on a gate: `try_submit` must accept `queue` jobs and
/// then say `Full` at once; `submit` must then block until a worker is free.
fn gate(start: Start, trial: usize, _rng: &mut fastrand::Rng) -> bool {
    let (workers, queue) = (2, 3);
    let Some((pool, shared, baseline)) = open(start, trial, (workers, queue), "gate") else {
        return false;
    };
    let mut records = Vec::new();
    let mut held = Vec::new();
    for _ in 0..workers {
        match submit(&*pool, &shared, Kind::Gate, false, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    let me = cpu::current_tid();
    wait_fair(MEET_WINDOW, &[me], || shared.lock().running >= workers);
    // Beyond `queue + workers` no pool may accept, whatever the slack.
    let mut full = false;
    for _ in 0..queue + workers + 1 {
        if shared.gate_open() {
            break;
        }
        let out = with_releaser(&shared, || {
            submit(&*pool, &shared, Kind::Quick, true, MAIN, &mut records)
        });
        match out {
            Some(Some(t)) => held.push(t),
            Some(None) => {
                full = true;
                break;
            }
            None => return finish_early(&shared, &records),
        }
    }
    if full && !shared.gate_open() {
        // The queue is full and every worker is held: a submit must block.
        let blocked = std::thread::scope(|scope| {
            let (pool, shared) = (&*pool, &shared);
            let client = std::thread::Builder::new()
                .name("client 0".into())
                .spawn_scoped(scope, move || {
                    let mut records = Vec::new();
                    let at = Lane { lane: 1, slot: 1 };
                    let out = submit(pool, shared, Kind::Quick, false, at, &mut records);
                    (out, records)
                })
                .expect("cannot start a client thread");
            let returned = || client.is_finished();
            wait_fair(BLOCK_WINDOW, &[me], returned);
            shared.open_gate();
            client.join().unwrap_or((None, Vec::new()))
        });
        records.extend(blocked.1);
        match blocked.0 {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    shared.open_gate();
    close(pool, &shared, &baseline, held, &mut records)
}

/// Runs `f` (a call that must not block) while a helper thread watches: if
/// it has not returned after [`BLOCK_WINDOW`] of fair time, the helper opens
/// the gate, freeing the workers, so that a call blocked for room returns
/// and the judge can see that it waited.
fn with_releaser<T>(shared: &Shared, f: impl FnOnce() -> T) -> T {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let done = &done;
        let watcher = std::thread::Builder::new()
            .name("tl-releaser".into())
            .spawn_scoped(scope, move || {
                let me = cpu::current_tid();
                if !wait_fair(BLOCK_WINDOW, &[me], || done.load(Ordering::SeqCst)) {
                    shared.open_gate();
                }
            })
            .expect("cannot start the tutor's helper thread");
        let out = f();
        done.store(true, Ordering::SeqCst);
        let _ = watcher.join();
        out
    })
}

/// `shutdown()` while jobs are still queued behind held ones: every
/// accepted job must run before it returns.
fn drain(start: Start, trial: usize, _rng: &mut fastrand::Rng) -> bool {
    let (workers, queue) = (2, 6);
    let Some((pool, shared, baseline)) = open(start, trial, (workers, queue), "drain") else {
        return false;
    };
    let mut records = Vec::new();
    let mut held = Vec::new();
    let kinds = (0..workers)
        .map(|_| Kind::Gate)
        .chain((0..queue).map(|_| Kind::Quick));
    for kind in kinds {
        match submit(&*pool, &shared, kind, false, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    std::thread::scope(|scope| {
        let shared = &shared;
        let opener = std::thread::Builder::new()
            .name("tl-opener".into())
            .spawn_scoped(scope, move || {
                // Once shutdown() is under way, and it has had a fair
                // moment to stop whatever it stops.
                let me = [cpu::current_tid()];
                wait_fair(WALL_CAP, &me, || shared.closing.load(Ordering::SeqCst));
                wait_fair(DRAIN_DELAY, &me, || false);
                shared.open_gate();
            })
            .expect("cannot start the tutor's helper thread");
        let ok = close(pool, shared, &baseline, held, &mut records);
        let _ = opener.join();
        ok
    })
}

/// A queue of one and more workers than jobs waiting: `submit` keeps
/// blocking briefly for room.
fn tiny(start: Start, trial: usize, rng: &mut fastrand::Rng) -> bool {
    let Some((pool, shared, baseline)) = open(start, trial, (4, 1), "tiny") else {
        return false;
    };
    let mut records = Vec::new();
    let mut held = Vec::new();
    for _ in 0..12 {
        let kind = Kind::Sleep(rng.u64(0..2000));
        match submit(&*pool, &shared, kind, false, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => return finish_early(&shared, &records),
        }
    }
    for t in held {
        if !wait(trial, t, MAIN, &mut records) {
            return finish_early(&shared, &records);
        }
    }
    close(pool, &shared, &baseline, Vec::new(), &mut records)
}

/// Sends what a trial recorded before a call panicked; the run stops.
fn finish_early(shared: &Shared, records: &[String]) -> bool {
    shared.update(|s| {
        s.gate = true;
        s.released = true;
    });
    report::send_batch(records);
    shared.send_jobs();
    false
}

fn idle(start: Start) {
    let Some((pool, shared, baseline)) = open(start, 0, (3, 4), "idle") else {
        return;
    };
    cpu::report_idle_cpu(&baseline, "after start()");
    let mut records = Vec::new();
    let mut held = Vec::new();
    for _ in 0..3 {
        match submit(&*pool, &shared, Kind::Quick, false, MAIN, &mut records) {
            Some(Some(t)) => held.push(t),
            Some(None) => {}
            None => {
                finish_early(&shared, &records);
                return;
            }
        }
    }
    for t in held {
        if !wait(0, t, MAIN, &mut records) {
            finish_early(&shared, &records);
            return;
        }
    }
    cpu::report_idle_cpu(&baseline, "after its jobs were done");
    close(pool, &shared, &baseline, Vec::new(), &mut records);
}

fn random_kind(rng: &mut fastrand::Rng) -> Kind {
    match rng.u8(0..100) {
        0..=44 => Kind::Quick,
        45..=74 => Kind::Sleep(rng.u64(0..1500)),
        75..=91 => Kind::Spin(rng.u32(0..20_000)),
        _ => Kind::Panic,
    }
}

fn under_load(start: Start, seed: u64) {
    for trial in 0..LOAD_TRIALS {
        let mut rng = fastrand::Rng::with_seed(seed ^ (trial as u64).wrapping_mul(0x2545_F491));
        let size = (rng.usize(1..=4), rng.usize(1..=4));
        let Some((pool, shared, baseline)) = open(start, trial, size, "load") else {
            return;
        };
        let pool_ref: &dyn Pool = &*pool;
        let outcome =
            threadlings_harness::load::run_clients(CLIENTS, seed, trial, |client, rng| {
                drive(pool_ref, &shared, client, rng)
            });
        let mut records = Vec::new();
        let mut later = Vec::new();
        let mut complete = true;
        for (r, tickets, done) in outcome {
            records.extend(r);
            later.extend(tickets);
            complete &= done;
        }
        if !complete {
            finish_early(&shared, &records);
            return;
        }
        if !close(pool, &shared, &baseline, later, &mut records) {
            return;
        }
    }
}

/// One client's calls: random jobs through `submit` or `try_submit`, each
/// ticket waited at once, kept for after `shutdown()`, or dropped.
fn drive(
    pool: &dyn Pool,
    shared: &Arc<Shared>,
    client: usize,
    rng: &mut fastrand::Rng,
) -> (Vec<String>, Vec<Held>, bool) {
    let at = Lane {
        lane: client + 1,
        slot: client + 1,
    };
    let mut records = Vec::new();
    let mut later = Vec::new();
    for _ in 0..CALLS_PER_CLIENT {
        let kind = random_kind(rng);
        let try_only = rng.u8(0..100) < 35;
        let Some(out) = submit(pool, shared, kind, try_only, at, &mut records) else {
            return (records, later, false);
        };
        let Some(ticket) = out else { continue };
        match rng.u8(0..100) {
            0..=49 => {
                if !wait(shared.trial, ticket, at, &mut records) {
                    return (records, later, false);
                }
            }
            50..=89 => later.push(ticket),
            _ => drop(ticket.1),
        }
    }
    (records, later, true)
}
