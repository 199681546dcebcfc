//! Isolation primitives for running one untrusted command (a `rustc`
//! compiling a student's file, or the compiled student binary).
//!
//! # Usage
//!
//! ```no_run
//! use std::process::Command;
//! use threadlings::sandbox::{Limits, Policy, Sandbox};
//!
//! let dir = std::path::PathBuf::from("/tmp/submission-42");
//! let mut cmd = Command::new(dir.join("student-bin"));
//! cmd.current_dir(&dir);
//! let policy = Policy::new(&dir, Limits::for_run());
//! let active = Sandbox::probe().apply(&mut cmd, &policy).expect("sandbox");
//! println!("{}", serde_json::to_string(&active).unwrap());
//! let child = cmd.spawn().expect("spawn"); // the engine supervises it
//! # drop(child);
//! ```
//!
//! [`Sandbox::apply`] configures an already prepared [`Command`]: it puts
//! the child in its own process group (`process_group(0)`, so the engine
//! can `kill(-pgid)`), adds a few environment variables (`MALLOC_ARENA_MAX`,
//! `RUST_MIN_STACK`, `TMPDIR`) and installs a `pre_exec` hook. Everything
//! that allocates (the Landlock ruleset, uid maps, mount plan, C strings) is
//! prepared in the parent; the hook only makes raw system calls.
//!
//! # Process layout
//!
//! ```text
//! engine ── A  (the spawned pid, process-group leader; waits, mirrors status)
//!           └─ B  (PID 1 of a new PID namespace; reaps, reports C's status to A)
//!              └─ C  (rlimits + Landlock, then exec of the real command)
//! ```
//!
//! When C exits, B exits too and the kernel kills everything left in the PID
//! namespace (also grandchildren that called `setsid`). A exits with C's
//! status (same exit code, or the same terminating signal). B and C carry
//! `PR_SET_PDEATHSIG(SIGKILL)`, so killing A (or the process group) tears the
//! whole tree down.
//!
//! # Protections (see [`Protections`])
//!
//! * `landlock_fs`: read+execute beneath [`Policy::readable`] (plus the
//!   toolchain defaults of [`default_readable`]), read+write beneath
//!   [`Policy::writable`]; everything else is denied, `/proc` included.
//! * `landlock_net` (Landlock ABI ≥ 4): TCP bind/connect denied.
//!   `landlock_scopes` (ABI ≥ 6): no signals to, and no abstract unix sockets of,
//!   processes outside the sandbox.
//! * `net_namespace`: a fresh network namespace (only a down loopback).
//! * `pid_namespace`: see above.
//! * `unprivileged_uid`: as root the command runs as [`Sandbox::uid`]
//!   (65534 by default), so `RLIMIT_NPROC` binds (the kernel exempts uid 0).
//!   The writable directory is `chown`ed to that uid. Readable paths
//!   hidden behind a directory the uid cannot traverse (e.g. a rustup
//!   toolchain under `/root`, mode 0700) are made reachable in a private
//!   mount namespace: a tmpfs replaces the hiding directory and the needed
//!   paths are bind-mounted back (`mount_namespace`).
//! * `user_namespace`: the uid is mapped into a fresh user namespace, which
//!   makes `RLIMIT_NPROC` count per run instead of per uid machine-wide.
//!   Without root, or as root without CAP_SYS_ADMIN (a container's
//!   default), this is also what makes network/PID namespaces possible.
//! * `rlimits`: CPU seconds, file size, open files, address space, core
//!   dumps (0) and processes/threads (`RLIMIT_NPROC`; it only binds when
//!   the process is not (real) root, i.e. when `unprivileged_uid` is active
//!   or the engine does not run as root).
//!
//! Whatever the kernel lacks is skipped; the returned [`Protections`] say
//! exactly what is on.
//!
//! # Requirements on the `Command`
//!
//! * Do not call `Command::uid`/`gid` on it (the sandbox picks the uid).
//! * For compiling, run the toolchain's own `rustc`
//!   (`rustc_sysroot()/bin/rustc`), not the rustup proxy, which would need
//!   `~/.rustup` and `~/.cargo`. Point `TMPDIR` at the writable directory
//!   (done by default, [`Policy::set_tmpdir`]).
//! * Readable files must be readable by the sandbox uid by their mode
//!   (world-readable); hidden *ancestors* are handled by the mount plan.
//! * Inherited fds (stdio, the harness's report pipe) reach the command
//!   unchanged; the helper processes close theirs.
//!
//! # Costs and caveats
//!
//! `apply` itself takes ~0.1 ms; spawning `/bin/true` through the sandbox
//! takes ~2.5–3.5 ms instead of ~0.7 ms (mostly creating and tearing down the
//! namespaces and the two extra forks). `/proc` is not readable by the
//! command (Landlock), which rustc, cc and Rust programs tolerate. When the
//! user namespace is unavailable but the engine runs as root, concurrent runs
//! under the same uid share one `RLIMIT_NPROC` count: use
//! [`Sandbox::with_ids`] with distinct ids per concurrent run.

