//! Looking at this process's threads from the inside, through /proc.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The ids of every live thread of this process.
pub fn live() -> BTreeSet<u32> {
    let mut ids = BTreeSet::new();
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for entry in dir.flatten() {
            if let Some(id) = entry.file_name().to_str().and_then(|s| s.parse().ok()) {
                ids.insert(id);
            }
        }
    }
    ids
}

/// The name the kernel shows for a thread (its first 15 bytes), or
/// `unnamed` for a thread spawned without a name (it shows the program's).
pub fn name(tid: u32) -> String {
    let read = |path: String| std::fs::read_to_string(path).map(|s| s.trim().to_string());
    match (
        read(format!("/proc/self/task/{tid}/comm")),
        read("/proc/self/comm".into()),
    ) {
        (Ok(name), Ok(program)) if name == program => "unnamed".into(),
        (Ok(name), _) => name,
        _ => "?".into(),
    }
}

/// CPU time a thread has used, in clock ticks (user + system).
pub fn cpu_ticks(tid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name may hold spaces and parentheses; fields resume after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // After the name: state(0) ... utime is field 14 and stime 15 of the full line.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Whether the kernel has the thread running or ready to run (state `R`)
/// rather than sleeping. A spinning thread is `R` even while another
/// process holds the core, so this does not depend on machine load.
pub fn runnable(tid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 2..];
            rest.chars().next()
        })
        == Some('R')
}

/// Threads alive now that were not in `baseline`, waiting up to `window` for
/// them to go: a thread that has just been joined takes a moment to vanish.
pub fn leftover(baseline: &BTreeSet<u32>, window: Duration) -> Vec<u32> {
    let deadline = Instant::now() + window;
    loop {
        let extra: Vec<u32> = live().difference(baseline).copied().collect();
        if extra.is_empty() || Instant::now() >= deadline {
            return extra;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Reports leftover threads as `leak\t<where>\t<count>\t<names>`.
pub fn report_leftover(place: &str, baseline: &BTreeSet<u32>) -> usize {
    let extra = leftover(baseline, Duration::from_millis(150));
    let names: Vec<String> = extra.iter().map(|&t| name(t)).collect();
    crate::report::send(
        "leak",
        &[
            place,
            &extra.len().to_string(),
            &crate::report::escape(&names.join(",")),
        ],
    );
    extra.len()
}

/// The threads alive now that were not in `baseline`: the solution's own.
pub fn spawned_since(baseline: &BTreeSet<u32>) -> Vec<u32> {
    live().difference(baseline).copied().collect()
}

/// Reports the threads `start()` spawned as `threads\t<count>\t<names>`.
pub fn report_spawned(baseline: &BTreeSet<u32>) {
    let spawned = spawned_since(baseline);
    let names: Vec<String> = spawned.iter().map(|&t| name(t)).collect();
    crate::report::send(
        "threads",
        &[
            &spawned.len().to_string(),
            &crate::report::escape(&names.join(",")),
        ],
    );
}

/// Watches the solution's threads (those not in `baseline`) for 300 ms
/// while nobody calls, and reports
/// `cpu\t<window ms>\t<ticks>\t<runnable samples>\t<samples>\t<threads>`:
/// a worker blocked in `recv` is asleep at every sample, a spinning one is
/// not; `threads` is how many were watched (none if `start()` spawned none).
pub fn report_idle_cpu(baseline: &BTreeSet<u32>) {
    let spawned = spawned_since(baseline);
    let used = |ids: &[u32]| ids.iter().filter_map(|&t| cpu_ticks(t)).sum::<u64>();
    let window = Duration::from_millis(300);
    let before = used(&spawned);
    let started = Instant::now();
    let (mut runnable_samples, mut samples) = (0u32, 0u32);
    while started.elapsed() < window {
        std::thread::sleep(Duration::from_millis(5));
        samples += 1;
        if spawned.iter().any(|&t| runnable(t)) {
            runnable_samples += 1;
        }
    }
    let after = used(&spawned);
    crate::report::send(
        "cpu",
        &[
            &started.elapsed().as_millis().to_string(),
            &(after - before.min(after)).to_string(),
            &runnable_samples.to_string(),
            &samples.to_string(),
            &spawned.len().to_string(),
        ],
    );
}
