//! Running one child process under supervision.
//!
//! Every child has an owner (the caller of [`run`], which returns only once
//! the child is dead and reaped), a deadline, caps on what it may print, and
//! a cancel switch. It runs in its own process group, and the whole group is
//! killed when the deadline passes, when it is cancelled, when its output
//! overflows, and once more after it exits, so nothing it spawned in its
//! group is left behind. One thread does all of this with `poll(2)`, so no
//! reader thread can be left blocked on a pipe held open by a stray process.

use std::io::{PipeReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The file descriptor on which the child finds its report channel.
pub const REPORT_FD: i32 = 3;
/// The file descriptor from which the child reads the run's secret once.
///
/// The secret travels over a pipe, not the environment: a process's
/// starting environment stays readable in `/proc/self/environ` even after
/// the variable is removed, and learner code runs in the same process.
pub const SECRET_FD: i32 = 4;

/// A switch another thread can flip to stop a running check early.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh, unflipped switch.
    pub fn new() -> Cancel {
        Cancel::default()
    }
    /// Asks every run watching this switch to kill its child and return.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Limits for one child.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time before the group is killed, if it has stopped
    /// using CPU.
    pub wall: Duration,
    /// Wall-clock time before the group is killed even while it still uses
    /// CPU: a loaded machine slows a working child down, while a stuck one
    /// uses none and is killed soon after `wall`. Not below `wall`.
    pub working_wall: Duration,
    /// Bytes kept of stdout and of stderr each; more is an overflow.
    pub output_cap: usize,
    /// Bytes kept of the report channel; more is an overflow.
    pub report_cap: usize,
    /// Most threads the child process may have at once: more, and the
    /// group is killed ([`Ending::TooManyThreads`]). Counted from
    /// `/proc/<pid>/status` at every turn of the loop (every 20 ms), so
    /// only set it where the child is the program itself, not a launcher.
    pub threads: Option<usize>,
}

pub use threadlings_judge::Ending;

/// Everything observed of a finished child.
#[derive(Debug)]
pub struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// Its stdout, up to the cap.
    pub stdout: Vec<u8>,
    /// Its stderr, up to the cap.
    pub stderr: Vec<u8>,
    /// What arrived on the report channel, up to its cap.
    pub report: Vec<u8>,
    /// Wall-clock time from spawn to reaping.
    pub elapsed: Duration,
}

/// In the child, between fork and exec: puts the report pipe on
/// [`REPORT_FD`] and the secret on [`SECRET_FD`], without close-on-exec, so
/// they (and nothing else of ours) cross into the program.
///
/// It must not take a new descriptor: the sandbox has lowered
/// `RLIMIT_NOFILE` (to 256) by now, while this forked child still holds a
/// copy of every descriptor of the parent until exec. A grader with 32 jobs
/// holds 270-380 of them, so no number below the limit may be free, and a
/// `F_DUPFD` here failed the phase with "Too many open files". The parent
/// has moved both above [`SECRET_FD`] ([`above_report_fds`]), so each
/// `dup2` below is a real copy onto a fixed number (allowed whatever is
/// open) that cannot overwrite the other source, and drops close-on-exec.
///
/// Then every other descriptor is marked close-on-exec (marking takes no
/// descriptor): the program gets stdio and these two only, even when this
/// process inherited descriptors without the flag from whoever started it.
fn place_report_fds(report: RawFd, secret: RawFd) -> std::io::Result<()> {
    debug_assert!(report > SECRET_FD && secret > SECRET_FD);
    // SAFETY: plain descriptor calls on numbers, async-signal-safe.
    let ok = unsafe { libc::dup2(report, REPORT_FD) >= 0 && libc::dup2(secret, SECRET_FD) >= 0 };
    if !ok {
        return Err(std::io::Error::last_os_error());
    }
    close_on_exec_from(SECRET_FD + 1);
    Ok(())
}

/// Marks every descriptor from `first` up close-on-exec. Best effort:
/// kernels before 5.11 lack the flag, and then only descriptors opened
/// without it (none of ours) would still cross.
fn close_on_exec_from(first: RawFd) {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    // SAFETY: close_range with this flag only changes descriptor flags.
    unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            CLOSE_RANGE_CLOEXEC,
        );
    }
}

/// `fd`, moved above [`SECRET_FD`] if it is not already (close-on-exec), so
/// that the child can place it with `dup2` alone ([`place_report_fds`]).
fn above_report_fds(fd: OwnedFd) -> std::io::Result<OwnedFd> {
    above(fd, SECRET_FD + 1)
}

