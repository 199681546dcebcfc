//! Bounds on a checked program that runs without the grading sandbox
//! (`threadlings check` and the tutor): a thread or process spawned per loop
//! iteration, an easy mistake, must not take the learner's machine.
//!
//! What bounds what, for any uid:
//! * the supervisor counts the program's threads every 20 ms and kills its
//!   process group past [`MAX_THREADS`], with a verdict that says so;
//! * `RLIMIT_AS` caps memory, and with it threads between two counts: each
//!   thread reserves its stack (1 MiB here, through `RUST_MIN_STACK`), so
//!   one process cannot reach pid exhaustion (32 768 on many systems);
//! * `RLIMIT_NPROC` caps processes and threads for a non-root uid. It counts
//!   every task of the uid machine-wide, so it is set to what the uid runs
//!   now plus a margin, not to a per-run number; the kernel ignores it for
//!   root, where the thread count and the process-group kill remain.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Threads the checked program may have at once. The harness needs about
/// ten (clients, watchdog); a solution adds its worker or a few.
pub const MAX_THREADS: usize = 64;
/// Address space of the checked program.
const ADDRESS_SPACE: u64 = 1 << 30;
/// Default stack of threads spawned by Rust's std in the checked program.
const THREAD_STACK: u64 = 1 << 20;
/// Tasks a non-root uid may start beyond what it runs already: the three
/// phases side by side, each up to [`MAX_THREADS`], with room to spare.
const NPROC_MARGIN: u64 = 4 * MAX_THREADS as u64;

/// Sets the limits on `cmd` (applied in the child before exec).
pub fn apply(cmd: &mut Command) {
    if std::env::var_os("RUST_MIN_STACK").is_none() {
        cmd.env("RUST_MIN_STACK", THREAD_STACK.to_string());
    }
    // glibc reserves 64 MiB of address space per malloc arena; a few
    // arenas are plenty for a handful of threads, and leave room under
    // RLIMIT_AS for real use.
    cmd.env("MALLOC_ARENA_MAX", "2");
    // RLIMIT_NPROC counts by real uid. SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let nproc = (uid != 0).then(|| tasks_of(uid) + NPROC_MARGIN);
    // SAFETY: setrlimit is async-signal-safe, and the closure allocates
    // nothing.
    unsafe {
        cmd.pre_exec(move || {
            lower(libc::RLIMIT_AS, ADDRESS_SPACE)?;
            if let Some(nproc) = nproc {
                lower(libc::RLIMIT_NPROC, nproc)?;
            }
            Ok(())
        });
    }
}

/// Lowers a limit (soft and hard) to `value`, never raising it.
fn lower(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let mut now = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `now` is a valid rlimit to fill in.
    if unsafe { libc::getrlimit(resource, &mut now) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let limit = libc::rlimit {
        rlim_cur: now.rlim_cur.min(value),
        rlim_max: now.rlim_max.min(value),
    };
    // SAFETY: `limit` is a valid rlimit.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Every task (thread) of processes whose real uid is `uid`, as
/// `RLIMIT_NPROC` counts them.
fn tasks_of(uid: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut tasks = 0;
    for entry in dir.flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if field("Uid:") == Some(u64::from(uid)) {
            tasks += field("Threads:").unwrap_or(1);
        }
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_counts_among_its_uids_tasks() {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        assert!(tasks_of(uid) >= 1);
    }
}
