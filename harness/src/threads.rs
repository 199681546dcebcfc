//! Looking at this process's threads from the inside, through /proc.

use crate::cpu::FairClock;
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

/// Threads alive now that were not in `baseline`, waiting up to `window`
/// for them to go: a thread that has just been joined takes a moment to
/// vanish. The window is counted on a [`FairClock`] over the leftover
/// threads, so a thread that is still finishing its exit but is kept
/// waiting for a CPU by a loaded machine gets its full window of CPU
/// chances (up to [`LEFTOVER_WALL_CAP`] of wall time) before it counts.
pub fn leftover(baseline: &BTreeSet<u32>, window: Duration) -> Vec<u32> {
    let started = Instant::now();
    let mut clock: Option<FairClock> = None;
    loop {
        let extra: Vec<u32> = live().difference(baseline).copied().collect();
        if extra.is_empty() {
            return extra;
        }
        let clock = clock.get_or_insert_with(|| FairClock::of(&extra));
        if clock.advance() >= window || started.elapsed() >= LEFTOVER_WALL_CAP {
            return extra;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// However starved the process is, a leftover thread is reported after
/// this much wall time.
pub const LEFTOVER_WALL_CAP: Duration = Duration::from_secs(5);

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
