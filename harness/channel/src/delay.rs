//! Holding a client's send back, so that narrow races happen on purpose.
//!
//! A race such as "a client checks a closed flag, then sends" against
//! "shutdown() sets the flag, then sends Stop" lives in a few hundred
//! nanoseconds; a scheduler almost never stops a thread there, least of all
//! on a loaded machine. So the harness makes it happen:
//!
//! - Around `shutdown()` the harness *arms* a window. Every send a client
//!   thread starts while it is armed is parked before it reaches the real
//!   channel. The harness waits until some client is parked, then calls
//!   `shutdown()`. A parked send goes on once the thread calling
//!   `shutdown()` has sent on the same channel (its `Stop` is then ahead of
//!   the parked message), or once that thread is blocked (asleep: it waits
//!   for a lock, a reply or a join, which a correct design may need the
//!   parked client for), or when the window closes. Load cannot change the
//!   outcome: while the shutdown thread waits for a core it is runnable, not
//!   asleep, and the parked send keeps waiting.
//! - Elsewhere a seeded sample of client sends waits until another thread
//!   has sent on the same channel, or about a millisecond.
//!
//! A correct design is only slowed: a parked send is just a slow client.
//! The plan (which sends wait) comes from each client's seed, so `--seed`
//! replays it.

use crate::record::{self, Role};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Whether client sends are parked now.
static ARMED: AtomicBool = AtomicBool::new(false);
/// The thread in `shutdown()`, or 0 when no shutdown is under way.
static SHUTDOWN_TID: AtomicU32 = AtomicU32::new(0);
/// Client sends parked right now.
static PARKED: AtomicUsize = AtomicUsize::new(0);
/// Sends held back so far, parked or sampled.
static HELD: AtomicU64 = AtomicU64::new(0);
/// Held operations that went on because the shutdown thread was blocked.
static GAVE_WAY: AtomicU64 = AtomicU64::new(0);

/// How long a sampled send waits at most for another thread's send.
const SAMPLE_WAIT: Duration = Duration::from_millis(1);
/// One sampled send in this many.
const SAMPLE_ONE_IN: u64 = 64;
/// A held operation goes on once the shutdown thread has run this long on
/// a CPU without sending or blocking (it spins, perhaps waiting for the
/// held client). CPU time, not wall time: a shutdown thread that waits for
/// a core on a loaded machine has not had its chance yet.
const SPIN_CAP: Duration = Duration::from_millis(20);
/// Whatever happens, a held operation goes on after this long.
const CAP: Duration = Duration::from_millis(500);
/// Between two looks at the shutdown thread: short at first, then longer,
/// so that held threads do not take the CPU the others need to get on.
const POLL: (Duration, Duration) = (Duration::from_micros(20), Duration::from_micros(400));

fn backoff(poll: &mut Duration) {
    std::thread::sleep(*poll);
    *poll = (*poll * 2).min(POLL.1);
}

thread_local! {
    /// This client's xorshift state for the sample; 0 = no sample.
    static NOISE: Cell<u64> = const { Cell::new(0) };
}

/// Seeds the calling client thread's delay plan.
pub fn seed_thread(seed: u64) {
    NOISE.with(|n| n.set(seed | 1));
}

/// Parks client sends from now on, until [`disarm`].
pub fn arm() {
    ARMED.store(true, Ordering::SeqCst);
}

/// How many client sends are parked now.
pub fn parked() -> usize {
    PARKED.load(Ordering::SeqCst)
}

/// How many sends have been held back so far.
pub fn held() -> u64 {
    HELD.load(Ordering::SeqCst)
}

/// How many held operations went on because the thread in `shutdown()`
/// was blocked (waiting, perhaps, for them).
pub fn gave_way() -> u64 {
    GAVE_WAY.load(Ordering::SeqCst)
}

/// The calling thread is about to call `shutdown()`.
pub fn shutdown_begins() {
    SHUTDOWN_TID.store(record::tid(), Ordering::SeqCst);
}

