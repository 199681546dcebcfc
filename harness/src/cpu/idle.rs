//! The idle window: are the solution's threads asleep while nobody calls
//! them?
//!
//! A thread blocked in `recv` (or `Condvar::wait`, `join`) is not run at
//! all: the kernel gives it no CPU time, no run delay and no time slices.
//! A spinning thread is the opposite: it is always runnable, either running
//! or queued for a core, however loaded the machine is; only how much CPU
//! it gets depends on the load. So the window looks at each thread's own
//! accounting (`schedstat`: CPU time, run delay, slices; `stat`: whether it
//! is runnable now) every [`LOOK`], with this thread asleep in between (it
//! takes no CPU from the other phases), and closes as soon as what it saw
//! decides the engine's rule:
//!
//! - a thread still awake that used [`BUSY_CPU`] of CPU and was runnable
//!   for at least a quarter of the window: it spins (a spinner reaches this
//!   after 2 ms on a quiet machine, later on a loaded one);
//! - every thread quiet (no CPU, no run delay, no slice, not runnable) for
//!   [`QUIET`]: they sleep;
//! - after [`WINDOW`], whatever the figures say unless a thread is awake,
//!   runnable for a quarter of the window and has not had [`BUSY_CPU`]
//!   yet: the machine is keeping it from a core, so the window goes on (up
//!   to [`CAP`]) until it has, rather than guess.
//!
//! The harness only measures: it reports the figures of the thread that
//! decides, and the engine's `busy-loop` judgement (`judge/src/checks.rs`,
//! whose thresholds are these) passes or fails them.

use super::{current_tid, sched, Sched};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// How often the threads are looked at.
const LOOK: Duration = Duration::from_millis(2);
/// CPU time that only a thread that keeps running while nobody calls it
/// uses: waking up to finish the last command takes microseconds. The
/// engine's `BUSY_CPU_US`.
const BUSY_CPU: Duration = Duration::from_millis(2);
/// A thread is runnable for at least 1/`SHARE` of the window to count as
/// spinning; one that wakes now and then is not. The engine's `SHARE`.
const SHARE: u32 = 4;
/// How long every thread must have been quiet for the window to close
/// early as idle. Three times [`BUSY_CPU`]: a thread that runs less than
/// that at a time (or it would have counted as spinning) and then sleeps
/// this long uses under a quarter of a core, so closing here never
/// passes what the quarter rule would fail.
const QUIET: Duration = Duration::from_millis(6);
/// How long a window lasts when no early close applies (a thread that
/// wakes often but briefly, for instance).
const WINDOW: Duration = Duration::from_millis(30);
/// However loaded the machine, a window closes after this long.
const CAP: Duration = Duration::from_secs(3);

/// One watched thread over the window.
struct Watched {
    tid: u32,
    /// Its figures when the window opened.
    start: Sched,
    /// Its figures at the latest look, and when they last changed.
    last: Sched,
    changed: Instant,
    /// Since when it has been runnable at every look (`None`: it was not
    /// at the latest one).
    runnable_since: Option<Instant>,
    /// The latest look at which it ran, waited, got a slice or was
    /// runnable.
    active: Instant,
}

/// What a look says about one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    /// CPU time in the window.
    ran: Duration,
    /// Time running or waiting for a core in the window, including a wait
    /// still going on (the kernel adds a wait to the run delay only when
    /// the wait ends).
    runnable: Duration,
    /// Whether it did anything in the last [`QUIET`].
    awake: bool,
}

impl Watched {
    fn new(tid: u32, now: Instant) -> Option<Watched> {
        let start = sched(tid)?;
        Some(Watched {
            tid,
            start,
            last: start,
            changed: now,
            runnable_since: crate::threads::runnable(tid).then_some(now),
            active: now,
        })
    }

