//! Drives a learner's `Buffer` (the `bounded-buffer` exercise).
//!
//! Phases, one per process so that a hang in one cannot hide what the
//! others show:
//! - `single`: one thread, random calls on small buffers, closed at the
//!   end and drained: every result against the contract; does `new` start
//!   threads?
//! - `idle`: threads blocked in `pop()` on an empty buffer, then in
//!   `push()` on a full one: do they sleep?
//! - `close`: threads blocked in `pop()` and in `push()` when `close()` is
//!   called: do they all return promptly, and does the closed buffer still
//!   hand out what is left?
//! - `load`: seeded trials of 1-8 producers and 1-8 consumers on buffers of
//!   capacity 1 and more, closed after the producers finish or in the
//!   middle of traffic; every call recorded with the global clock.
//!
//! Records, beside the shared ones: `op` with inputs `push:<v>`, `pop`,
//! `try_push:<v>`, `try_pop`, `close`, `len` and outputs `ok`, `closed`,
//! `full`, `empty` or a number; `fact trial <trial> <capacity> <producers>
//! <consumers> <kind>` when a trial starts; `fact closed <trial>` when its
//! `close()` returned; `fact woken <scenario> <blocked> <returned in time>
//! <fair ms>` from the `close` phase.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use threadlings_harness::cpu::{self, FairClock};
use threadlings_harness::load::{self, call, jitter, op_record, tick};
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;
use threadlings_harness::watchdog::{guard, Watchdog};

/// `try_push`'s refusal; the value is given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPush {
    /// No room.
    Full(u64),
    /// Closed.
    Closed(u64),
}

/// `try_pop`'s refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPop {
    /// Open and empty.
    Empty,
    /// Closed and empty.
    Closed,
}

/// `push` or `pop` found the buffer closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// The buffer's API as the harness calls it. The tutor's glue implements
/// it by calling the learner's inherent methods, so a signature that
/// differs from the exercise does not compile.
// The exercise's API has `len` and no `is_empty`; the trait mirrors it.
#[allow(clippy::len_without_is_empty)]
pub trait Buffer: Sync {
    /// `Buffer::push`.
    fn push(&self, value: u64) -> Result<(), Closed>;
    /// `Buffer::pop`.
    fn pop(&self) -> Result<u64, Closed>;
    /// `Buffer::try_push`.
    fn try_push(&self, value: u64) -> Result<(), TryPush>;
    /// `Buffer::try_pop`.
    fn try_pop(&self) -> Result<u64, TryPop>;
    /// `Buffer::close`.
    fn close(&self);
    /// `Buffer::len`.
    fn len(&self) -> usize;
}

/// Builds a learner's buffer: `Buffer::new(capacity)`, boxed.
pub type New = fn(usize) -> Box<dyn Buffer>;

/// How long (on a fair clock) one call may stay busy before it is a hang.
const HANG_LIMIT: Duration = Duration::from_millis(2000);
/// "Promptly": how long (on a fair clock) a blocked call may take to
/// return once `close()` has returned.
pub const PROMPT: Duration = Duration::from_millis(100);
/// Load trials per run.
const TRIALS: usize = 32;
/// Threads blocked at once in the `idle` and `close` phases.
const BLOCKED: usize = 4;

/// The entry point of the generated check program.
pub fn main(new: New) {
    report::init();
    load::install_panic_hook();
    let seed = load::seed_from_args();
    let watchdog = Watchdog::start(HANG_LIMIT);
    match threadlings_harness::phase_from_args().as_str() {
        "single" => single(new, seed),
        "idle" => idle(new),
        "close" => close(new),
        "load" => under_load(new, seed),
        other => send(
            "error",
            &[&report::escape(&format!("unknown phase {other:?}"))],
        ),
    }
    drop(watchdog);
    report::done();
}

