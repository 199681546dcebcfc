//! CPU time as the scheduler accounts it, so that timing judgements stay
//! the same on a quiet machine and on one running 30 other jobs.
//!
//! Wall-clock time mixes two things: how long a thread worked, and how long
//! it sat runnable waiting for a core. Only the first says anything about
//! the learner's code. The kernel keeps both apart per thread in
//! `/proc/<pid>/task/<tid>/schedstat` (time on a CPU, time waiting on a run
//! queue, in ns); this module reads them and builds two tools on top:
//! [`FairClock`], wall time discounted by how much of it the threads that
//! wanted a CPU spent waiting for one, and [`report_idle_cpu`], which
//! watches the solution's threads while nobody calls them.

mod idle;

pub use idle::report_idle_cpu;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How the scheduler has treated one thread since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sched {
    /// Time spent running on a CPU.
    pub ran: Duration,
    /// Time spent runnable but waiting for a CPU (zero where the kernel
    /// does not say).
    pub waited: Duration,
    /// How many times it got a CPU (zero where the kernel does not say).
    pub slices: u64,
}

/// The calling thread's id as `/proc` numbers it. Checked programs may run
/// in their own pid namespace under a `/proc` mounted outside it, where
/// `gettid()` gives a number `/proc` does not know; `/proc/thread-self`
/// always names the thread in `/proc`'s own terms.
pub fn current_tid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| link.file_name()?.to_str()?.parse().ok())
        // SAFETY: gettid takes no arguments and cannot fail.
        .unwrap_or_else(|| unsafe { libc::gettid() as u32 })
}

/// What the scheduler says about thread `tid` of this process; `None` once
/// the thread is gone.
pub fn sched(tid: u32) -> Option<Sched> {
    if let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")) {
        let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
        if let (Some(Some(ran)), Some(Some(waited)), Some(Some(slices))) =
            (fields.next(), fields.next(), fields.next())
        {
            return Some(Sched {
                ran: Duration::from_nanos(ran),
                waited: Duration::from_nanos(waited),
                slices,
            });
        }
    }
    // Kernels without schedstat: user + system time in clock ticks, coarse
    // but still CPU time actually used.
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name may hold spaces and parentheses; fields resume after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // After the name: state(0) ... utime is field 14 and stime 15 of the full line.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Sched {
        ran: Duration::from_nanos((utime + stime) * 1_000_000_000 / hz),
        waited: Duration::ZERO,
        slices: 0,
    })
}

/// Wall-clock time that counts only as fast as the process could work.
///
/// Each [`FairClock::advance`] looks at the interval since the last one.
/// The threads that wanted a CPU for at least half of it (running or
/// waiting to run) are the hungry ones; the interval is credited in the
/// proportion of their wanted time that they actually ran. So time in which
/// nothing wants a CPU (every thread blocked: a deadlock) counts in full, a
/// spinning thread that gets a core counts in full, and time in which the
/// machine kept the process's threads waiting for a core counts only for
/// the share they got.
pub struct FairClock {
    /// Which threads to watch: all of this process's but these.
    ignore: BTreeSet<u32>,
    /// Only these, if set.
    only: Option<BTreeSet<u32>>,
    last: Instant,
    seen: BTreeMap<u32, Sched>,
    credited: Duration,
    wall: Duration,
}

impl FairClock {
    /// A clock over every thread of the process except those in `ignore`
    /// (the tool's own sleepers, whose wake-ups say nothing about the
    /// learner's threads).
    pub fn all_but(ignore: &[u32]) -> FairClock {
        FairClock::new(ignore.iter().copied().collect(), None)
    }

    /// A clock over just the threads in `only`.
    pub fn of(only: &[u32]) -> FairClock {
        FairClock::new(BTreeSet::new(), Some(only.iter().copied().collect()))
    }

    fn new(ignore: BTreeSet<u32>, only: Option<BTreeSet<u32>>) -> FairClock {
        let mut clock = FairClock {
            ignore,
            only,
            last: Instant::now(),
            seen: BTreeMap::new(),
            credited: Duration::ZERO,
            wall: Duration::ZERO,
        };
        clock.seen = clock.snapshot();
        clock
    }

    fn snapshot(&self) -> BTreeMap<u32, Sched> {
        let tids: Vec<u32> = match &self.only {
            Some(only) => only.iter().copied().collect(),
            None => crate::threads::live()
                .into_iter()
                .filter(|t| !self.ignore.contains(t))
                .collect(),
        };
        tids.into_iter()
            .filter_map(|t| sched(t).map(|s| (t, s)))
            .collect()
    }

