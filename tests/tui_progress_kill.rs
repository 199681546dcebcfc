//! Killing the app while it saves progress never leaves a broken file:
//! the binary's hidden save loop is killed with SIGKILL at random moments,
//! and the file must parse every time.

// The tutor is the cargo feature `tui`; without it there is nothing to test.
#![cfg(feature = "tui")]

use std::process::{Command, Stdio};
use std::time::Duration;
use threadlings::tui::progress::Progress;

#[test]
fn progress_survives_sigkill_mid_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = Progress::path(dir.path());
    let mut last_len = 0;
    for round in 0..12 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_threadlings"))
            .arg("__progress-save-loop")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        std::thread::sleep(Duration::from_millis(20 + fastrand::u64(0..60)));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let progress = Progress::load(&path)
            .unwrap_or_else(|err| panic!("round {round}: the progress file is broken: {err}"));
        last_len = last_len.max(progress.done.len());
    }
    assert!(last_len > 0, "the loop never saved");
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".threadlings-progress.toml" && !n.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "unexpected files: {stray:?}");
}
