//! End to end: the real binary in a real pseudo-terminal (tmux). Opens the
//! counter exercise in a copy of the project, saves a correct solution,
//! waits for the check panel to pass, quits and sees the shell again.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Polls the screen until `pred` holds; panics with the screen after `limit`.
    fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
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
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
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

#[test]
fn counter_turns_green_in_a_real_terminal_and_the_terminal_is_restored() {
    let has_tmux = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_tmux,
        "tmux is not installed, and the TUI end-to-end test needs it: `apt-get install tmux` (.ci/run does this)"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = tempfile::tempdir().unwrap();
    copy_dir(&root.join("exercises"), &project.path().join("exercises"));
    copy_dir(&root.join("lessons"), &project.path().join("lessons"));

    let tmux = Tmux {
        socket: format!("threadlings-e2e-{}", std::process::id()),
    };
    let shell = format!("cd '{}' && exec sh", project.path().display());
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
    let line = format!(
        "'{}' --open counter; echo \"exi\"\"ted-$?\"",
        env!("CARGO_BIN_EXE_threadlings")
    );
    tmux.run(&["send-keys", "-t", "e2e", "-l", &line]);
    tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
    tmux.wait_for("the exercise screen", Duration::from_secs(10), |s| {
        s.contains("Edit exercises/counter.rs")
    });

    // The starter (all todo!()) is checked on opening and fails.
    tmux.wait_for("the starter's verdict", Duration::from_secs(90), |s| {
        s.contains("FAIL") && !s.contains("checking…")
    });
    // Save a correct solution: the watcher re-checks. The panel shows the
    // starter's failures until the new verdict replaces them, so only the
    // passing verdict ends the wait.
    std::fs::copy(
        root.join("solutions/counter.rs"),
        project.path().join("exercises/counter.rs"),
    )
    .unwrap();
    let screen = tmux.wait_for(
        "the check panel to say all checks passed",
        Duration::from_secs(90),
        |s| s.contains("all checks passed"),
    );
    assert!(!screen.contains("FAIL"), "a check failed:\n{screen}");
    assert!(screen.contains("Passed!"), "no passed view:\n{screen}");

    tmux.run(&["send-keys", "-t", "e2e", "q"]);
    tmux.wait_for("the course path", Duration::from_secs(5), |s| {
        s.contains("the course")
    });
    tmux.run(&["send-keys", "-t", "e2e", "q"]);
    let screen = tmux.wait_for("the shell after exit", Duration::from_secs(10), |s| {
        s.contains("exited-0")
    });
    assert!(
        !screen.contains("threadlings │"),
        "the app's screen is still up:\n{screen}"
    );
    let alternate = tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"]);
    assert_eq!(alternate.trim(), "0", "still on the alternate screen");
    // The tutor marked the exercise done in its progress file.
    let progress = std::fs::read_to_string(project.path().join(".threadlings-progress.toml"))
        .expect("progress was saved");
    assert!(progress.contains("\"counter\""), "{progress}");
}

/// The children of process `parent`, from /proc.
fn children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                after.split_whitespace().nth(1) == Some(&parent.to_string())
            })
        })
        .collect()
}

#[test]
fn ctrl_c_sigterm_and_panic_all_restore_the_terminal() {
    assert!(
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success()),
        "tmux is not installed, and the TUI end-to-end test needs it: `apt-get install tmux` (.ci/run does this)"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = tempfile::tempdir().unwrap();
    copy_dir(&root.join("exercises"), &project.path().join("exercises"));
    copy_dir(&root.join("lessons"), &project.path().join("lessons"));
    let tmux = Tmux {
        socket: format!("threadlings-e2e-sig-{}", std::process::id()),
    };
    let shell = format!("cd '{}' && exec sh", project.path().display());
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
    let shell_pid: u32 = tmux
        .run(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"])
        .trim()
        .parse()
        .expect("the pane's pid");
    let bin = env!("CARGO_BIN_EXE_threadlings");
    for (round, (flag, how, code)) in [
        ("", "ctrl-c", "0"),
        ("", "sigterm", "0"),
        ("--panic-after-first-frame", "panic", "101"),
    ]
    .into_iter()
    .enumerate()
    {
        tmux.run(&["send-keys", "-t", "e2e", "clear", "Enter"]);
        // The marker is split in the typed line so only the output matches.
        let line =
            format!("RUST_BACKTRACE=0 '{bin}' --manual-run {flag}; echo \"exi\"\"ted-{round}-$?\"");
        tmux.run(&["send-keys", "-t", "e2e", "-l", &line]);
        tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
        let marker = format!("exited-{round}-");
        if how != "panic" {
            tmux.wait_for("the course path", Duration::from_secs(10), |s| {
                s.contains("the course")
            });
        }
        match how {
            "ctrl-c" => {
                tmux.run(&["send-keys", "-t", "e2e", "C-c"]);
            }
            "sigterm" => {
                let pids = children(shell_pid);
                assert_eq!(pids.len(), 1, "one app process: {pids:?}");
                let status = Command::new("kill")
                    .args(["-TERM", &pids[0].to_string()])
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            _ => {}
        }
        let screen = tmux.wait_for(
            &format!("the shell after {how}"),
            Duration::from_secs(10),
            |s| s.contains(&marker),
        );
        assert!(
            screen.contains(&format!("{marker}{code}")),
            "{how}: wrong exit status:\n{screen}"
        );
        assert!(
            !screen.contains("the course"),
            "{how}: the app's screen is still up:\n{screen}"
        );
        if how == "panic" {
            assert!(
                screen.contains("test panic after the first frame"),
                "{screen}"
            );
        }
        let alternate = tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"]);
        assert_eq!(
            alternate.trim(),
            "0",
            "{how}: still on the alternate screen"
        );
    }
}

/// A pseudo-terminal that answers no queries (as `script` gives) must not
/// stop the tutor from starting: it never asks where the cursor is.
#[test]
fn starts_in_a_terminal_that_answers_no_queries() {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(has_script, "`script` (util-linux) is needed for this test");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let line = format!(
        "'{}' --exit-after-first-frame",
        env!("CARGO_BIN_EXE_threadlings")
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exit {:?}: {text}", out.status.code());
    assert!(
        !text.contains("cursor position could not be read"),
        "{text}"
    );
    assert!(text.contains("first frame after"), "{text}");
}
