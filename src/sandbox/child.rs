//! The code that runs between `fork` and `exec` (and the namespace probe).
//!
//! Everything here runs in a forked child of a possibly multi-threaded
//! parent: only raw system calls on data prepared by the parent, no
//! allocation, no locks.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr;

pub(super) const PROBE_USER: i32 = 1;
pub(super) const PROBE_NET: i32 = 2;
pub(super) const PROBE_PID: i32 = 4;
pub(super) const PROBE_MOUNT: i32 = 8;
/// As root without CAP_SYS_ADMIN: network and PID namespaces can still be
/// made inside the user namespace (after dropping the uid).
pub(super) const PROBE_NS_IN_USER: i32 = 16;

/// One step of the mount plan (root only).
#[derive(Debug)]
pub(super) enum MountOp {
    /// Mount an empty tmpfs (mode 0755) over this directory.
    Tmpfs(CString),
    /// Create this directory (in a tmpfs).
    Mkdir(CString),
    /// Bind-mount `path` back at the same place (it was cloned with
    /// `open_tree` before the tmpfs hid it).
    Bind {
        path: CString,
        is_dir: bool,
        read_only: bool,
    },
}

/// Everything the child needs, prepared by the parent.
#[derive(Debug)]
pub(super) struct ChildPlan {
    pub is_root: bool,
    pub drop_uid: bool,
    pub uid: u32,
    pub gid: u32,
    pub user_namespace: bool,
    pub net_namespace: bool,
    pub pid_namespace: bool,
    /// Create the network/PID namespaces inside the user namespace (root
    /// without CAP_SYS_ADMIN) instead of before dropping the uid.
    pub ns_in_user: bool,
    pub mounts: Vec<MountOp>,
    pub uid_map: CString,
    pub gid_map: CString,
    pub landlock_fd: Option<OwnedFd>,
    pub rlimits: [(libc::__rlimit_resource_t, u64, u64); 6],
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn write_file(path: &CStr, data: &[u8]) -> io::Result<()> {
    // SAFETY: `path` is NUL-terminated; `data` is a valid buffer; the fd is
    // closed before returning.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        let e = io::Error::last_os_error();
        libc::close(fd);
        if n != data.len() as isize {
            return Err(e);
        }
    }
    Ok(())
}

fn write_maps(uid_map: &CStr, gid_map: &CStr) -> io::Result<()> {
    // "deny" is required before an unprivileged process may write gid_map.
    write_file(c"/proc/self/setgroups", b"deny")?;
    write_file(c"/proc/self/gid_map", gid_map.to_bytes())?;
    write_file(c"/proc/self/uid_map", uid_map.to_bytes())
}

fn drop_to(uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: plain system calls without pointers (setgroups gets an empty list).
    unsafe {
        check(libc::setgroups(0, ptr::null()))?;
        check(libc::setresgid(gid, gid, gid))?;
        check(libc::setresuid(uid, uid, uid))?;
        // Changing the euid made us non-dumpable, which makes /proc/self/*
        // owned by root: writing our own uid_map would then fail.
        check(libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0))?;
    }
    Ok(())
}

/// At most this many bind mounts in a plan.
pub(super) const MAX_BINDS: usize = 64;
const OPEN_TREE_CLONE: u32 = 1;
const MOVE_MOUNT_F_EMPTY_PATH: u32 = 4;

fn mkdir(dir: &CStr) -> io::Result<()> {
    // SAFETY: `dir` is NUL-terminated.
    if unsafe { libc::mkdir(dir.as_ptr(), 0o755) } < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EEXIST) {
            return Err(e);
        }
    }
    Ok(())
}