/// One call by name, as its record's input and output.
fn apply(buffer: &dyn Buffer, input: &Input) -> String {
    match *input {
        Input::Push(v) => match buffer.push(v) {
            Ok(()) => "ok".into(),
            Err(Closed) => "closed".into(),
        },
        Input::Pop => match buffer.pop() {
            Ok(v) => v.to_string(),
            Err(Closed) => "closed".into(),
        },
        Input::TryPush(v) => match buffer.try_push(v) {
            Ok(()) => "ok".into(),
            Err(TryPush::Full(back)) => format!("full:{back}"),
            Err(TryPush::Closed(back)) => format!("closed:{back}"),
        },
        Input::TryPop => match buffer.try_pop() {
            Ok(v) => v.to_string(),
            Err(TryPop::Empty) => "empty".into(),
            Err(TryPop::Closed) => "closed".into(),
        },
        Input::Close => {
            buffer.close();
            "ok".into()
        }
        Input::Len => buffer.len().to_string(),
    }
}

/// A call the harness makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Push(u64),
    Pop,
    TryPush(u64),
    TryPop,
    Close,
    Len,
}

impl Input {
    fn record(self) -> String {
        match self {
            Input::Push(v) => format!("push:{v}"),
            Input::Pop => "pop".into(),
            Input::TryPush(v) => format!("try_push:{v}"),
            Input::TryPop => "try_pop".into(),
            Input::Close => "close".into(),
            Input::Len => "len".into(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Input::Push(_) => "push()",
            Input::Pop => "pop()",
            Input::TryPush(_) => "try_push()",
            Input::TryPop => "try_pop()",
            Input::Close => "close()",
            Input::Len => "len()",
        }
    }
}

/// Makes one watched, recorded call on `slot`'s thread, as lane `lane`.
/// `None` when it panicked (the record then says it never returned).
fn recorded(
    buffer: &dyn Buffer,
    records: &mut Vec<String>,
    trial: usize,
    (slot, lane): (usize, usize),
    input: Input,
) -> Option<String> {
    let called = tick();
    let out = {
        let _g = guard(slot, input.name());
        call(|| apply(buffer, &input))
    };
    let returned = tick();
    records.push(op_record(
        trial,
        lane,
        called,
        out.as_ref().map(|_| returned),
        &input.record(),
        out.as_deref(),
    ));
    out
}

/// Calls `Buffer::new(capacity)` under the watchdog.
fn new_watched(new: New, capacity: usize) -> Option<Box<dyn Buffer>> {
    let _g = guard(0, "Buffer::new()");
    call(|| new(capacity))
}

fn trial_fact(trial: usize, capacity: usize, producers: usize, consumers: usize, kind: &str) {
    send(
        "fact",
        &[
            "trial",
            &trial.to_string(),
            &capacity.to_string(),
            &producers.to_string(),
            &consumers.to_string(),
            kind,
        ],
    );
}

/// What the harness expects the buffer to hold, only to choose calls that
/// should not block (the judge decides what is right).
struct Mirror {
    items: VecDeque<u64>,
    capacity: usize,
    closed: bool,
}

fn single(new: New, seed: u64) {
    let baseline = threads::live();
    let mut rng = fastrand::Rng::with_seed(seed);
    for (trial, capacity) in [1usize, 2, 3, 5].into_iter().enumerate() {
        let Some(buffer) = new_watched(new, capacity) else {
            return;
        };
        if trial == 0 {
            threads::report_spawned(&baseline);
        }
        trial_fact(trial, capacity, 1, 1, "single");
        let mut mirror = Mirror {
            items: VecDeque::new(),
            capacity,
            closed: false,
        };
        let mut records = Vec::new();
        let mut next = trial as u64 * 1000 + 1;
        let calls = 120;
        for i in 0..calls {
            // The last quarter runs on a closed buffer: it must drain.
            let close_now = i == calls * 3 / 4;
            let input = if close_now {
                Input::Close
            } else {
                choose_single(&mut rng, &mirror, &mut next)
            };
            let Some(out) = recorded(&*buffer, &mut records, trial, (0, 0), input) else {
                report::send_batch(&records);
                return;
            };
            mirror_apply(&mut mirror, input, &out);
        }
        // Drain what is left, then the closed buffer's answers once more.
        for input in [Input::Pop; 6].into_iter().chain([
            Input::TryPop,
            Input::Len,
            Input::Close,
            Input::TryPush(next),
        ]) {
            if recorded(&*buffer, &mut records, trial, (0, 0), input).is_none() {
                report::send_batch(&records);
                return;
            }
        }
        report::send_batch(&records);
    }
    threads::report_leftover("single", &baseline);
}

fn choose_single(rng: &mut fastrand::Rng, mirror: &Mirror, next: &mut u64) -> Input {
    let full = mirror.items.len() >= mirror.capacity;
    let empty = mirror.items.is_empty();
    loop {
        let input = match rng.u8(0..100) {
            0..=29 => Input::Push(*next),
            30..=49 => Input::TryPush(*next),
            50..=74 => Input::Pop,
            75..=89 => Input::TryPop,
            _ => Input::Len,
        };
        // Only calls that cannot block here (when the buffer is right).
        match input {
            Input::Push(_) if full && !mirror.closed => continue,
            Input::Pop if empty && !mirror.closed => continue,
            Input::Push(_) | Input::TryPush(_) => *next += 1,
            _ => {}
        }
        return input;
    }
}

fn mirror_apply(mirror: &mut Mirror, input: Input, out: &str) {
    match input {
        Input::Push(v) | Input::TryPush(v) if out == "ok" => mirror.items.push_back(v),
        Input::Pop | Input::TryPop if out.parse::<u64>().is_ok() => {
            mirror.items.pop_front();
        }
        Input::Close => mirror.closed = true,
        _ => {}
    }
}

/// `BLOCKED` threads, each making one call (`input(n)`) that should block,
/// with `during` run on this thread once they are all inside their calls
/// (and asleep, or after a short wait for those that never sleep). Returns
/// each thread's record, or `None` when a call panicked.
fn blocked_calls(
    buffer: &dyn Buffer,
    trial: usize,
    input: impl Fn(usize) -> Input + Sync,
    during: impl FnOnce(&[u32], &AtomicUsize),
) -> Vec<Option<String>> {
    let entered = AtomicUsize::new(0);
    let returned = AtomicUsize::new(0);
    let tids = Mutex::new(Vec::new());
    let input = &input;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..BLOCKED)
            .map(|n| {
                let (entered, returned, tids) = (&entered, &returned, &tids);
                std::thread::Builder::new()
                    .name(format!("client {n}"))
                    .spawn_scoped(scope, move || {
                        tids.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(cpu::current_tid());
                        let mut records = Vec::new();
                        entered.fetch_add(1, Ordering::SeqCst);
                        let out = recorded(buffer, &mut records, trial, (n + 1, n), input(n));
                        returned.fetch_add(1, Ordering::SeqCst);
                        out?;
                        records.pop()
                    })
                    .expect("cannot start a client thread")
            })
            .collect();
        let tids = wait_until_blocked(&entered, &tids);
        during(&tids, &returned);
        workers
            .into_iter()
            .map(|w| w.join().ok().flatten())
            .collect()
    })
}

