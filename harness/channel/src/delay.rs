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
//! Held threads do not poll each other awake: they sleep on one bell that
//! rings when a send goes through, when the window closes, or when the one
//! held thread that watches the shutdown thread (the others leave that to
//! it) finds it blocked. So a held send goes on within one wake-up of what
//! it waits for, however many threads are held and however loaded the
//! machine is.
//!
//! A correct design is only slowed: a parked send is just a slow client.
//! The plan (which sends wait) comes from each client's seed, so `--seed`
//! replays it.

use crate::record::{self, Role};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
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

/// Whether a held thread has looked at what it waits for since the bell
/// last rang: only then does a ring tell anyone something new. Sends ring
/// the bell while threads are held, and there are thousands of them; a
/// ring per send (a lock and a wake-up each) tripled the load phase's
/// system time, while one per look wakes every held thread just as soon.
static LISTENING: AtomicBool = AtomicBool::new(false);
/// Whether one held thread is watching the shutdown thread already.
static WATCHING: AtomicBool = AtomicBool::new(false);
/// When (ns after [`epoch`]) the first of the watcher's latest two looks in
/// a row that found the shutdown thread asleep was taken (or when it found
/// it gone or spinning); 0 before any. A held thread goes on once such a
/// pair lies wholly after it began to wait, as if it had looked itself.
static ASLEEP_PAIR: AtomicU64 = AtomicU64::new(0);
/// The bell's generation, bumped under [`BELL`]'s lock by [`ring`].
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// The bell held threads sleep on.
static BELL: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

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
/// A held thread that is not the watcher looks again at least this often,
/// so it takes over if the watcher has gone on.
const RECHECK: Duration = Duration::from_millis(1);

/// The bell's generation now, asking for the next ring; read before
/// looking at what a held thread waits for, so a ring in between is not
/// missed. (Whoever changes what held threads wait for does so before it
/// rings, and rings only if asked: a ring that sees no request came
/// before the request, so the look after it sees the change.)
fn bell_now() -> u64 {
    LISTENING.store(true, Ordering::SeqCst);
    GENERATION.load(Ordering::SeqCst)
}

/// The clock [`ASLEEP_PAIR`] counts on.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn since_epoch(t: Instant) -> u64 {
    // +1: 0 means "never".
    t.saturating_duration_since(epoch()).as_nanos() as u64 + 1
}

/// Sleeps until the bell rings after generation `seen`, or `timeout`.
fn await_bell(seen: u64, timeout: Duration) {
    let guard = BELL.0.lock().unwrap_or_else(|e| e.into_inner());
    let _ = BELL
        .1
        .wait_timeout_while(guard, timeout, |_| {
            GENERATION.load(Ordering::SeqCst) == seen
        })
        .unwrap_or_else(|e| e.into_inner());
}

/// Wakes every held thread to look again, if one has looked since the
/// last ring (see [`LISTENING`]).
fn ring() {
    // A plain load first: most sends find nobody listening, and a swap
    // on every send would fight over the flag's cache line.
    if !LISTENING.load(Ordering::SeqCst) || !LISTENING.swap(false, Ordering::SeqCst) {
        return;
    }
    let _bell = BELL.0.lock().unwrap_or_else(|e| e.into_inner());
    GENERATION.fetch_add(1, Ordering::SeqCst);
    BELL.1.notify_all();
}