    /// Takes a look at the thread (a thread that is gone keeps its last
    /// figures and is quiet).
    fn look(&mut self, now: Instant) {
        let Some(current) = sched(self.tid) else {
            self.runnable_since = None;
            return;
        };
        let runnable = crate::threads::runnable(self.tid);
        if current != self.last {
            self.last = current;
            self.changed = now;
            self.active = now;
        }
        if runnable {
            self.active = now;
            self.runnable_since.get_or_insert(now);
        } else {
            self.runnable_since = None;
        }
    }

    fn figures(&self, now: Instant) -> Figures {
        let ran = self.last.ran.saturating_sub(self.start.ran);
        let waited = self.last.waited.saturating_sub(self.start.waited);
        // Runnable at every look since its figures last moved: it has been
        // queued (or running between updates) that long, not yet counted.
        let pending = match self.runnable_since {
            Some(since) => now.saturating_duration_since(since.max(self.changed)),
            None => Duration::ZERO,
        };
        Figures {
            ran,
            runnable: ran + waited + pending,
            awake: now.saturating_duration_since(self.active) < QUIET,
        }
    }
}

/// What the engine will make of one awake thread's figures in a window of
/// `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reading {
    /// Awake, but neither rule applies: it woke now and then.
    Woke,
    /// Runnable for a quarter of the window without [`BUSY_CPU`]: kept
    /// from a core, too early to tell.
    Starved,
    /// Spinning.
    Busy,
}

fn reading(f: &Figures, window: Duration) -> Reading {
    if f.runnable * SHARE < window {
        Reading::Woke
    } else if f.ran >= BUSY_CPU {
        Reading::Busy
    } else {
        Reading::Starved
    }
}

/// The awake thread that decides a window: a busy one if any (the one
/// that ran most), else a starved one (the one runnable longest), else the
/// awake one that ran most; `None` when every thread was quiet.
fn deciding(figures: &[(u32, Figures)], window: Duration) -> Option<(u32, Figures, Reading)> {
    figures
        .iter()
        .filter(|(_, f)| f.awake)
        .map(|&(tid, f)| (tid, f, reading(&f, window)))
        .max_by_key(|&(_, f, r)| match r {
            Reading::Starved => (r, f.runnable),
            _ => (r, f.ran),
        })
}

/// Whether a window of `window` that saw `decided` may close: once its
/// reading cannot change the engine's verdict any more.
fn may_close(decided: Option<Reading>, window: Duration) -> bool {
    match decided {
        // Every thread quiet for QUIET: asleep.
        None => true,
        Some(Reading::Busy) => true,
        Some(Reading::Starved) => window >= CAP,
        Some(Reading::Woke) => window >= WINDOW,
    }
}