fn do_mounts(ops: &[MountOp]) -> io::Result<()> {
    // SAFETY: all pointers are NUL-terminated strings owned by `ops` or
    // static literals.
    unsafe {
        check(libc::unshare(libc::CLONE_NEWNS))?;
        check(libc::mount(
            ptr::null(),
            c"/".as_ptr(),
            ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            ptr::null(),
        ))?;
        // Clone the trees to bind back before any tmpfs hides them.
        let mut trees = [-1; MAX_BINDS];
        let mut n = 0;
        for op in ops {
            if let MountOp::Bind { path, .. } = op {
                if n == MAX_BINDS {
                    return Err(io::Error::from_raw_os_error(libc::E2BIG));
                }
                let fd = libc::syscall(
                    libc::SYS_open_tree,
                    libc::AT_FDCWD,
                    path.as_ptr(),
                    OPEN_TREE_CLONE | libc::O_CLOEXEC as u32 | libc::AT_RECURSIVE as u32,
                );
                if fd < 0 {
                    return Err(io::Error::last_os_error());
                }
                trees[n] = fd as libc::c_int;
                n += 1;
            }
        }
        let mut i = 0;
        for op in ops {
            match op {
                MountOp::Tmpfs(dir) => check(libc::mount(
                    c"tmpfs".as_ptr(),
                    dir.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    c"mode=0755,size=64k".as_ptr().cast(),
                ))?,
                MountOp::Mkdir(dir) => mkdir(dir)?,
                MountOp::Bind {
                    path,
                    is_dir,
                    read_only,
                } => {
                    if *is_dir {
                        mkdir(path)?;
                    } else {
                        let fd = libc::open(
                            path.as_ptr(),
                            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                            0o644,
                        );
                        if fd < 0 {
                            return Err(io::Error::last_os_error());
                        }
                        libc::close(fd);
                    }
                    let r = libc::syscall(
                        libc::SYS_move_mount,
                        trees[i],
                        c"".as_ptr(),
                        libc::AT_FDCWD,
                        path.as_ptr(),
                        MOVE_MOUNT_F_EMPTY_PATH,
                    );
                    if r < 0 {
                        return Err(io::Error::last_os_error());
                    }
                    libc::close(trees[i]);
                    i += 1;
                    if *read_only {
                        check(libc::mount(
                            ptr::null(),
                            path.as_ptr(),
                            ptr::null(),
                            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY,
                            ptr::null(),
                        ))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Closes every fd except `keep`.
fn close_all_but(keep: libc::c_int) {
    // SAFETY: close_range only closes descriptors; nothing in this process
    // uses the others any more.
    unsafe {
        if keep > 0 {
            libc::syscall(libc::SYS_close_range, 0u32, (keep - 1) as u32, 0u32);
        }
        libc::syscall(libc::SYS_close_range, (keep + 1) as u32, u32::MAX, 0u32);
    }
}

fn wait_for(pid: libc::pid_t) -> libc::c_int {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return status;
        }
        if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // Should not happen; report as killed.
            return libc::SIGKILL;
        }
    }
}

/// Terminates this process the way `status` says a child terminated.
fn mirror(status: libc::c_int) -> ! {
    // SAFETY: process-level system calls on plain values; `_exit` never returns.
    unsafe {
        if libc::WIFSIGNALED(status) {
            let sig = libc::WTERMSIG(status);
            // No core dump from the helper.
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            let zero = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, ptr::null_mut());
            libc::kill(libc::getpid(), sig);
            libc::_exit(128 + sig);
        }
        libc::_exit(libc::WEXITSTATUS(status))
    }
}

/// The `pre_exec` hook. In the spawned process (A) it creates the
/// namespaces, then forks B (PID 1 of the new PID namespace), which forks C;
/// only C returns (and execs the command). A and B never return.
pub(super) fn run(plan: &ChildPlan) -> io::Result<()> {
    if plan.is_root && !plan.mounts.is_empty() {
        do_mounts(&plan.mounts)?;
    }
    let mut ns = 0;
    if plan.net_namespace {
        ns |= libc::CLONE_NEWNET;
    }
    if plan.pid_namespace {
        ns |= libc::CLONE_NEWPID;
    }
    if plan.is_root {
        // As root: network/PID namespaces owned by the initial user namespace
        // (the command gets no capability over them), then drop the uid and
        // only then create the user namespace, mapping just that uid.
        if ns != 0 && !plan.ns_in_user {
            // SAFETY: plain system call.
            check(unsafe { libc::unshare(ns) })?;
        }
        if plan.drop_uid {
            drop_to(plan.uid, plan.gid)?;
        }
        if plan.user_namespace {
            // SAFETY: plain system call.
            check(unsafe { libc::unshare(libc::CLONE_NEWUSER) })?;
            write_maps(&plan.uid_map, &plan.gid_map)?;
            // Without CAP_SYS_ADMIN (a container's default) root cannot make
            // them above; the user namespace can, as for a non-root engine.
            if ns != 0 && plan.ns_in_user {
                // SAFETY: plain system call.
                check(unsafe { libc::unshare(ns) })?;
            }
        }
    } else if plan.user_namespace {
        // SAFETY: plain system call.
        check(unsafe { libc::unshare(libc::CLONE_NEWUSER | ns) })?;
        write_maps(&plan.uid_map, &plan.gid_map)?;
    }

    let mut pipe = [0; 2];
    // SAFETY: `pipe` has room for two fds; SIGCHLD must not be ignored for
    // waitpid to work.
    unsafe {
        check(libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC))?;
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
    }
    let [rd, wr] = pipe;

    // SAFETY: this process is single-threaded (a fresh fork), so forking
    // again is sound; both sides only make system calls afterwards.
    let b = unsafe { libc::fork() };
    if b < 0 {
        return Err(io::Error::last_os_error());
    }
    if b > 0 {
        // A: keep only the status pipe (in particular close std's exec-error
        // pipe, or `spawn` would block until the run ends).
        close_all_but(rd);
        let status_b = wait_for(b);
        let mut status_c: libc::c_int = 0;
        // SAFETY: reading 4 bytes into a c_int.
        let n = unsafe { libc::read(rd, (&raw mut status_c).cast(), 4) };
        mirror(if n == 4 { status_c } else { status_b });
    }

    // B: dies with A.
    // SAFETY: plain system calls.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        libc::close(rd);
    }
    // SAFETY: as above (B is single-threaded).
    let b_pid = unsafe { libc::getpid() };
    // SAFETY: as above (B is single-threaded).
    let c = unsafe { libc::fork() };
    if c < 0 {
        return Err(io::Error::last_os_error());
    }
    if c > 0 {
        close_all_but(wr);
        // B is the init of the PID namespace: reap everything, and leave
        // as soon as C is done (the kernel then kills the rest).
        loop {
            let mut status = 0;
            // SAFETY: valid out-pointer.
            let r = unsafe { libc::waitpid(-1, &mut status, 0) };
            if r == c {
                // SAFETY: writing 4 bytes from a c_int, then exiting.
                unsafe {
                    libc::write(wr, (&raw const status).cast(), 4);
                    libc::_exit(0);
                }
            }
            if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                // SAFETY: exiting.
                unsafe { libc::_exit(127) };
            }
        }
    }

    // C: dies with B; then limits and Landlock, then std execs.
    // SAFETY: plain system calls on valid pointers.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != b_pid {
            libc::_exit(127);
        }
        libc::close(wr);
        for (res, soft, hard) in plan.rlimits {
            // Never above the limit in force: raising a hard limit needs a
            // privilege this process may lack (a grader started under
            // `ulimit -n 192`), and the lower limit is the stricter one.
            let mut now = libc::rlimit {
                rlim_cur: 0,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::getrlimit(res, &mut now);
            let lim = libc::rlimit {
                rlim_cur: soft.min(now.rlim_max),
                rlim_max: hard.min(now.rlim_max),
            };
            check(libc::setrlimit(res, &lim))?;
        }
        if let Some(fd) = &plan.landlock_fd {
            check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))?;
            let r = libc::syscall(libc::SYS_landlock_restrict_self, fd.as_raw_fd(), 0u32);
            if r < 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// The kernel's Landlock ABI version, 0 if none.