/// A send went through: a held send waiting for one may go on.
pub(crate) fn after_send() {
    ring();
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
    ring();
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
    loop {
        let generation = bell_now();
        let left = SAMPLE_WAIT.saturating_sub(began.elapsed());
        if sent.load(Ordering::SeqCst) != seen || left.is_zero() {
            break;
        }
        await_bell(generation, left);
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
    let began_at = since_epoch(began);
    let mut watch: Option<Watch> = None;
    loop {
        let generation = bell_now();
        if done() {
            break;
        }
        let shutdown = SHUTDOWN_TID.load(Ordering::SeqCst);
        if !ARMED.load(Ordering::SeqCst) && shutdown == 0 {
            break;
        }
        if watch.is_none()
            && shutdown != 0
            && WATCHING
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            watch = Some(Watch::new());
        }
        if let Some(w) = &mut watch {
            w.look(shutdown);
        }
        if ASLEEP_PAIR.load(Ordering::SeqCst) >= began_at {
            GAVE_WAY.fetch_add(1, Ordering::SeqCst);
            break;
        }
        // Last, so that a thread that was itself kept off the CPU for long
        // still looks at the shutdown thread before it gives up on it.
        let waited = began.elapsed();
        if waited >= CAP {
            break;
        }
        let timeout = match &watch {
            Some(w) => w.until_next_look(),
            None => RECHECK,
        };
        await_bell(generation, timeout.min(CAP - waited));
    }
    if watch.is_some() {
        WATCHING.store(false, Ordering::SeqCst);
    }
    if watch.is_some() {
        // Someone else still held may take the watch over.
        ring();
    }
}

/// The one held thread's look at the shutdown thread, spaced out so that
/// held threads do not take the CPU the others need to get on.
struct Watch {
    /// When the previous look was taken, if it found the thread asleep.
    asleep_at: Option<Instant>,
    /// The shutdown thread and its CPU time when the watch began.
    spun_from: Option<(u32, Duration)>,
    /// The gap before the next look: short at first, then longer.
    poll: Duration,
    next_look: Instant,
}

impl Watch {
    fn new() -> Watch {
        Watch {
            asleep_at: None,
            spun_from: None,
            poll: POLL.0,
            next_look: Instant::now(),
        }
    }

    fn until_next_look(&self) -> Duration {
        self.next_look.saturating_duration_since(Instant::now())
    }

    /// Looks (if it is time) whether the shutdown thread is blocked, gone,
    /// or has spun for [`SPIN_CAP`] of CPU without sending or blocking, and
    /// if so tells every held thread through [`ASLEEP_PAIR`].
    fn look(&mut self, shutdown: u32) {
        let now = Instant::now();
        if now < self.next_look {
            return;
        }
        self.next_look = now + self.poll;
        self.poll = (self.poll * 2).min(POLL.1);
        let found = |from: Instant| {
            ASLEEP_PAIR.fetch_max(since_epoch(from), Ordering::SeqCst);
            ring();
        };
        let Some(used) = cpu_time(shutdown) else {
            return found(now);
        };
        match self.spun_from {
            Some((tid, from)) if tid == shutdown => {
                if used.saturating_sub(from) >= SPIN_CAP {
                    return found(now);
                }
            }
            _ => self.spun_from = Some((shutdown, used)),
        }
        if !sleeping(shutdown) {
            self.asleep_at = None;
            return;
        }
        if let Some(first) = self.asleep_at {
            found(first);
        }
        self.asleep_at = Some(now);
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

#[cfg(test)]
mod tests {
    use super::*;

    // One test: the bell is process-wide.
    #[test]
    fn the_bell_rings_once_per_look_and_wakes_a_sleeping_listener() {
        // Nobody has looked: sends do not touch the bell.
        let before = GENERATION.load(Ordering::SeqCst);
        ring();
        assert_eq!(GENERATION.load(Ordering::SeqCst), before);
        // One look, many sends: one ring.
        let seen = bell_now();
        ring();
        ring();
        ring();
        assert_eq!(GENERATION.load(Ordering::SeqCst), seen + 1);
        // A listener asleep on the bell is woken by the next send's ring
        // (a lost wake-up would leave it asleep for the hour).
        let (looked, after_look) = std::sync::mpsc::channel();
        let listener = std::thread::spawn(move || {
            let seen = bell_now();
            looked.send(record::tid()).unwrap();
            await_bell(seen, Duration::from_secs(3600));
            GENERATION.load(Ordering::SeqCst) != seen
        });
        let tid = after_look.recv().unwrap();
        while !sleeping(tid) {
            std::thread::yield_now();
        }
        ring();
        assert!(listener.join().unwrap(), "woken by the ring");
    }
}