/// Watches the solution's threads (those not in `baseline`) while nobody
/// calls them, and reports
/// `cpu\t<when>\t<window µs>\t<threads>\t<CPU µs of them all>\t<deciding>`,
/// where `<deciding>` is `-` when every thread was quiet at the close, else
/// `<CPU µs>\t<runnable µs>\t<name>` of the awake thread that decides (see
/// the module documentation).
pub fn report_idle_cpu(baseline: &BTreeSet<u32>, when: &str) {
    let me = current_tid();
    let started = Instant::now();
    let mut watched: Vec<Watched> = crate::threads::spawned_since(baseline)
        .into_iter()
        .filter(|&t| t != me)
        .filter_map(|t| Watched::new(t, started))
        .collect();
    let (window, figures, decided) = loop {
        std::thread::sleep(LOOK);
        let now = Instant::now();
        for w in &mut watched {
            w.look(now);
        }
        let window = now - started;
        let figures: Vec<(u32, Figures)> =
            watched.iter().map(|w| (w.tid, w.figures(now))).collect();
        let decided = deciding(&figures, window);
        if may_close(decided.map(|d| d.2), window) {
            break (window, figures, decided);
        }
    };
    let used: Duration = figures.iter().map(|(_, f)| f.ran).sum();
    let mut fields = vec![
        when.to_string(),
        window.as_micros().to_string(),
        watched.len().to_string(),
        used.as_micros().to_string(),
    ];
    match decided {
        Some((tid, f, _)) => fields.extend([
            f.ran.as_micros().to_string(),
            f.runnable.as_micros().to_string(),
            crate::report::escape(&crate::threads::name(tid)),
        ]),
        None => fields.push("-".into()),
    }
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    crate::report::send("cpu", &fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn awake(ran: u64, runnable: u64) -> Figures {
        Figures {
            ran: MS(ran),
            runnable: MS(runnable),
            awake: true,
        }
    }

    #[test]
    fn a_spinner_is_busy_once_it_had_its_cpu_time_whatever_the_load() {
        // A core to itself: busy after 2 ms.
        assert_eq!(reading(&awake(2, 2), MS(2)), Reading::Busy);
        // An eighth of a core: runnable all along, busy once it got 2 ms.
        assert_eq!(reading(&awake(1, 8), MS(8)), Reading::Starved);
        assert_eq!(reading(&awake(2, 16), MS(16)), Reading::Busy);
        assert!(may_close(Some(Reading::Busy), MS(2)));
        assert!(!may_close(Some(Reading::Starved), MS(500)));
        assert!(may_close(Some(Reading::Starved), CAP));
    }

    #[test]
    fn a_thread_that_wakes_briefly_is_not_busy() {
        // Woke to finish the last command, waiting long for a core.
        assert_eq!(reading(&awake(0, 3), MS(30)), Reading::Woke);
        // Polls with a sleep: a tenth of the time on a CPU.
        assert_eq!(reading(&awake(3, 3), MS(30)), Reading::Woke);
        assert!(!may_close(Some(Reading::Woke), MS(10)));
        assert!(may_close(Some(Reading::Woke), WINDOW));
        // Every thread quiet: closed at once.
        assert!(may_close(None, MS(6)));
    }

    #[test]
    fn the_deciding_thread_is_the_busiest_awake_one() {
        let quiet = Figures {
            awake: false,
            ..awake(9, 9)
        };
        let figures = [
            (1, quiet),
            (2, awake(0, 10)),
            (3, awake(3, 9)),
            (4, awake(5, 20)),
        ];
        // Thread 1 spun once but has been quiet since: it does not count.
        assert_eq!(
            deciding(&figures, MS(20)).map(|d| (d.0, d.2)),
            Some((4, Reading::Busy))
        );
        let starved = [(2, awake(0, 10)), (3, awake(1, 12))];
        assert_eq!(
            deciding(&starved, MS(20)).map(|d| (d.0, d.2)),
            Some((3, Reading::Starved))
        );
        assert_eq!(deciding(&[(1, quiet)], MS(20)), None);
    }

    /// Watches one thread as [`report_idle_cpu`] does; what closed it.
    fn watch(tid: u32) -> Option<Reading> {
        let started = Instant::now();
        let mut w = Watched::new(tid, started).expect("the thread is alive");
        loop {
            std::thread::sleep(LOOK);
            let now = Instant::now();
            w.look(now);
            let decided = deciding(&[(tid, w.figures(now))], now - started);
            if may_close(decided.map(|d| d.2), now - started) {
                return decided.map(|d| d.2);
            }
        }
    }

    #[test]
    fn a_sleeping_thread_closes_the_window_quiet_and_a_spinning_one_busy() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{mpsc, Arc};
        let (wake, asleep) = mpsc::channel::<()>();
        let (tid_tx, tid) = mpsc::channel();
        let sleeper = std::thread::spawn(move || {
            tid_tx.send(current_tid()).unwrap();
            let _ = asleep.recv();
        });
        let sleeping = tid.recv().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (tid_tx, tid) = mpsc::channel();
        let spinner = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                tid_tx.send(current_tid()).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        let spinning = tid.recv().unwrap();
        let readings = (watch(sleeping), watch(spinning));
        stop.store(true, Ordering::Relaxed);
        drop(wake);
        sleeper.join().unwrap();
        spinner.join().unwrap();
        assert_eq!(readings, (None, Some(Reading::Busy)));
    }
}