mod child;
mod paths;

use std::collections::BTreeSet;
use std::ffi::{CString, OsStr};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreatedAttr, Scope,
};
use serde::{Deserialize, Serialize};

use child::ChildPlan;
use paths::{canonical, chown_tree, mount_plan};
pub use paths::{default_readable, rustc_sysroot};

/// The uid/gid `nobody`, used by default for the untrusted command when the
/// engine runs as root.
pub const DEFAULT_SANDBOX_ID: u32 = 65534;

/// Resource limits of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// `RLIMIT_CPU` (soft; the hard limit is one second more).
    pub cpu_seconds: u64,
    /// `RLIMIT_AS`: address space, virtual reservations included.
    pub memory_bytes: u64,
    /// `RLIMIT_FSIZE`.
    pub file_size_bytes: u64,
    /// `RLIMIT_NOFILE`.
    pub open_files: u64,
    /// Processes plus threads the command may have at once (its own main
    /// thread included). The sandbox's two helper processes are added on top.
    pub processes: u64,
    /// If set, `RUST_MIN_STACK` for the command (default stack of threads
    /// spawned by Rust's std), unless the engine already set it. Keep it
    /// `None` for `rustc`, which reads this variable for its own threads.
    pub thread_stack_bytes: Option<u64>,
}

impl Limits {
    /// Limits for running a compiled student binary (up to ~50 threads).
    pub fn for_run() -> Self {
        Limits {
            cpu_seconds: 10,
            memory_bytes: 512 << 20,
            file_size_bytes: 16 << 20,
            open_files: 256,
            processes: 64,
            thread_stack_bytes: Some(1 << 20),
        }
    }

    /// Limits for `rustc` compiling one file (rustc spawns `cc` and `ld`).
    pub fn for_compile() -> Self {
        Limits {
            cpu_seconds: 60,
            memory_bytes: 4 << 30,
            file_size_bytes: 256 << 20,
            open_files: 1024,
            processes: 64,
            thread_stack_bytes: None,
        }
    }
}

/// What one run may touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The submission's own directory: the only writable place. It should be
    /// the command's current directory. As root it is `chown`ed (recursively)
    /// to the sandbox uid.
    pub writable: PathBuf,
    /// Extra read+execute paths (e.g. the precompiled harness rlibs). The
    /// toolchain defaults of [`default_readable`] are always added.
    pub readable: Vec<PathBuf>,
    /// Resource limits.
    pub limits: Limits,
    /// Allow network access (no network namespace, no Landlock TCP rules).
    pub network: bool,
    /// Set `TMPDIR` to `writable` unless the command already sets it.
    pub set_tmpdir: bool,
}

impl Policy {
    /// A policy with no extra readable paths, no network, `TMPDIR` set.
    pub fn new(writable: impl Into<PathBuf>, limits: Limits) -> Self {
        Policy {
            writable: writable.into(),
            readable: Vec::new(),
            limits,
            network: false,
            set_tmpdir: true,
        }
    }

    /// Adds a read+execute path.
    pub fn readable(mut self, path: impl Into<PathBuf>) -> Self {
        self.readable.push(path.into());
        self
    }
}

/// Which protections are (or would be) active for a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protections {
    /// Landlock filesystem restriction.
    pub landlock_fs: bool,
    /// Landlock TCP bind/connect denial (ABI ≥ 4).
    pub landlock_net: bool,
    /// Landlock signal / abstract-unix-socket scoping (ABI ≥ 6).
    pub landlock_scopes: bool,
    /// New network namespace.
    pub net_namespace: bool,
    /// New PID namespace (all descendants die with the run).
    pub pid_namespace: bool,
    /// New user namespace.
    pub user_namespace: bool,
    /// Private mount namespace (used to expose hidden readable paths).
    pub mount_namespace: bool,
    /// The command runs as a non-root uid (so `RLIMIT_NPROC` binds).
    pub unprivileged_uid: bool,
    /// rlimits set (CPU, file size, open files, address space, core, nproc).
    pub rlimits: bool,
    /// The kernel's Landlock ABI version (0: none).
    pub landlock_abi: u8,
}

