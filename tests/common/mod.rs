//! Helpers shared by the end-to-end tests: a project built from the
//! starters the binary embeds, a private tmux server that owns the
//! processes it started, and reports spelled out for failure messages.
//!
//! Each test binary uses only some of these, hence the allowance.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use threadlings::engine::report::{Report, Status};
use threadlings::exercise;

/// A report spelled out for a failing test's message: every check's status,
/// id and message, and the detail (a history, compiler output) under each
/// that did not pass. (The CLI draws reports for people; this is for us.)
pub fn describe(report: &Report) -> String {
    let mut out = format!(
        "{} ({}), seed {}\n",
        report.exercise, report.file, report.seed
    );
    for check in &report.checks {
        out += &format!("  {:?} {}: {}\n", check.status, check.id, check.message);
        if let (Some(detail), false) = (&check.detail, check.status == Status::Passed) {
            out += detail;
            out += "\n";
        }
    }
    out
}

/// A fresh project: every exercise file holds its embedded starter, never
/// what the working tree's `exercises/` holds (a learner's own work, or a
/// solution). The lessons are copied: they are course data that learners do
/// not edit (the exercises' texts are embedded in the binary).
pub fn starter_project() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = tempfile::tempdir().unwrap();
    let exercises = project.path().join("exercises");
    std::fs::create_dir_all(&exercises).unwrap();
    for ex in exercise::all() {
        std::fs::write(project.path().join(ex.file), ex.starter).unwrap();
    }
    copy_dir(&root.join("lessons"), &project.path().join("lessons"));
    project
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Fails the test with a clear message when tmux is missing.
pub fn require_tmux() {
    let has_tmux = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_tmux,
        "tmux is not installed, and the TUI end-to-end test needs it: `apt-get install tmux` (.ci/run does this)"
    );
}

/// A private tmux server with one 100×30 session, `e2e`, running `command`
/// through `sh -c` in `dir`. Dropping it kills the server and, with
/// SIGKILL, every process the pane started, so a failing test leaves no
/// tutor behind.
pub struct Tmux {
    socket: String,
    /// The pane's first process.
    pub pane_pid: u32,
}

impl Tmux {
    pub fn start(name: &str, dir: &Path, command: &str) -> Tmux {
        require_tmux();
        let socket = format!("threadlings-{name}-{}", std::process::id());
        let shell = format!("cd '{}' && {command}", dir.display());
        let mut tmux = Tmux {
            socket,
            pane_pid: 0,
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "-s",
            "e2e",
            "sh",
            "-c",
            &shell,
        ]);
        tmux.pane_pid = tmux
            .run(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("the pane's pid");
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The tmux server's pid: the process that owns the pty.
    pub fn server_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "#{pid}"])
            .trim()
            .parse()
            .expect("the server's pid")
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Polls the screen until `pred` holds; panics with the screen after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > limit {
                panic!("timed out after {limit:?} waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let left = if self.pane_pid == 0 {
            Vec::new()
        } else {
            let mut all = descendants(self.pane_pid);
            all.push(self.pane_pid);
            all
        };
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        for pid in left {
            // SAFETY: plain kill(2) on a process this test started.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
    }
}

/// Fields of `/proc/<pid>/stat` after the command name (state is `[0]`).
pub fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The children of process `parent`, from /proc.
pub fn children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_fields(pid).is_some_and(|f| f.get(1) == Some(&parent.to_string())))
        .collect()
}

/// Every process below `root`, children first found first.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for child in children(pid) {
            found.push(child);
            todo.push(child);
        }
    }
    found
}

/// Kills process `.0` with SIGKILL when dropped (a test's own process that
/// may outlive the terminal it was started in).
pub struct KillOnDrop(pub u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // SAFETY: plain kill(2) on a process this test started.
        unsafe { libc::kill(self.0 as libc::pid_t, libc::SIGKILL) };
    }
}