    /// Takes in the time since the last call; returns the credited total.
    pub fn advance(&mut self) -> Duration {
        let now = Instant::now();
        let interval = now - self.last;
        let current = self.snapshot();
        let deltas: Vec<Sched> = current
            .iter()
            .filter_map(|(tid, s)| {
                let before = self.seen.get(tid)?;
                Some(Sched {
                    ran: s.ran.saturating_sub(before.ran),
                    waited: s.waited.saturating_sub(before.waited),
                    slices: s.slices.saturating_sub(before.slices),
                })
            })
            .collect();
        self.credited += credit(interval, &deltas);
        self.wall += interval;
        self.last = now;
        self.seen = current;
        self.credited
    }

    /// Wall time that passed but was not credited: the process was kept
    /// waiting for a CPU.
    pub fn starved(&self) -> Duration {
        self.wall.saturating_sub(self.credited)
    }
}

/// A wait for a CPU longer than this, on average per time on a CPU, means
/// the thread queued behind other work; shorter ones are the latency of
/// waking up, which a thread that sleeps and wakes thousands of times a
/// second piles up even on a quiet machine.
const QUEUED: Duration = Duration::from_millis(1);

/// How much of `interval` counts, given what each thread did in it: in
/// full when no thread was hungry (wanted a CPU for half of it, and queued
/// for it), else in the share of the hungry threads' wanted time that they
/// ran.
fn credit(interval: Duration, deltas: &[Sched]) -> Duration {
    let (mut ran, mut wanted) = (Duration::ZERO, Duration::ZERO);
    for d in deltas {
        let queued = d.waited / d.slices.max(1) as u32 >= QUEUED;
        if queued && (d.ran + d.waited) * 2 >= interval {
            ran += d.ran;
            wanted += d.ran + d.waited;
        }
    }
    if wanted.is_zero() {
        return interval;
    }
    interval.mul_f64((ran.as_secs_f64() / wanted.as_secs_f64()).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// A thread's figures for an interval, waiting in one go.
    fn d(ran: u64, waited: u64) -> Sched {
        Sched {
            ran: MS(ran),
            waited: MS(waited),
            slices: 1,
        }
    }

    #[test]
    fn a_thread_reads_its_own_cpu_time() {
        let me = current_tid();
        let before = sched(me).expect("own thread is readable");
        let started = Instant::now();
        while started.elapsed() < MS(30) {
            std::hint::spin_loop();
        }
        let after = sched(me).expect("own thread is readable");
        assert!(after.ran >= before.ran, "{before:?} then {after:?}");
        assert!(crate::threads::live().contains(&me));
        assert!(sched(u32::MAX).is_none());
    }

    #[test]
    fn time_counts_in_full_when_nothing_waits_for_a_cpu() {
        // A deadlock: everything asleep, or waking only briefly.
        assert_eq!(credit(MS(20), &[]), MS(20));
        assert_eq!(credit(MS(20), &[d(0, 0), d(1, 3), d(2, 5)]), MS(20));
        // A spinning thread that has its core.
        assert_eq!(credit(MS(20), &[d(20, 0), d(0, 0)]), MS(20));
    }

    #[test]
    fn time_counts_for_the_share_the_hungry_threads_got() {
        // A spinner sharing a core with four others gets a fifth of it.
        assert_eq!(credit(MS(100), &[d(20, 80)]), MS(20));
        // A process kept off the CPU altogether: nothing counts.
        assert_eq!(credit(MS(100), &[d(0, 100), d(0, 60)]), MS(0));
        // Threads that wanted little are left out of the share.
        assert_eq!(credit(MS(100), &[d(50, 50), d(1, 9)]), MS(50));
    }

    #[test]
    fn wake_up_latency_is_not_starvation() {
        // A thread that sleeps 200 µs at a time, woken 400 times in 100 ms,
        // waiting 150 µs for a CPU at each wake-up.
        let sleeper = Sched {
            ran: Duration::from_millis(2),
            waited: Duration::from_micros(400 * 150),
            slices: 400,
        };
        assert_eq!(credit(MS(100), &[sleeper]), MS(100));
        // The same waits, five of them: queued behind other work.
        let queued = Sched {
            slices: 5,
            ..sleeper
        };
        assert!(credit(MS(100), &[queued]) < MS(10));
    }
}