/// Waits until every blocked thread has entered its call and is asleep,
/// or up to half a second of fair time (a spinning call never sleeps).
fn wait_until_blocked(entered: &AtomicUsize, tids: &Mutex<Vec<u32>>) -> Vec<u32> {
    let started = Instant::now();
    let mut clock: Option<FairClock> = None;
    loop {
        std::thread::sleep(Duration::from_millis(2));
        if entered.load(Ordering::SeqCst) < BLOCKED && started.elapsed() < HANG_LIMIT {
            continue;
        }
        let tids = tids.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let clock = clock.get_or_insert_with(|| FairClock::of(&tids));
        let asleep = tids.iter().all(|&t| !threads::runnable(t));
        if asleep || clock.advance() >= Duration::from_millis(500) {
            // A moment more, so that a thread just between its entry mark
            // and its wait is waiting too.
            std::thread::sleep(Duration::from_millis(10));
            return tids;
        }
    }
}

fn idle(new: New) {
    let Some(buffer) = new_watched(new, 2) else {
        return;
    };
    let baseline = threads::live();
    trial_fact(0, 2, 0, BLOCKED, "idle-pop");
    let done = blocked_calls(
        &*buffer,
        0,
        |_| Input::Pop,
        |tids, _| {
            idle_window(
                &baseline,
                tids,
                &format!("{BLOCKED} threads blocked in pop() on an empty buffer"),
            );
            closed_watched(&*buffer, 0);
        },
    );
    if done.iter().any(Option::is_none) {
        return;
    }
    let Some(buffer) = new_watched(new, 2) else {
        return;
    };
    for v in [1, 2] {
        let _g = guard(0, "push()");
        if call(|| buffer.push(v)).is_none() {
            return;
        }
    }
    let baseline = threads::live();
    trial_fact(1, 2, BLOCKED, 0, "idle-push");
    blocked_calls(
        &*buffer,
        1,
        |n| Input::Push(10 + n as u64),
        |tids, _| {
            idle_window(
                &baseline,
                tids,
                &format!("{BLOCKED} threads blocked in push() on a full buffer"),
            );
            closed_watched(&*buffer, 1);
        },
    );
}

