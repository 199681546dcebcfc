//! Spots calls that stop making progress.
//!
//! Every call into learner code runs under a [`Guard`] that marks its slot
//! busy with the call's name and start time. A watchdog thread, owned and
//! joined by [`Watchdog`], scans the slots; a call busy past the limit is a
//! hang. Threads stuck in learner code cannot be unstuck, so the watchdog
//! reports the hang and ends the process; the tutor marks what could not be
//! checked.
//!
//! With the hang goes what the stuck thread was doing, from its scheduler
//! state: `running` (busy: a spin loop) or `sleeping` (blocked on a channel,
//! a lock or a join), so the message can name the right kind of mistake.
//!
//! "Busy past the limit" is counted on a [`FairClock`], not the wall clock:
//! a call that has been busy for two seconds because a loaded machine kept
//! the process's threads waiting for a CPU has not hung. Time in which
//! every thread is blocked (a deadlock) or spinning on a core of its own
//! counts in full, so real hangs are reported as quickly as before.

use crate::cpu::{self, FairClock};
use crossbeam_channel::{bounded, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How many threads can be watched at once: the main thread plus clients.
pub const SLOTS: usize = 64;

struct Busy {
    call: &'static str,
    since: Instant,
    /// The kernel's id of the thread making the call.
    tid: u32,
}

/// How many times, and how far apart, the stuck thread's state is sampled.
const STATE_SAMPLES: u32 = 10;
const STATE_GAP: Duration = Duration::from_millis(5);

static BUSY: [Mutex<Option<Busy>>; SLOTS] = [const { Mutex::new(None) }; SLOTS];

/// The name a slot's thread goes by in reports.
pub fn slot_name(slot: usize) -> String {
    if slot == 0 {
        "the tutor's main thread".to_string()
    } else {
        format!("client thread {}", slot - 1)
    }
}

/// Marks a slot busy for as long as it lives.
pub struct Guard {
    slot: usize,
}

thread_local! {
    /// This thread's id as `/proc` numbers it (not `gettid` inside a pid
    /// namespace), read once per thread rather than on every call.
    static MY_TID: u32 = cpu::current_tid();
}

/// Starts watching a call made by the thread that owns `slot`.
pub fn guard(slot: usize, call: &'static str) -> Guard {
    let mut busy = BUSY[slot].lock().unwrap_or_else(|e| e.into_inner());
    *busy = Some(Busy {
        call,
        since: Instant::now(),
        tid: MY_TID.with(|tid| *tid),
    });
    Guard { slot }
}

impl Drop for Guard {
    fn drop(&mut self) {
        *BUSY[self.slot].lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The watchdog thread and the means to stop it.
pub struct Watchdog {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts the watchdog: a call busy for longer than `limit` is a hang.
    pub fn start(limit: Duration) -> Watchdog {
        let (stop, stopped) = bounded::<()>(0);
        let thread = std::thread::Builder::new()
            .name("tl-watchdog".into())
            .spawn(move || {
                let mut scanner = Scanner::new(limit);
                loop {
                    match stopped.recv_timeout(Duration::from_millis(20)) {
                        Err(RecvTimeoutError::Timeout) => scanner.scan(),
                        // A stop message or a dropped sender: either way, done.
                        _ => return,
                    }
                }
            })
            .expect("cannot start the watchdog thread");
        Watchdog {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A call that has been busy this long (wall time) starts being timed on
/// a [`FairClock`]; shorter ones cannot be hangs, and reading every
/// thread's scheduler figures 50 times a second for them would cost CPU.
const WATCH_AFTER: Duration = Duration::from_millis(200);

/// The watchdog thread's view of the busy slots.
struct Scanner {
    limit: Duration,
    /// Set while some call has been busy past [`WATCH_AFTER`].
    clock: Option<FairClock>,
    /// Per slot: the busy call's start, and its fair time when first timed
    /// (the clock's credit then, and the wall time it had been busy).
    timed: Vec<Option<(Instant, Duration, Duration)>>,
}

impl Scanner {
    fn new(limit: Duration) -> Scanner {
        Scanner {
            limit,
            clock: None,
            timed: vec![None; SLOTS],
        }
    }

    fn scan(&mut self) {
        let mut long: Vec<(usize, &'static str, Instant, u32)> = Vec::new();
        for (slot, busy) in BUSY.iter().enumerate() {
            let busy = busy.lock().unwrap_or_else(|e| e.into_inner());
            match busy.as_ref() {
                Some(b) if b.since.elapsed() >= WATCH_AFTER => {
                    long.push((slot, b.call, b.since, b.tid))
                }
                _ => self.timed[slot] = None,
            }
        }
        if long.is_empty() {
            self.clock = None;
            return;
        }
        // The watchdog's own wake-ups say nothing about the learner's threads.
        let clock = self
            .clock
            .get_or_insert_with(|| FairClock::all_but(&[cpu::current_tid()]));
        let credited = clock.advance();
        for (slot, call, since, tid) in long {
            let timed = self.timed[slot].filter(|t| t.0 == since);
            let (_, base, before) =
                *self.timed[slot].insert(timed.unwrap_or((since, credited, WATCH_AFTER)));
            if before + (credited - base) > self.limit {
                crate::report::send(
                    "hang",
                    &[
                        &slot_name(slot),
                        call,
                        &since.elapsed().as_millis().to_string(),
                        doing(tid),
                    ],
                );
                // The stuck thread cannot be freed; end the run here.
                std::process::exit(0);
            }
        }
    }
}

/// `running` when the thread was runnable (state `R`: on a core or waiting
/// for one) in at least half of [`STATE_SAMPLES`] looks, else `sleeping`.
/// A spinning thread is `R` whatever the load; a blocked one is `S`, save
/// for a rare wake-up, hence a majority rather than a single look.
fn doing(tid: u32) -> &'static str {
    let mut runnable = 0;
    for i in 0..STATE_SAMPLES {
        if i > 0 {
            std::thread::sleep(STATE_GAP);
        }
        if crate::threads::runnable(tid) {
            runnable += 1;
        }
    }
    if runnable * 2 >= STATE_SAMPLES {
        "running"
    } else {
        "sleeping"
    }
}
