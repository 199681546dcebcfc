//! Stalls at random instructions inside client calls, around the moments
//! where a race can show.
//!
//! Some races live between two statements: a client reads "still open" and,
//! a few hundred nanoseconds later, sends. The scheduler almost never stops
//! a thread exactly there, so on a two-core machine such a race hides. While
//! a stall window is open ([`stall_window`]), every thread holding a
//! [`Perturbation`] is interrupted by a timer every few tens of microseconds,
//! at whatever instruction it happens to be on, and the signal handler
//! sleeps for a random moment: a stall at a random point, which stretches
//! such a window wide enough for the other threads to run through it.
//!
//! Only timing changes. A stall is indistinguishable from the thread being
//! preempted there, so a correct solution computes exactly what it would
//! have without it. Windows are short and capped, so stalls cost little.

use std::cell::Cell;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};

/// Shortest and longest gap between two stalls of one thread, in ns.
const GAP_NS: (u64, u64) = (10_000, 60_000);
/// Longest stall, in ns (the kernel adds its own timer slack on top).
const STALL_NS: u64 = 40_000;
/// However long a window is left open, stalls end after this long (ns).
const WINDOW_CAP_NS: u64 = 50_000_000;

/// The monotonic time (ns) at which the open window closes; 0 when closed.
static OPEN_UNTIL: AtomicU64 = AtomicU64::new(0);
/// Timer interruptions handled inside windows, all threads together.
static INTERRUPTIONS: AtomicU64 = AtomicU64::new(0);
/// Every live [`Perturbation`]'s timer (as an address, to be `Send`), so
/// opening a window can fire them all at once.
static TIMERS: Mutex<Vec<usize>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's timer while a [`Perturbation`] is alive. Read from the
    /// signal handler, hence a plain `const` cell with no lazy set-up.
    static TIMER: Cell<Option<libc::timer_t>> = const { Cell::new(None) };
    /// This thread's xorshift state for gaps and stall lengths.
    static NOISE: Cell<u64> = const { Cell::new(1) };
}

/// Makes the current thread stallable while it lives. Must be dropped on
/// the thread that created it.
pub struct Perturbation {
    timer: libc::timer_t,
}

impl Perturbation {
    /// Makes the calling thread stallable, with gaps and stalls drawn from
    /// `seed`. `None` when the system refuses a timer (the run then simply
    /// goes without stalls).
    pub fn start(seed: u64) -> Option<Perturbation> {
        let signal = install_handler()?;
        // SAFETY: plain calls with pointers to locals that outlive them.
        let timer = unsafe {
            let mut event: libc::sigevent = std::mem::zeroed();
            event.sigev_notify = libc::SIGEV_THREAD_ID;
            event.sigev_signo = signal;
            event.sigev_notify_thread_id = libc::gettid();
            let mut timer: libc::timer_t = std::ptr::null_mut();
            if libc::timer_create(libc::CLOCK_MONOTONIC, &mut event, &mut timer) != 0 {
                return None;
            }
            timer
        };
        NOISE.with(|n| n.set(seed | 1));
        TIMER.with(|t| t.set(Some(timer)));
        let mut timers = TIMERS.lock().unwrap_or_else(|e| e.into_inner());
        timers.push(timer as usize);
        if now_ns() < OPEN_UNTIL.load(Ordering::SeqCst) {
            arm(timer, next_gap());
        }
        Some(Perturbation { timer })
    }
}

impl Drop for Perturbation {
    fn drop(&mut self) {
        // Under the lock, so an opening window never arms a deleted timer;
        // the cell is cleared first, so a signal already on its way finds
        // nothing to re-arm. Deleting the timer discards a queued signal.
        let mut timers = TIMERS.lock().unwrap_or_else(|e| e.into_inner());
        timers.retain(|&t| t != self.timer as usize);
        TIMER.with(|t| t.set(None));
        // SAFETY: the timer was created by `start` and is deleted once.
        unsafe {
            libc::timer_delete(self.timer);
        }
    }
}

/// Opens (`true`) or closes a stall window. Opening fires every live
/// [`Perturbation`]'s timer within a few microseconds; each then keeps
/// stalling its thread until the window closes or [`WINDOW_CAP_NS`] passes.
pub fn stall_window(open: bool) {
    if !open {
        OPEN_UNTIL.store(0, Ordering::SeqCst);
        return;
    }
    OPEN_UNTIL.store(now_ns() + WINDOW_CAP_NS, Ordering::SeqCst);
    let timers = TIMERS.lock().unwrap_or_else(|e| e.into_inner());
    for (n, &timer) in timers.iter().enumerate() {
        // Staggered, so the threads are not all stopped at the same moment.
        arm(
            timer as libc::timer_t,
            1_000 + (n as u64 * 7_919) % GAP_NS.0,
        );
    }
}