/// `shutdown()` has returned (and the harness has looked): releases every
/// parked send and every held receiver drop.
pub fn disarm() {
    ARMED.store(false, Ordering::SeqCst);
    SHUTDOWN_TID.store(0, Ordering::SeqCst);
}

fn next_noise() -> u64 {
    NOISE.with(|n| {
        let mut x = n.get();
        if x == 0 {
            return u64::MAX;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n.set(x);
        x
    })
}

/// Called before a send on a channel whose sends so far are `sent`.
pub(crate) fn before_send(sent: &AtomicU64) {
    if record::role() != Role::Client {
        return;
    }
    let seen = sent.load(Ordering::SeqCst);
    if ARMED.load(Ordering::SeqCst) {
        HELD.fetch_add(1, Ordering::Relaxed);
        PARKED.fetch_add(1, Ordering::SeqCst);
        wait_for_shutdown(|| sent.load(Ordering::SeqCst) != seen);
        PARKED.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    if !next_noise().is_multiple_of(SAMPLE_ONE_IN) {
        return;
    }
    HELD.fetch_add(1, Ordering::Relaxed);
    let began = Instant::now();
    let mut poll = POLL.0;
    while sent.load(Ordering::SeqCst) == seen && began.elapsed() < SAMPLE_WAIT {
        backoff(&mut poll);
    }
}

/// Called before a learner's thread drops a receiver it received through,
/// so that a worker that is not joined cannot let go of its mailbox before
/// `shutdown()` has returned and the harness has looked.
pub(crate) fn before_receiver_drop() {
    if record::role() == Role::Learner && SHUTDOWN_TID.load(Ordering::SeqCst) != 0 {
        wait_for_shutdown(|| false);
    }
}

/// Waits until `done()`, the window closes, the shutdown thread is seen
/// asleep twice in a row (it waits for this thread), or [`CAP`] passes.
fn wait_for_shutdown(done: impl Fn() -> bool) {
    let began = Instant::now();
    let mut asleep = 0;
    let mut spun_from: Option<(u32, Duration)> = None;
    let mut poll = POLL.0;
    loop {
        if done() {
            return;
        }
        let shutdown = SHUTDOWN_TID.load(Ordering::SeqCst);
        if !ARMED.load(Ordering::SeqCst) && shutdown == 0 {
            return;
        }
        if shutdown != 0 {
            let used = cpu_time(shutdown);
            match (spun_from, used) {
                (Some((tid, from)), Some(now)) if tid == shutdown => {
                    if now.saturating_sub(from) >= SPIN_CAP {
                        return;
                    }
                }
                (_, Some(now)) => spun_from = Some((shutdown, now)),
                (_, None) => return,
            }
        }
        if shutdown != 0 && sleeping(shutdown) {
            asleep += 1;
            if asleep >= 2 {
                GAVE_WAY.fetch_add(1, Ordering::SeqCst);
                return;
            }
        } else {
            asleep = 0;
        }
        // Last, so that a thread that was itself kept off the CPU for long
        // still looks at the shutdown thread before it gives up on it.
        if began.elapsed() >= CAP {
            return;
        }
        backoff(&mut poll);
    }
}

/// The CPU time thread `tid` of this process has used; `None` if it is gone.
fn cpu_time(tid: u32) -> Option<Duration> {
    // Linux's clock id for one thread's CPU time (per-thread, scheduler
    // clock): see MAKE_THREAD_CPUCLOCK in the kernel's posix-timers.
    let clock = ((!(tid as libc::clockid_t)) << 3) | 6;
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a plain call with a pointer to a local.
    if unsafe { libc::clock_gettime(clock, &mut now) } != 0 {
        return None;
    }
    Some(Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// Whether thread `tid` of this process is blocked (asleep in the kernel)
/// rather than running or waiting for a core.
fn sleeping(tid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")) else {
        // It is gone, or /proc is closed: nothing to wait for.
        return true;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].trim_start().chars().next());
    matches!(state, Some('S' | 'D'))
}