/// `fd` if its number is at least `floor`, else a close-on-exec copy that
/// is (the original is closed).
fn above(fd: OwnedFd, floor: RawFd) -> std::io::Result<OwnedFd> {
    if fd.as_raw_fd() >= floor {
        return Ok(fd);
    }
    // SAFETY: duplicating a descriptor we own; the copy is owned below.
    let copy = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, floor) };
    if copy < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `copy` is a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(copy) })
}

/// Runs `cmd` to its end under `limits`. With a `report_secret`, the child
/// gets the write end of a private pipe as file descriptor [`REPORT_FD`] and
/// can read the secret, once, from [`SECRET_FD`].
pub fn run(
    mut cmd: Command,
    limits: Limits,
    report_secret: Option<&str>,
    cancel: &Cancel,
) -> std::io::Result<Finished> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let report_pipe = if let Some(secret) = report_secret {
        let (reader, writer) = std::io::pipe()?;
        let writer = above_report_fds(writer.into())?;
        let raw = writer.as_raw_fd();
        // The whole secret fits in the pipe's buffer, so this never blocks;
        // closing our write end lets the child read to the end.
        let (secret_reader, mut secret_writer) = std::io::pipe()?;
        secret_writer.write_all(secret.as_bytes())?;
        drop(secret_writer);
        let secret_reader = above_report_fds(secret_reader.into())?;
        let secret_raw = secret_reader.as_raw_fd();
        // SAFETY: fcntl and dup2 are async-signal-safe; the closure touches
        // no memory the parent could be changing.
        unsafe {
            cmd.pre_exec(move || place_report_fds(raw, secret_raw));
        }
        Some((reader, writer, secret_reader))
    } else {
        None
    };
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let pgid = child.id() as i32;
    // Readable the moment the child exits: the loop wakes for its end
    // instead of finding it at the next turn (pipes close at exit, but
    // the exit status comes a little later).
    let exited = pidfd(pgid);
    // Our copy of the write end must go, or the report pipe never ends.
    let report_reader: Option<PipeReader> = report_pipe.map(|(reader, writer, secret)| {
        drop(writer);
        drop(secret);
        reader
    });
    let mut streams = vec![
        Stream::new(child.stdout.take().map(OwnedFd::from), limits.output_cap),
        Stream::new(child.stderr.take().map(OwnedFd::from), limits.output_cap),
        Stream::new(report_reader.map(OwnedFd::from), limits.report_cap),
    ];
    let deadline = started + limits.wall;
    let last_deadline = started + limits.working_wall.max(limits.wall);
    // Past `deadline`: the group's CPU time and the bytes received at the
    // last look, and when.
    let mut working: Option<((u64, usize), Instant)> = None;
    let mut verdict: Option<Ending> = None;
    let status = loop {
        let open: Vec<usize> = (0..streams.len()).filter(|&i| streams[i].open()).collect();
        poll_readable(
            &mut streams,
            &open,
            exited.as_ref(),
            Duration::from_millis(20),
        );
        if verdict.is_none() {
            if streams.iter().any(|s| s.overflowed) {
                verdict = Some(Ending::OutputFlood);
            } else if cancel.is_cancelled() {
                verdict = Some(Ending::Cancelled);
            } else if let Some(most) = limits.threads
                && threads_of(pgid).is_some_and(|n| n > most)
            {
                verdict = Some(Ending::TooManyThreads(most));
            } else if Instant::now() >= deadline {
                let extended = last_deadline > deadline;
                let received: usize = streams.iter().map(|s| s.data.len()).sum();
                if !extended || !still_working(pgid, received, &mut working) {
                    verdict = Some(Ending::TimedOut);
                } else if Instant::now() >= last_deadline {
                    verdict = Some(Ending::StillWorking);
                }
            }
            if verdict.is_some() {
                kill_group(pgid);
            }
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
    };
    // Sweep whatever the child left running in its group, then take what
    // is still buffered in the pipes, briefly: a stray process that left the
    // group may hold them open forever.
    kill_group(pgid);
    let grace = Instant::now() + Duration::from_millis(100);
    while streams.iter().any(Stream::open) && Instant::now() < grace {
        let open: Vec<usize> = (0..streams.len()).filter(|&i| streams[i].open()).collect();
        poll_readable(&mut streams, &open, None, Duration::from_millis(10));
    }
    let ending = verdict.unwrap_or_else(|| match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signalled(signal),
        _ => Ending::Exited(-1),
    });
    let mut streams = streams.into_iter();
    let mut next = || streams.next().map(|s| s.data).unwrap_or_default();
    Ok(Finished {
        ending,
        stdout: next(),
        stderr: next(),
        report: next(),
        elapsed: started.elapsed(),
    })
}

