//! What the tutor writes into a learner's clone stays out of `git status`:
//! the progress file (and its temporary and moved-aside copies) and the
//! backups that resetting an exercise leaves beside it.

// The tutor is the cargo feature `tui`; without it there is nothing to test.
#![cfg(feature = "tui")]

use std::process::Command;
use threadlings::tui::progress::{self, Progress};

#[test]
fn the_tutors_own_files_are_ignored_and_the_exercises_are_not() {
    // The names the tutor really uses, made in a scratch directory.
    let scratch = tempfile::tempdir().unwrap();
    let path = Progress::path(scratch.path());
    let mut names = vec![path.file_name().unwrap().to_string_lossy().into_owned()];
    for _ in 0..2 {
        std::fs::write(&path, "broken").unwrap();
        let aside = progress::move_aside(&path).unwrap();
        names.push(aside.file_name().unwrap().to_string_lossy().into_owned());
    }
    names.push(".threadlings-progress.a1B2c3.tmp".into());
    // Reset's backups: file.bak, then file.bak.1, file.bak.2, ...
    for backup in ["counter.rs.bak", "counter.rs.bak.1", "counter.rs.bak.12"] {
        names.push(format!("exercises/{backup}"));
    }
    let check = |paths: &[String]| {
        Command::new("git")
            .args(["check-ignore", "--no-index", "--verbose", "--non-matching"])
            .args(paths)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("git is installed (the project is a git clone)")
    };
    let out = check(&names);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(!line.starts_with("::"), "not ignored: {line}");
    }
    assert_eq!(text.lines().count(), names.len(), "{text}");
    // The learner's own files must never be ignored.
    let out = check(&[
        "exercises/counter.rs".into(),
        "pack/counter/solution.rs".into(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().all(|l| l.starts_with("::")),
        "an exercise file is ignored: {text}"
    );
}