/// Failures while preparing the sandbox (in the parent). Failures inside
/// the child surface as the `io::Error` of `Command::spawn`.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A path of the policy does not exist or cannot be resolved.
    #[error("sandbox path {path}: {source}")]
    Path {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Building the Landlock ruleset failed.
    #[error("landlock ruleset: {0}")]
    Landlock(#[from] landlock::RulesetError),
    /// A path contains a NUL byte.
    #[error("path contains a NUL byte: {0}")]
    Nul(PathBuf),
    /// `chown` of the writable directory to the sandbox uid failed.
    #[error("chown {path} to the sandbox uid: {source}")]
    Chown {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Opening a path for a bind mount failed.
    #[error("open {path}: {source}")]
    Open {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The probed capabilities of this machine, and the uid/gid to run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// Effective uid of this process is 0.
    pub is_root: bool,
    /// Landlock ABI version (0: not available).
    pub landlock_abi: u8,
    /// A user namespace can be created (after dropping to the sandbox uid
    /// when root).
    pub user_namespace: bool,
    /// A network namespace can be created.
    pub net_namespace: bool,
    /// A PID namespace can be created.
    pub pid_namespace: bool,
    /// A mount namespace can be created (root only).
    pub mount_namespace: bool,
    /// The network and PID namespaces can only be created inside the user
    /// namespace (root without CAP_SYS_ADMIN, as in a container).
    pub namespaces_in_user: bool,
    /// The uid the command runs as when this process is root.
    pub uid: u32,
    /// The gid the command runs as when this process is root.
    pub gid: u32,
}

static PROBED: OnceLock<Sandbox> = OnceLock::new();

impl Sandbox {
    /// What this machine supports (probed once, in a short-lived forked
    /// child, then cached). Runs as uid/gid [`DEFAULT_SANDBOX_ID`] when root.
    pub fn probe() -> &'static Sandbox {
        PROBED.get_or_init(|| {
            // SAFETY: geteuid has no preconditions.
            let is_root = unsafe { libc::geteuid() } == 0;
            let (uid, gid) = if is_root {
                (DEFAULT_SANDBOX_ID, DEFAULT_SANDBOX_ID)
            } else {
                // SAFETY: geteuid/getegid have no preconditions.
                unsafe { (libc::geteuid(), libc::getegid()) }
            };
            let bits = child::probe_namespaces(is_root, uid, gid);
            Sandbox {
                is_root,
                landlock_abi: child::landlock_abi(),
                user_namespace: bits & child::PROBE_USER != 0,
                net_namespace: bits & child::PROBE_NET != 0,
                pid_namespace: bits & child::PROBE_PID != 0,
                mount_namespace: bits & child::PROBE_MOUNT != 0,
                namespaces_in_user: bits & child::PROBE_NS_IN_USER != 0,
                uid: DEFAULT_SANDBOX_ID,
                gid: DEFAULT_SANDBOX_ID,
            }
        })
    }

    /// The same capabilities, but running the command as `uid`/`gid` (when
    /// root). Use distinct ids per concurrent run if the user namespace is
    /// unavailable, since `RLIMIT_NPROC` then counts per uid machine-wide.
    pub fn with_ids(&self, uid: u32, gid: u32) -> Sandbox {
        Sandbox {
            uid,
            gid,
            ..self.clone()
        }
    }

    /// The protections [`Sandbox::apply`] turns on here for a policy
    /// without network (mount namespace: if needed, reported by `apply`).
    pub fn protections(&self) -> Protections {
        self.protections_for(false, false)
    }

    fn protections_for(&self, network: bool, mounts: bool) -> Protections {
        let drop_uid = self.is_root && self.uid != 0;
        let user_namespace = self.user_namespace;
        // Without root, network/PID namespaces need the user namespace.
        let ns_ok = self.is_root || user_namespace;
        Protections {
            landlock_fs: self.landlock_abi >= 1,
            landlock_net: !network && self.landlock_abi >= 4,
            landlock_scopes: self.landlock_abi >= 6,
            net_namespace: !network && ns_ok && self.net_namespace,
            pid_namespace: ns_ok && self.pid_namespace,
            user_namespace,
            mount_namespace: mounts && self.is_root && self.mount_namespace,
            unprivileged_uid: drop_uid || !self.is_root,
            rlimits: true,
            landlock_abi: self.landlock_abi,
        }
    }

    /// Adds the isolation of `policy` to `cmd` (process group, environment,
    /// `pre_exec` hook). Returns what will be active once `cmd` is spawned.
    ///
    /// Errors are reported for what can fail in the parent (paths, Landlock
    /// ruleset, chown); failures in the child make `cmd.spawn()` fail.
    pub fn apply(&self, cmd: &mut Command, policy: &Policy) -> Result<Protections, SandboxError> {
        let writable = canonical(&policy.writable)?;
        let drop_uid = self.is_root && self.uid != 0;

        let mut readable: Vec<PathBuf> = Vec::new();
        for p in &policy.readable {
            readable.push(canonical(p)?);
        }
        for p in default_readable() {
            if let Ok(c) = p.canonicalize() {
                readable.push(c);
            }
        }
        readable.sort();
        readable.dedup();

        // Mount plan: paths the sandbox uid cannot reach (root only).
        let mut mounts = Vec::new();
        if drop_uid && self.mount_namespace {
            let mut wanted: Vec<(PathBuf, bool)> =
                readable.iter().map(|p| (p.clone(), false)).collect();
            wanted.push((writable.clone(), true));
            mount_plan(&wanted, self.uid, self.gid, &mut mounts)?;
        }
        let protections = self.protections_for(policy.network, !mounts.is_empty());

        if drop_uid {
            chown_tree(&writable, self.uid, self.gid)?;
        }

        let ruleset = if protections.landlock_fs {
            Some(self.landlock_ruleset(&readable, &writable, policy.network)?)
        } else {
            None
        };

        // Environment.
        let already: BTreeSet<&OsStr> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k)
            .collect();
        let mut env: Vec<(&str, String)> = vec![("MALLOC_ARENA_MAX", "2".to_string())];
        if let Some(stack) = policy.limits.thread_stack_bytes {
            env.push(("RUST_MIN_STACK", stack.to_string()));
        }
        if policy.set_tmpdir {
            env.push(("TMPDIR", writable.to_string_lossy().into_owned()));
        }
        let env: Vec<_> = env
            .into_iter()
            .filter(|(k, _)| !already.contains(OsStr::new(k)))
            .collect();
        for (k, v) in env {
            cmd.env(k, v);
        }

        let (uid, gid) = if drop_uid {
            (self.uid, self.gid)
        } else {
            // SAFETY: getuid/getgid have no preconditions.
            unsafe { (libc::geteuid(), libc::getegid()) }
        };
        let l = &policy.limits;
        let plan = ChildPlan {
            is_root: self.is_root,
            drop_uid,
            uid,
            gid,
            user_namespace: protections.user_namespace,
            net_namespace: protections.net_namespace,
            pid_namespace: protections.pid_namespace,
            ns_in_user: self.namespaces_in_user,
            mounts,
            uid_map: CString::new(format!("{uid} {uid} 1\n")).expect("no NUL"),
            gid_map: CString::new(format!("{gid} {gid} 1\n")).expect("no NUL"),
            landlock_fd: ruleset,
            rlimits: [
                (
                    libc::RLIMIT_CPU,
                    l.cpu_seconds,
                    l.cpu_seconds.saturating_add(1),
                ),
                (libc::RLIMIT_FSIZE, l.file_size_bytes, l.file_size_bytes),
                (libc::RLIMIT_NOFILE, l.open_files, l.open_files),
                (libc::RLIMIT_AS, l.memory_bytes, l.memory_bytes),
                (libc::RLIMIT_CORE, 0, 0),
                // + the two helper processes A and B (same uid).
                (
                    libc::RLIMIT_NPROC,
                    l.processes.saturating_add(2),
                    l.processes.saturating_add(2),
                ),
            ],
        };
        cmd.process_group(0);
        // SAFETY: the hook only performs raw system calls on data prepared
        // above (no allocation, no locks), see `child::run`.
        unsafe {
            cmd.pre_exec(move || child::run(&plan));
        }
        Ok(protections)
    }

    fn landlock_ruleset(
        &self,
        readable: &[PathBuf],
        writable: &Path,
        network: bool,
    ) -> Result<OwnedFd, SandboxError> {
        let abi = ABI::from(i32::from(self.landlock_abi));
        let mut rs = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(AccessFs::from_all(abi))?;
        if !network && self.landlock_abi >= 4 {
            rs = rs.handle_access(AccessNet::from_all(abi))?;
        }
        if self.landlock_abi >= 6 {
            rs = rs.scope(Scope::from_all(abi))?;
        }
        let mut created = rs.create()?;
        let read = AccessFs::from_read(abi);
        for p in readable {
            let fd = PathFd::new(p).map_err(|e| SandboxError::Path {
                path: p.clone(),
                source: std::io::Error::other(e),
            })?;
            let access = if p.is_dir() {
                read
            } else {
                read & AccessFs::from_file(abi)
            };
            created = created.add_rule(PathBeneath::new(fd, access))?;
        }
        for (p, access) in [
            (Path::new("/dev/null"), AccessFs::from_file(abi)),
            (Path::new("/dev/zero"), AccessFs::from_file(abi)),
            (writable, AccessFs::from_all(abi)),
        ] {
            if let Ok(fd) = PathFd::new(p) {
                created = created.add_rule(PathBeneath::new(fd, access))?;
            }
        }
        let fd: Option<OwnedFd> = created.into();
        fd.ok_or_else(|| SandboxError::Path {
            path: writable.to_path_buf(),
            source: std::io::Error::other("landlock ruleset has no fd"),
        })
    }
}
