//! Search budgets in the judging thread's own CPU time.
//!
//! The engine judges in the parent process, next to other checks and, when
//! grading, next to `--jobs N` other students. A budget in wall time would
//! make a busy machine turn "linearizable" into "ran out of time"; a budget
//! in this thread's CPU time gives every search the same work whatever the
//! load, and a generous wall-time cap keeps a starved judge from waiting
//! forever.

use lincheck::Outcome;
use std::time::{Duration, Instant};

/// However starved the judging thread is, a budget gives up after this many
/// times its CPU allowance in wall time.
const WALL_FACTOR: u32 = 20;

/// CPU time the calling thread has used.
pub fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only into the timespec it is given.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// A CPU-time allowance for a run of searches on the current thread.
#[derive(Debug, Clone, Copy)]
pub struct CpuBudget {
    total: Duration,
    cpu_start: Duration,
    wall_cap: Instant,
}

impl CpuBudget {
    /// Starts an allowance of `total` CPU time on this thread.
    pub fn start(total: Duration) -> CpuBudget {
        CpuBudget {
            total,
            cpu_start: thread_cpu(),
            wall_cap: Instant::now() + total * WALL_FACTOR,
        }
    }

    /// CPU time left, or zero once the wall-time cap has passed.
    pub fn left(&self) -> Duration {
        if Instant::now() >= self.wall_cap {
            return Duration::ZERO;
        }
        self.total
            .saturating_sub(thread_cpu().saturating_sub(self.cpu_start))
    }

    /// Runs `search` with a wall-time budget of `budget`, again while it came
    /// back inconclusive having had less than half of that in CPU (the
    /// machine kept this thread waiting, so the attempt says nothing), until
    /// the wall-time cap.
    pub fn search(&self, budget: Duration, mut search: impl FnMut(Duration) -> Outcome) -> Outcome {
        loop {
            let before = thread_cpu();
            let outcome = search(budget);
            let starved = thread_cpu().saturating_sub(before) * 2 < budget;
            if matches!(outcome, Outcome::Inconclusive { .. })
                && starved
                && Instant::now() < self.wall_cap
            {
                continue;
            }
            return outcome;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeping_uses_no_allowance_and_spinning_does() {
        let budget = CpuBudget::start(Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            budget.left() > Duration::from_millis(80),
            "sleep is not CPU"
        );
        let began = thread_cpu();
        while thread_cpu() - began < Duration::from_millis(120) {
            std::hint::spin_loop();
        }
        assert_eq!(budget.left(), Duration::ZERO);
    }
}
