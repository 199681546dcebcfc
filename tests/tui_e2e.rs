//! End to end: the real binary in a real pseudo-terminal (tmux). Opens the
//! counter exercise in a project made from the embedded starters (never
//! the working tree's `exercises/`, which may hold anything), saves a
//! correct solution,
//! waits for the check panel to pass, quits and sees the shell again.

// The tutor is the cargo feature `tui`; without it there is nothing to test.
#![cfg(feature = "tui")]

mod common;

use common::{Tmux, children, starter_project};
use std::process::Command;
use std::time::Duration;

#[test]
fn counter_turns_green_in_a_real_terminal_and_the_terminal_is_restored() {
    let project = starter_project();
    let tmux = Tmux::start("e2e", project.path(), "exec sh");
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
    let reference = threadlings::exercise::find("counter").unwrap().reference;
    std::fs::write(project.path().join("exercises/counter.rs"), reference).unwrap();
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

#[test]
fn ctrl_c_sigterm_and_panic_all_restore_the_terminal() {
    let project = starter_project();
    let tmux = Tmux::start("e2e-sig", project.path(), "exec sh");
    let shell_pid = tmux.pane_pid;
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
    let project = starter_project();
    let line = format!(
        "'{}' --exit-after-first-frame",
        env!("CARGO_BIN_EXE_threadlings")
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(project.path())
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