/// How many threads process `pid` has now, from `/proc/<pid>/status`.
fn threads_of(pid: i32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// How often a child past its deadline is looked at for CPU use.
const WORKING_LOOK: Duration = Duration::from_secs(4);

/// Whether group `pgid` has used CPU, or sent output (`received` bytes so
/// far), since the last look (`working`), which is [`WORKING_LOOK`] ago at
/// least; the first look only starts counting.
fn still_working(
    pgid: i32,
    received: usize,
    working: &mut Option<((u64, usize), Instant)>,
) -> bool {
    match *working {
        Some((_, at)) if at.elapsed() < WORKING_LOOK => true,
        Some((before, _)) => {
            let now = (group_cpu_ticks(pgid), received);
            *working = Some((now, Instant::now()));
            now.0 > before.0 || now.1 > before.1
        }
        None => {
            *working = Some(((group_cpu_ticks(pgid), received), Instant::now()));
            true
        }
    }
}

/// CPU time in clock ticks used so far by the processes of group `pgid`,
/// with all their threads and reaped children, dead ones included.
fn group_cpu_ticks(pgid: i32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let ticks = |pid: u32| -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name may hold spaces and parentheses; fields resume
        // after the last ')': state, ppid, pgrp, ..., utime at 11 to cstime at 14.
        let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
        if fields.get(2)?.parse::<i32>().ok()? != pgid {
            return None;
        }
        fields
            .get(11..15)?
            .iter()
            .map(|f| f.parse::<u64>().ok())
            .sum()
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(ticks)
        .sum()
}

fn kill_group(pgid: i32) {
    // SAFETY: kill has no memory-safety preconditions; a group that is
    // already gone just yields ESRCH.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

struct Stream {
    fd: Option<std::fs::File>,
    data: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

impl Stream {
    fn new(fd: Option<OwnedFd>, cap: usize) -> Stream {
        Stream {
            fd: fd.map(std::fs::File::from),
            data: Vec::new(),
            cap,
            overflowed: false,
        }
    }

    fn open(&self) -> bool {
        self.fd.is_some()
    }

    /// Reads what is available; closes the stream at end of file.
    fn read_some(&mut self) {
        let Some(file) = self.fd.as_mut() else { return };
        let mut buf = [0u8; 64 * 1024];
        match file.read(&mut buf) {
            Ok(0) | Err(_) => self.fd = None,
            Ok(n) => {
                let room = self.cap.saturating_sub(self.data.len());
                self.data.extend_from_slice(&buf[..n.min(room)]);
                if n > room {
                    self.overflowed = true;
                    self.fd = None;
                }
            }
        }
    }
}

/// A descriptor that becomes readable when process `pid` exits (Linux
/// 5.3 and later); `None` where there is none, and the loop then finds
/// the exit at its next turn.
fn pidfd(pid: i32) -> Option<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: pidfd_open takes a pid and flags and returns a new
    // descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the descriptor was just opened and nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Waits up to `timeout` for any of the `open` streams to be readable, or
/// for `exited` (a pidfd) to say the child ended, and reads each stream
/// that is readable (readable includes end of file).
fn poll_readable(
    streams: &mut [Stream],
    open: &[usize],
    exited: Option<&OwnedFd>,
    timeout: Duration,
) {
    let mut fds: Vec<libc::pollfd> = open
        .iter()
        .map(|&i| streams[i].fd.as_ref().map_or(-1, |f| f.as_raw_fd()))
        .chain(exited.map(|fd| fd.as_raw_fd()))
        .map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    if fds.is_empty() {
        std::thread::sleep(timeout);
        return;
    }
    // SAFETY: `fds` is a valid, initialised array of `fds.len()` pollfds
    // that outlives the call.
    let ready = unsafe {
        libc::poll(
            fds.as_mut_ptr(),
            fds.len() as libc::nfds_t,
            timeout.as_millis() as libc::c_int,
        )
    };
    if ready <= 0 {
        return;
    }
    for (slot, pfd) in fds.iter().take(open.len()).enumerate() {
        if pfd.revents != 0 {
            streams[open[slot]].read_some();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(wall_ms: u64, working_ms: u64) -> Limits {
        Limits {
            wall: Duration::from_millis(wall_ms),
            working_wall: Duration::from_millis(working_ms),
            output_cap: 1024,
            report_cap: 0,
            threads: None,
        }
    }

    fn shell(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn a_child_that_uses_no_cpu_gets_no_extension() {
        let started = Instant::now();
        let finished = run(
            shell("sleep 600"),
            limits(100, 60_000),
            None,
            &Cancel::new(),
        )
        .unwrap();
        assert_eq!(finished.ending, Ending::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn a_child_still_using_cpu_runs_to_the_working_limit() {
        let started = Instant::now();
        let script = "while :; do :; done";
        let finished = run(shell(script), limits(100, 4_500), None, &Cancel::new()).unwrap();
        assert_eq!(finished.ending, Ending::StillWorking);
        assert!(started.elapsed() >= Duration::from_millis(4_500));
    }

    /// A report that says what the program received: the secret (read
    /// from descriptor 4, written to 3) and its open descriptors.
    const ECHO_SECRET: &str = "cat <&4 >&3; ls /proc/$$/fd >&3";

    /// The descriptors `sh` (the program of [`ECHO_SECRET`]) had open.
    fn descriptors(report: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(report);
        let listing = text.strip_prefix("s3cret").expect("the secret first");
        listing.split_whitespace().map(str::to_string).collect()
    }

    fn with_report() -> Limits {
        Limits {
            report_cap: 4096,
            ..limits(10_000, 10_000)
        }
    }

    /// As in a grader running 32 jobs under the sandbox: the forked child
    /// holds every descriptor of the parent and its `RLIMIT_NOFILE` is
    /// already low, so not one number below the limit is free. Placing the
    /// report descriptors must still work (it failed the phase with "Too
    /// many open files" when it took a new descriptor).
    #[test]
    fn report_fds_are_placed_when_the_child_has_no_descriptor_to_spare() {
        let mut cmd = shell(ECHO_SECRET);
        // SAFETY: setrlimit and fcntl only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let low = libc::rlimit {
                    rlim_cur: 64,
                    rlim_max: 64,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &low) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // Fill every free number below the limit (close-on-exec,
                // as a busy parent's pipes are).
                while libc::fcntl(2, libc::F_DUPFD_CLOEXEC, 0) >= 0 {}
                Ok(())
            });
        }
        let finished = run(cmd, with_report(), Some("s3cret"), &Cancel::new()).unwrap();
        assert_eq!(finished.ending, Ending::Exited(0));
        let fds = descriptors(&finished.report);
        assert!(fds.contains(&"3".to_string()), "{fds:?}");
        assert!(fds.contains(&"4".to_string()), "{fds:?}");
    }

    /// A descriptor this process holds without close-on-exec (inherited
    /// from whoever started it, or opened by a library without the flag)
    /// must not reach the program.
    #[test]
    fn the_program_gets_stdio_and_the_report_descriptors_only() {
        let mut cmd = shell(ECHO_SECRET);
        // SAFETY: dup2 only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // As an inherited descriptor: no close-on-exec flag.
                if libc::dup2(2, 40) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let finished = run(cmd, with_report(), Some("s3cret"), &Cancel::new()).unwrap();
        assert_eq!(finished.ending, Ending::Exited(0));
        let fds = descriptors(&finished.report);
        // `ls` lists sh's descriptors (dash adds one of its own).
        assert!(!fds.contains(&"40".to_string()), "{fds:?}");
        assert!(fds.contains(&"3".to_string()), "{fds:?}");
    }

    /// A descriptor on a low number is moved above the floor, stays the
    /// same pipe, and is close-on-exec (the child's `dup2` makes the copy
    /// that crosses).
    #[test]
    fn a_low_descriptor_is_moved_above_the_floor() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let raw = reader.as_raw_fd();
        let moved = above(reader.into(), raw + 1).unwrap();
        assert!(moved.as_raw_fd() > raw);
        // SAFETY: F_GETFD on a descriptor we own.
        let flags = unsafe { libc::fcntl(moved.as_raw_fd(), libc::F_GETFD) };
        assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        writer.write_all(b"same pipe").unwrap();
        drop(writer);
        let mut got = String::new();
        std::fs::File::from(moved).read_to_string(&mut got).unwrap();
        assert_eq!(got, "same pipe");
    }
}