pub(super) fn landlock_abi() -> u8 {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: the documented way to query the ABI: NULL attr, size 0.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if r < 0 { 0 } else { r.min(255) as u8 }
}

/// Tries, in a forked child, the namespace sequence `run` uses; returns a
/// bit set of PROBE_*.
pub(super) fn probe_namespaces(is_root: bool, uid: u32, gid: u32) -> i32 {
    let uid_map = CString::new(format!("{uid} {uid} 1\n")).expect("no NUL");
    let gid_map = CString::new(format!("{gid} {gid} 1\n")).expect("no NUL");
    // SAFETY: the child only makes system calls on the strings prepared
    // above and leaves with _exit.
    unsafe {
        let pid = libc::fork();
        if pid < 0 {
            return 0;
        }
        if pid == 0 {
            let mut bits = 0;
            if is_root {
                if libc::unshare(libc::CLONE_NEWNS) == 0 {
                    bits |= PROBE_MOUNT;
                }
                if libc::unshare(libc::CLONE_NEWNET) == 0 {
                    bits |= PROBE_NET;
                }
                if libc::unshare(libc::CLONE_NEWPID) == 0 {
                    bits |= PROBE_PID;
                }
                if drop_to(uid, gid).is_ok()
                    && libc::unshare(libc::CLONE_NEWUSER) == 0
                    && write_maps(&uid_map, &gid_map).is_ok()
                {
                    bits |= PROBE_USER;
                    if bits & (PROBE_NET | PROBE_PID) == 0
                        && libc::unshare(libc::CLONE_NEWNET | libc::CLONE_NEWPID) == 0
                    {
                        bits |= PROBE_NS_IN_USER | PROBE_NET | PROBE_PID;
                    }
                }
            } else {
                if libc::unshare(libc::CLONE_NEWUSER) == 0 && write_maps(&uid_map, &gid_map).is_ok()
                {
                    bits |= PROBE_USER;
                    if libc::unshare(libc::CLONE_NEWNET) == 0 {
                        bits |= PROBE_NET;
                    }
                    if libc::unshare(libc::CLONE_NEWPID) == 0 {
                        bits |= PROBE_PID;
                    }
                }
            }
            libc::_exit(bits);
        }
        let status = wait_for(pid);
        if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            0
        }
    }
}
