//! The tutor leaves when its terminal goes away: the pty's owner (the tmux
//! server) is killed, and the tutor must save progress, stop its threads
//! and exit, without spinning a core on the dead terminal. Two ways:
//! as the terminal's session leader it gets SIGHUP; started with `setsid`
//! it gets no signal and must notice the hang-up on its own input.

// The tutor is the cargo feature `tui`; without it there is nothing to test.
#![cfg(feature = "tui")]

mod common;

use common::{KillOnDrop, Tmux, descendants, starter_project, stat_fields};
use std::time::{Duration, Instant};

/// User plus system CPU time of `pid`, in clock ticks, if it still exists.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let fields = stat_fields(pid)?;
    // After the command name: state is field 3 of stat(5), utime 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Gone, or a zombie waiting for a parent that no longer exists to reap it.
fn exited(pid: u32) -> bool {
    stat_fields(pid).is_none_or(|f| f[0] == "Z" || f[0] == "X")
}

fn tutor_leaves_when_the_terminal_vanishes(how: &str, launcher: &str) {
    let project = starter_project();
    let progress = project.path().join(".threadlings-progress.toml");
    let command = format!(
        "exec {launcher} '{}' --manual-run",
        env!("CARGO_BIN_EXE_threadlings")
    );
    let tmux = Tmux::start(&format!("hangup-{how}"), project.path(), &command);
    tmux.wait_for("the course path", Duration::from_secs(20), |s| {
        s.contains("the course")
    });
    let tutor = descendants(tmux.pane_pid)
        .into_iter()
        .chain([tmux.pane_pid])
        .find(|&pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.ends_with("threadlings"))
        })
        .expect("the tutor's process");
    // Killing the tmux server orphans the tutor: the test still owns it.
    let owned = KillOnDrop(tutor);
    assert!(!progress.exists(), "nothing to save yet");
    let before = cpu_ticks(tutor).expect("the tutor runs");

    let vanished = Instant::now();
    // SAFETY: kill(2) on the tmux server this test started.
    unsafe { libc::kill(tmux.server_pid() as libc::pid_t, libc::SIGKILL) };
    let mut after = before;
    while !exited(tutor) {
        assert!(
            vanished.elapsed() < Duration::from_secs(2),
            "{how}: the tutor still runs 2 s after its terminal vanished"
        );
        after = cpu_ticks(tutor).unwrap_or(after);
        std::thread::sleep(Duration::from_millis(10));
    }
    after = cpu_ticks(tutor).unwrap_or(after);
    // It exited: its pid may be reused from now on, so never kill it.
    std::mem::forget(owned);
    // SAFETY: sysconf has no preconditions.
    let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let cpu = (after - before) as f64 / ticks_per_s;
    assert!(
        cpu < 0.2,
        "{how}: the tutor used {cpu:.2} s of CPU after its terminal vanished"
    );
    assert!(
        progress.exists(),
        "{how}: progress was not saved on the way out"
    );
}

#[test]
fn sighup_from_a_vanished_terminal_ends_the_tutor() {
    tutor_leaves_when_the_terminal_vanishes("sighup", "");
}

#[test]
fn a_hung_up_terminal_ends_the_tutor_without_any_signal() {
    tutor_leaves_when_the_terminal_vanishes("eof", "setsid -w");
}