/// How many timer interruptions have been handled inside windows so far.
pub fn interruptions() -> u64 {
    INTERRUPTIONS.load(Ordering::SeqCst)
}

/// Installs the handler once; the signal it listens on, or `None`.
fn install_handler() -> Option<libc::c_int> {
    static INSTALL: Once = Once::new();
    static SIGNAL: AtomicI32 = AtomicI32::new(0);
    INSTALL.call_once(|| {
        // A real-time signal nothing else in the program uses.
        let signal = libc::SIGRTMIN() + 3;
        // SAFETY: sigaction with a zeroed struct and a handler that only
        // makes async-signal-safe calls.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) == 0 {
                SIGNAL.store(signal, Ordering::SeqCst);
            }
        }
    });
    let signal = SIGNAL.load(Ordering::SeqCst);
    (signal != 0).then_some(signal)
}

/// The signal handler: inside an open window, stall for a random moment and
/// arm the next stall; outside, let the timer rest. Only async-signal-safe
/// calls (clock_gettime, nanosleep, timer_settime), and errno is put back
/// so the interrupted code never notices.
extern "C" fn on_signal(_: libc::c_int) {
    // SAFETY: errno is thread-local; reading and restoring it is safe.
    let errno = unsafe { *libc::__errno_location() };
    if let Some(timer) = TIMER.with(Cell::get) {
        if now_ns() < OPEN_UNTIL.load(Ordering::Relaxed) {
            INTERRUPTIONS.fetch_add(1, Ordering::Relaxed);
            let roll = next_noise();
            // Half the interruptions only switch into the kernel and back.
            if roll & 1 == 0 {
                sleep_ns((roll >> 8) % STALL_NS);
            }
            arm(timer, next_gap());
        }
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// A gap in nanoseconds, uniform in [`GAP_NS`].
fn next_gap() -> u64 {
    let (low, high) = GAP_NS;
    low + next_noise() % (high - low)
}

fn next_noise() -> u64 {
    NOISE.with(|n| {
        let mut x = n.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n.set(x);
        x
    })
}

fn timespec(nanos: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    }
}

fn now_ns() -> u64 {
    let mut now = timespec(0);
    // SAFETY: a plain call with a pointer to a local.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

fn sleep_ns(nanos: u64) {
    let stall = timespec(nanos);
    // SAFETY: a plain call with a pointer to a local.
    unsafe { libc::nanosleep(&stall, std::ptr::null_mut()) };
}

/// Fires the timer once, `nanos` from now.
fn arm(timer: libc::timer_t, nanos: u64) {
    let spec = libc::itimerspec {
        it_interval: timespec(0),
        it_value: timespec(nanos),
    };
    // SAFETY: the timer is alive: its owner deletes it only after removing
    // it from TIMERS and clearing TIMER, under the lock.
    unsafe { libc::timer_settime(timer, 0, &spec, std::ptr::null_mut()) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn spin(for_how_long: Duration) -> u64 {
        let began = Instant::now();
        let mut n = 0u64;
        while began.elapsed() < for_how_long {
            n = std::hint::black_box(n + 1);
        }
        n
    }

    // One test, so no other test opens or closes a window meanwhile.
    #[test]
    fn stalls_only_inside_an_open_window_and_only_while_alive() {
        let stalls = Perturbation::start(7).expect("a timer");
        let before = interruptions();
        spin(Duration::from_millis(20));
        assert_eq!(interruptions(), before, "no window is open yet");

        stall_window(true);
        // A gap of at most 60 µs plus a stall: well over a hundred in 20 ms
        // of running. On a loaded machine the thread may get little of the
        // wall time, so spin until they came or a long while passed.
        let opened = Instant::now();
        while interruptions() - before <= 20 && opened.elapsed() < Duration::from_secs(30) {
            spin(Duration::from_millis(1));
        }
        let during = interruptions() - before;
        assert!(during > 20, "only {during} interruptions in an open window");

        stall_window(false);
        spin(Duration::from_millis(2));
        let closed = interruptions();
        spin(Duration::from_millis(20));
        assert_eq!(interruptions(), closed, "the window is closed");

        // A thread sleeping in a syscall is interrupted too, and its sleep
        // still lasts as long as it asked (SA_RESTART and Rust's retry).
        stall_window(true);
        let began = Instant::now();
        std::thread::sleep(Duration::from_millis(10));
        assert!(began.elapsed() >= Duration::from_millis(10));
        drop(stalls);
        let dropped = interruptions();
        spin(Duration::from_millis(20));
        assert_eq!(interruptions(), dropped, "the timer is gone");
        stall_window(false);
    }
}
