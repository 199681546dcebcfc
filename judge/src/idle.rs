//! `busy-loop`: the idle windows the harness watched, and what they show.

use crate::checks::{count_of, not_checked_because};
use crate::protocol::{AwakeThread, Record};
use crate::report::{CheckId, CheckResult};
use crate::run::PhaseRun;

/// CPU time (µs) that only a thread that keeps running while nobody calls
/// it uses in an idle window: waking up to finish the last command takes
/// microseconds. The harness closes its windows by the same figure
/// (`harness/src/cpu/idle.rs`, `BUSY_CPU`).
const BUSY_CPU_US: u64 = 2_000;
/// A spinning thread is runnable (on a CPU or waiting for one) for the
/// whole window, however loaded the machine; to count as spinning, a
/// thread must have been runnable for at least 1/`SHARE` of it. The
/// harness's `SHARE`.
const SHARE: u64 = 4;

/// What one idle window showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleReading {
    /// Every thread slept, or woke only briefly.
    Slept,
    /// A thread kept running: it used [`BUSY_CPU_US`] of CPU and was
    /// runnable for a quarter of the window at least.
    Spun,
    /// A thread was runnable that long but the machine gave it too little
    /// CPU to tell spinning from a slow wake-up, even after the window was
    /// stretched.
    TooLoaded,
}

/// One idle window of the harness (a `cpu` record) and its reading.
#[derive(Debug, Clone, Copy)]
pub struct IdleWindow<'a> {
    /// What came just before it ("after a read").
    pub when: &'a str,
    /// How long it lasted (µs).
    pub window_us: u64,
    /// How many threads were watched.
    pub threads: u64,
    /// The CPU time they used in it, all together (µs).
    pub used_us: u64,
    /// The thread that decides it, if one was awake at its close.
    pub awake: Option<&'a AwakeThread>,
    /// What it shows.
    pub reading: IdleReading,
}

impl IdleWindow<'_> {
    /// "the worker" when one thread was watched, else the deciding thread
    /// by name ("your thread 'pool-1'", "one of your threads").
    pub fn who(&self) -> String {
        match self.awake {
            _ if self.threads == 1 => "the worker".into(),
            Some(t) if t.name != "unnamed" && t.name != "?" => format!("thread '{}'", t.name),
            _ => "one of your threads".into(),
        }
    }

    /// What the deciding thread did: "used 9.8 ms of CPU in 10.0 ms and was
    /// running or waiting for a core for 10.0 ms of it".
    pub fn figures(&self) -> String {
        let (ran, runnable) = self.awake.map_or((0, 0), |t| (t.ran_us, t.runnable_us));
        format!(
            "used {} of CPU in {} and was running or waiting for a core for {} of it",
            ms_us(ran),
            ms_us(self.window_us),
            ms_us(runnable.min(self.window_us))
        )
    }
}

/// Microseconds as "9.8 ms".
pub fn ms_us(us: u64) -> String {
    format!("{}.{} ms", us / 1000, us % 1000 / 100)
}

/// The idle windows of a run, in order, each with its reading.
pub fn idle_windows(run: &PhaseRun) -> Vec<IdleWindow<'_>> {
    run.records
        .iter()
        .filter_map(|r| match r {
            Record::Cpu {
                when,
                window_us,
                threads,
                used_us,
                awake,
            } => {
                let reading = match awake {
                    Some(t) if t.runnable_us * SHARE < *window_us => IdleReading::Slept,
                    Some(t) if t.ran_us >= BUSY_CPU_US => IdleReading::Spun,
                    Some(_) => IdleReading::TooLoaded,
                    None => IdleReading::Slept,
                };
                Some(IdleWindow {
                    when,
                    window_us: *window_us,
                    threads: *threads,
                    used_us: *used_us,
                    awake: awake.as_ref(),
                    reading,
                })
            }
            _ => None,
        })
        .collect()
}

/// `busy-loop`: the solution's threads slept while nobody called. Judged
/// from the kernel's accounting of each thread: a spinning thread is
/// runnable all the time and keeps using CPU; a thread waiting for a CPU
/// on a loaded machine is runnable but uses none, so load alone never makes
/// a thread busy (it stretches the window, up to a cap, and then says the
/// machine was too loaded).
pub fn busy_loop(run: &PhaseRun) -> CheckResult {
    let windows = idle_windows(run);
    if let Some(w) = windows.iter().find(|w| w.reading == IdleReading::Spun) {
        return CheckResult::fail(
            CheckId::BUSY_LOOP,
            format!(
                "while nobody called it ({}), {} spins instead of blocking: it {}, where a \
                 thread blocked in recv is not run at all (try_recv in a loop, or select! with \
                 a default arm?)",
                w.when,
                w.who(),
                w.figures(),
            ),
        );
    }
    if windows.is_empty() {
        return not_checked_because(CheckId::BUSY_LOOP, &[run]);
    }
    if let Some(w) = windows.iter().find(|w| w.reading == IdleReading::TooLoaded) {
        return CheckResult::not_checked(CheckId::BUSY_LOOP, too_loaded(w));
    }
    let quiet = quiet_windows(&windows);
    let message = match windows.last().map(|w| w.threads) {
        Some(0) => format!(
            "start() spawned no thread, so nothing could spin while nobody called ({quiet})"
        ),
        Some(n @ 2..) => {
            format!("the {n} threads start() spawned slept while nobody called ({quiet})")
        }
        _ => format!("the idle worker slept ({quiet})"),
    };
    CheckResult::pass(CheckId::BUSY_LOOP, message)
}

/// The "not checked" sentence of a window that stayed undecided.
pub fn too_loaded(w: &IdleWindow) -> String {
    let (ran, runnable) = w.awake.map_or((0, 0), |t| (t.ran_us, t.runnable_us));
    format!(
        "not checked (the machine was too loaded to judge): {} ({}) was ready to run for {} \
         of {} but got only {} of CPU, too little to tell spinning from a slow wake-up",
        w.who(),
        w.when,
        ms_us(runnable.min(w.window_us)),
        ms_us(w.window_us),
        ms_us(ran)
    )
}

/// "2 windows of 12.3 ms in all, 0.1 ms of CPU": how long the windows
/// watched and what the threads used.
pub fn quiet_windows(windows: &[IdleWindow]) -> String {
    let total: u64 = windows.iter().map(|w| w.window_us).sum();
    let used: u64 = windows.iter().map(|w| w.used_us).sum();
    format!(
        "{} of {} in all, {} of CPU",
        count_of(windows.len(), "window"),
        ms_us(total),
        ms_us(used)
    )
}
