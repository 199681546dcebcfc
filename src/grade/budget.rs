//! How many submissions may be checked at once without the machine, not
//! the code, deciding the verdicts: every check holds pipes and temporary
//! files (descriptors) and runs `rustc` (memory). `--jobs` above what both
//! allow is capped, with a message, instead of failing checks at random.

use std::sync::OnceLock;

/// Descriptors one submission may hold at its peak in this process: three
/// phases side by side, each spawning with stdout, stderr, exec-status,
/// report and secret pipes (up to 12 descriptors while it forks), plus the
/// working files: at most about 40. (Sampled: 35 for one job, 52 for four.)
pub const FDS_PER_JOB: u64 = 64;
/// Descriptors kept for everything else (stdio, the progress bar, output).
pub const FDS_RESERVED: u64 = 64;
/// Memory one submission may need at once (`rustc` at its peak, then the
/// phases), measured about 250 MiB; rounded up.
pub const BYTES_PER_JOB: u64 = 512 << 20;

/// The number of jobs to run, and why it is less than asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Jobs to run (at least 1).
    pub jobs: usize,
    /// Set when `jobs` is below the request: what capped it.
    pub capped: Option<String>,
}

/// Raises this process's descriptor limit to its hard limit (once); returns
/// the soft limit in force afterwards.
pub fn raise_descriptor_limit() -> u64 {
    static SOFT: OnceLock<u64> = OnceLock::new();
    *SOFT.get_or_init(|| {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we pass.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            // SAFETY: setrlimit reads the struct we pass; raising the soft
            // limit up to the hard one needs no privilege.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim = raised;
            }
        }
        lim.rlim_cur
    })
}

/// Bytes of memory available to new work: the least of the machine's
/// `MemAvailable` and the room left under this cgroup's `memory.max`.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let avail_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let mut avail = avail_kb * 1024;
    let read = |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    if let (Some(max), Some(current)) = (
        read("/sys/fs/cgroup/memory.max"),
        read("/sys/fs/cgroup/memory.current"),
    ) {
        avail = avail.min(max.saturating_sub(current));
    }
    Some(avail)
}

/// The jobs to run for `requested`, given `descriptors` (the soft limit)
/// and `memory` (bytes available, if known).
pub fn plan_for(requested: usize, descriptors: u64, memory: Option<u64>) -> Plan {
    let by_fds = (descriptors.saturating_sub(FDS_RESERVED) / FDS_PER_JOB).max(1);
    let by_memory = memory.map_or(u64::MAX, |m| (m / BYTES_PER_JOB).max(1));
    let allowed = by_fds.min(by_memory);
    let requested = requested.max(1);
    if requested as u64 <= allowed {
        return Plan {
            jobs: requested,
            capped: None,
        };
    }
    let why = if by_fds <= by_memory {
        format!(
            "the descriptor limit ({descriptors} open files, about {FDS_PER_JOB} per submission; \
             raise it with `ulimit -n`)"
        )
    } else {
        format!(
            "the memory available ({} MiB, about {} MiB per submission)",
            memory.unwrap_or(0) >> 20,
            BYTES_PER_JOB >> 20
        )
    };
    Plan {
        jobs: allowed as usize,
        capped: Some(format!(
            "--jobs {requested} capped to {allowed} by {why}; verdicts do not depend on it"
        )),
    }
}

/// The jobs to run for `requested` on this machine (raising the
/// descriptor limit first).
pub fn plan(requested: usize) -> Plan {
    plan_for(requested, raise_descriptor_limit(), available_memory())
}