/// The CPU window of [`cpu::report_idle_cpu`] over the blocked threads
/// `tids`, and how many times the scheduler ran them meanwhile, as
/// `fact wakeups <when> <times run>`. A thread asleep in `Condvar::wait` is
/// not run at all until notified; one that polls (`try_pop` and
/// `yield_now`, or a short sleep, in a loop) is run over and over, however
/// little CPU a loaded machine lets it use.
fn idle_window(baseline: &std::collections::BTreeSet<u32>, tids: &[u32], when: &str) {
    let slices = || -> u64 {
        tids.iter()
            .filter_map(|&t| cpu::sched(t))
            .map(|s| s.slices)
            .sum()
    };
    let before = slices();
    cpu::report_idle_cpu(baseline, when);
    let runs = slices().saturating_sub(before);
    send("fact", &["wakeups", when, &runs.to_string()]);
}

/// Closes the buffer under the watchdog, unrecorded, and says so.
fn closed_watched(buffer: &dyn Buffer, trial: usize) {
    let _g = guard(0, "close()");
    if call(|| buffer.close()).is_some() {
        send("fact", &["closed", &trial.to_string()]);
    }
}

/// Calls `close()` while `BLOCKED` threads wait, then times (on a fair
/// clock over them and this thread) how long they take to return, and
/// reports `fact woken <scenario> <blocked> <in time> <fair ms>`. A call
/// still blocked after [`PROMPT`] is reported at once: it may never
/// return, and the watchdog then ends the run.
fn close_while_blocked(
    buffer: &dyn Buffer,
    trial: usize,
    scenario: &str,
    input: fn(usize) -> Input,
) -> Option<Vec<String>> {
    let mut close_record = Vec::new();
    let results = blocked_calls(buffer, trial, input, |tids, returned| {
        let mut watched = tids.to_vec();
        watched.push(cpu::current_tid());
        let mut clock = FairClock::of(&watched);
        let me = (0, BLOCKED);
        if recorded(buffer, &mut close_record, trial, me, Input::Close).is_none() {
            return;
        }
        send("fact", &["closed", &trial.to_string()]);
        let woken = |back: usize, fair: Duration| {
            send(
                "fact",
                &[
                    "woken",
                    scenario,
                    &BLOCKED.to_string(),
                    &back.to_string(),
                    &fair.as_millis().to_string(),
                ],
            );
        };
        loop {
            let back = returned.load(Ordering::SeqCst);
            let fair = clock.advance();
            if back == BLOCKED {
                return woken(back, fair);
            }
            if fair >= PROMPT {
                // Some may never return: say so now, before the watchdog
                // ends the run; then wait for the rest as long as it lets.
                woken(back, fair);
                while returned.load(Ordering::SeqCst) < BLOCKED {
                    std::thread::sleep(Duration::from_millis(2));
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let mut records: Vec<String> = results.into_iter().collect::<Option<Vec<_>>>()?;
    records.extend(close_record);
    Some(records)
}

fn close(new: New) {
    // Scenario A: poppers asleep on an empty buffer.
    let Some(buffer) = new_watched(new, 2) else {
        return;
    };
    trial_fact(0, 2, 0, BLOCKED, "close-pop");
    let Some(records) = close_while_blocked(&*buffer, 0, "pop", |_| Input::Pop) else {
        return;
    };
    report::send_batch(&records);
    // Scenario B: pushers asleep on a full buffer, then the closed buffer
    // must refuse new values and hand out the two it holds.
    let Some(buffer) = new_watched(new, 2) else {
        return;
    };
    trial_fact(1, 2, BLOCKED, 1, "close-push");
    let mut records = Vec::new();
    let me = (0, BLOCKED);
    for v in [1, 2] {
        if recorded(&*buffer, &mut records, 1, me, Input::Push(v)).is_none() {
            report::send_batch(&records);
            return;
        }
    }
    let Some(blocked) = close_while_blocked(&*buffer, 1, "push", |n| Input::Push(10 + n as u64))
    else {
        report::send_batch(&records);
        return;
    };
    records.extend(blocked);
    let after = [
        Input::TryPush(98),
        Input::Push(99),
        Input::Len,
        Input::Pop,
        Input::TryPop,
        Input::Pop,
        Input::TryPop,
        Input::Close,
        Input::Len,
    ];
    for input in after {
        if recorded(&*buffer, &mut records, 1, me, input).is_none() {
            break;
        }
    }
    report::send_batch(&records);
}

/// One load trial's shape.
struct Shape {
    capacity: usize,
    producers: usize,
    consumers: usize,
    /// Values each producer offers.
    per_producer: usize,
    /// Close while producers still push, after this many pops in all.
    close_after: Option<usize>,
}

fn shape(rng: &mut fastrand::Rng, trial: usize) -> Shape {
    // Many contending threads on a tiny buffer, so that a woken waiter
    // often finds its room or its value taken again. Small capacities also
    // keep the judge's search short: which of the blocked pushes went in
    // first shows only once its value reaches the front, so the orders it
    // must try grow with the capacity.
    let capacity = [1, 1, 1, 2, 2, 3][trial % 6];
    let (producers, consumers) = match trial % 4 {
        0 => (rng.usize(3..=6), rng.usize(3..=6)),
        1 => (1, rng.usize(2..=8)),
        2 => (rng.usize(2..=8), 1),
        _ => (rng.usize(1..=8), rng.usize(1..=8)),
    };
    let per_producer = rng.usize(20..40);
    let close_after = (trial % 3 == 2).then(|| rng.usize(1..=producers * per_producer / 2));
    Shape {
        capacity,
        producers,
        consumers,
        per_producer,
        close_after,
    }
}

fn under_load(new: New, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for trial in 0..TRIALS {
        let s = shape(&mut rng, trial);
        let kind = if s.close_after.is_some() {
            "close-mid"
        } else {
            "drain"
        };
        let Some(buffer) = new_watched(new, s.capacity) else {
            return;
        };
        trial_fact(trial, s.capacity, s.producers, s.consumers, kind);
        let (records, complete) = run_trial(&*buffer, seed, trial, &s);
        report::send_batch(&records);
        if !complete || load::panicked() {
            return;
        }
    }
}

/// Runs one trial: producers, consumers and the tutor's thread, which
/// closes the buffer after the producers finish, or a consumer closes it
/// mid-traffic. Returns every record and whether every call returned.
fn run_trial(buffer: &dyn Buffer, seed: u64, trial: usize, s: &Shape) -> (Vec<String>, bool) {
    let popped = AtomicUsize::new(0);
    let closed = AtomicBool::new(false);
    let threads_total = s.producers + s.consumers;
    let rng_for = |lane: usize| {
        fastrand::Rng::with_seed(seed ^ ((trial as u64) << 32) ^ ((lane as u64 + 1) * 0x9E37_79B9))
    };
    let (popped, closed) = (&popped, &closed);
    std::thread::scope(|scope| {
        let producers: Vec<_> = (0..s.producers)
            .map(|p| {
                let mut rng = rng_for(p);
                std::thread::Builder::new()
                    .name(format!("client {p}"))
                    .spawn_scoped(scope, move || {
                        produce(buffer, &mut rng, trial, p, s.per_producer)
                    })
                    .expect("cannot start a client thread")
            })
            .collect();
        let consumers: Vec<_> = (0..s.consumers)
            .map(|c| {
                let lane = s.producers + c;
                let mut rng = rng_for(lane);
                std::thread::Builder::new()
                    .name(format!("client {lane}"))
                    .spawn_scoped(scope, move || {
                        consume(
                            buffer,
                            &mut rng,
                            trial,
                            lane,
                            s.close_after.map(|n| (n, popped, closed)),
                        )
                    })
                    .expect("cannot start a client thread")
            })
            .collect();
        let mut records = Vec::new();
        let mut complete = true;
        for p in producers {
            let (r, done) = p.join().unwrap_or_default();
            records.extend(r);
            complete &= done;
        }
        if complete && s.close_after.is_none() {
            let out = recorded(
                buffer,
                &mut records,
                trial,
                (0, threads_total),
                Input::Close,
            );
            complete &= out.is_some();
            if complete {
                send("fact", &["closed", &trial.to_string()]);
            }
        }
        for c in consumers {
            let (r, done) = c.join().unwrap_or_default();
            records.extend(r);
            complete &= done;
        }
        (records, complete)
    })
}

/// A producer: pushes its values in order (a few with `try_push`, and a
/// `len()` now and then) until they are all in or the buffer is closed.
fn produce(
    buffer: &dyn Buffer,
    rng: &mut fastrand::Rng,
    trial: usize,
    lane: usize,
    values: usize,
) -> (Vec<String>, bool) {
    let mut records = Vec::new();
    let mut k = 1;
    while k <= values {
        jitter(rng);
        let value = (lane as u64 + 1) * 1000 + k as u64;
        let input = match rng.u8(0..100) {
            0..=74 => Input::Push(value),
            75..=92 => Input::TryPush(value),
            _ => Input::Len,
        };
        let Some(out) = recorded(buffer, &mut records, trial, (lane + 1, lane), input) else {
            return (records, false);
        };
        match (input, out.as_str()) {
            (Input::Len, _) => {}
            (_, "ok") => k += 1,
            (_, o) if o.starts_with("closed") => break,
            _ => {}
        }
    }
    (records, true)
}

/// A consumer: pops (a few with `try_pop`, and a `len()` now and then)
/// until the buffer says it is closed and empty. With `closer`, the one
/// that makes the `n`th pop closes the buffer.
fn consume(
    buffer: &dyn Buffer,
    rng: &mut fastrand::Rng,
    trial: usize,
    lane: usize,
    closer: Option<(usize, &AtomicUsize, &AtomicBool)>,
) -> (Vec<String>, bool) {
    let mut records = Vec::new();
    loop {
        jitter(rng);
        let input = match rng.u8(0..100) {
            0..=79 => Input::Pop,
            80..=94 => Input::TryPop,
            _ => Input::Len,
        };
        let Some(out) = recorded(buffer, &mut records, trial, (lane + 1, lane), input) else {
            return (records, false);
        };
        match (input, out.as_str()) {
            (Input::Len, _) => continue,
            (_, "closed") => break,
            (_, "empty") => std::thread::yield_now(),
            _ => {
                if let Some((n, popped, closed)) = closer {
                    if popped.fetch_add(1, Ordering::SeqCst) + 1 == n
                        && !closed.swap(true, Ordering::SeqCst)
                    {
                        if recorded(buffer, &mut records, trial, (lane + 1, lane), Input::Close)
                            .is_none()
                        {
                            return (records, false);
                        }
                        send("fact", &["closed", &trial.to_string()]);
                    }
                }
            }
        }
    }
    (records, true)
}
