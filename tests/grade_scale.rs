//! Grading beyond one run: shares of a class graded apart and merged give
//! what one run gives, and asking for far more jobs than descriptors allow
//! changes nothing but the number of jobs. Real submissions, real grading.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use threadlings::grade::budget;

fn corpus(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack/counter/corpus")
        .join(rel)
}

fn grade(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(args)
        .output()
        .unwrap()
}

/// Student -> (verdict, score, per-check statuses), from a JSON report.
fn verdicts(json: &serde_json::Value) -> Vec<String> {
    json["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let checks: Vec<String> = s["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{}={}", c["id"], c["status"]))
                .collect();
            format!(
                "{} {} {} {} [{}]",
                s["student"],
                s["verdict"],
                s["score"],
                s["error"],
                checks.join(" ")
            )
        })
        .collect()
}

#[test]
fn partition_then_merge_equals_one_run() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    // Verdicts that cannot vary run to run: correct code (every check
    // passes), code that does not compile, a link and a stray file (both
    // refused). Buggy code is left out: its secondary checks (busy-loop
    // after a panic) can move with machine load, which is not what this
    // test is about.
    for (student, file) in [
        ("ann", "correct/std_mpsc.rs"),
        ("cat", "correct/zero_capacity.rs"),
        ("dan", "correct/stop_channel_drains.rs"),
    ] {
        std::fs::copy(corpus(file), dir.join(format!("{student}.rs"))).unwrap();
    }
    std::fs::write(dir.join("ben.rs"), "pub fn start(").unwrap();
    std::os::unix::fs::symlink(corpus("correct/std_mpsc.rs"), dir.join("eli.rs")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a submission").unwrap();
    let common = |extra: &[&OsStr]| -> Output {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("grade"),
            dir.as_os_str(),
            OsStr::new("--exercise"),
            OsStr::new("counter"),
            OsStr::new("--seed"),
            OsStr::new("77"),
            OsStr::new("--jobs"),
            OsStr::new("2"),
        ];
        args.extend_from_slice(extra);
        grade(&args)
    };
    let whole = common(&[OsStr::new("--format"), OsStr::new("json")]);
    assert_eq!(
        whole.status.code(),
        Some(1),
        "eli.rs and notes.txt are refused"
    );
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();

    let mut parts = Vec::new();
    for k in 1..=3 {
        let path = root.path().join(format!("part{k}.json"));
        let share = format!("{k}/3");
        let run = common(&[
            OsStr::new("--partition"),
            OsStr::new(&share),
            OsStr::new("--format"),
            OsStr::new("json"),
            OsStr::new("--output"),
            path.as_os_str(),
        ]);
        assert!(run.status.code().is_some_and(|c| c <= 1));
        parts.push(path);
    }
    // Count-based: 6 entries in 3 shares of 2, round robin.
    let part1: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&parts[0]).unwrap()).unwrap();
    let names: Vec<&str> = part1["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["student"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ann", "dan"]);

    // Given in any order, the merge lists the class as one run does.
    let mut args: Vec<&OsStr> = vec![OsStr::new("grade"), OsStr::new("merge")];
    args.extend(parts.iter().rev().map(|p| p.as_os_str()));
    args.extend([OsStr::new("--format"), OsStr::new("json")]);
    let merged = grade(&args);
    assert_eq!(merged.status.code(), Some(1));
    let merged: serde_json::Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(verdicts(&merged), verdicts(&whole));
    // And the merge is exactly its shares, row for row.
    let mut from_shares: Vec<(usize, String)> = Vec::new();
    for (k, path) in parts.iter().enumerate() {
        let share: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for (j, row) in verdicts(&share).into_iter().enumerate() {
            from_shares.push((j * 3 + k, row));
        }
    }
    from_shares.sort();
    let from_shares: Vec<String> = from_shares.into_iter().map(|(_, r)| r).collect();
    assert_eq!(verdicts(&merged), from_shares);
    assert_eq!(merged["max_score"], whole["max_score"]);
    assert_eq!(merged["weights"], whole["weights"]);

    // Any format from the merge: CSV rows match the single run's.
    args.truncate(args.len() - 2);
    args.extend([OsStr::new("--format"), OsStr::new("csv")]);
    let csv = String::from_utf8(grade(&args).stdout).unwrap();
    let whole_csv =
        String::from_utf8(common(&[OsStr::new("--format"), OsStr::new("csv")]).stdout).unwrap();
    assert_eq!(csv, whole_csv);

    // A missing or repeated share is an error, never a smaller class.
    let out = grade(&[
        OsStr::new("grade"),
        OsStr::new("merge"),
        parts[0].as_os_str(),
        parts[2].as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shares missing: 2/3"));
    let out = grade(&[
        OsStr::new("grade"),
        OsStr::new("merge"),
        parts[0].as_os_str(),
        parts[0].as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both share 1/3"));
}

#[test]
fn jobs_are_capped_by_descriptors_and_memory_with_the_reason() {
    let plan = budget::plan_for(64, 1024, Some(64 << 30));
    assert_eq!(plan.jobs, 15);
    assert!(plan.capped.unwrap().contains("descriptor limit"));
    let plan = budget::plan_for(64, 1 << 20, Some(2 << 30));
    assert_eq!(plan.jobs, 4);
    assert!(plan.capped.unwrap().contains("memory"));
    let plan = budget::plan_for(8, 1024, Some(64 << 30));
    assert_eq!((plan.jobs, plan.capped), (8, None));
    assert_eq!(budget::plan_for(64, 10, Some(0)).jobs, 1);
}

/// Runs `grade` with the descriptor limit set to `soft`/`hard`.
fn grade_with_nofile(dir: &Path, jobs: &str, soft: u64, hard: u64) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threadlings"));
    cmd.args(["grade", dir.to_str().unwrap(), "--exercise", "counter"])
        .args(["--format", "json", "--jobs", jobs]);
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: soft,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn far_more_jobs_than_descriptors_changes_no_verdict() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..6 {
        std::fs::copy(corpus("correct/std_mpsc.rs"), dir.join(format!("s{i}.rs"))).unwrap();
    }
    // 192 descriptors, not raisable: room for two jobs, not 32.
    let run = grade_with_nofile(&dir, "32", 192, 192);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("--jobs 32 capped to 2 by the descriptor limit (192 open files"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    for s in json["students"].as_array().unwrap() {
        assert_eq!(s["verdict"], "passed", "{s}");
    }
    // A soft limit below the hard one is raised first: 128 would allow one
    // job, 1024 allows 15.
    let run = grade_with_nofile(&dir, "32", 128, 1024);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("capped to 15"), "{stderr}");
    assert_eq!(run.status.code(), Some(0), "{stderr}");
}

/// A grader running 32 jobs holds 270-380 descriptors, and every child it
/// forks holds a copy of them all until it execs, under the sandbox's
/// `RLIMIT_NOFILE` of 256: no number below it may be free there. Here the
/// grader starts with 3..300 taken (inherited, without close-on-exec), which
/// makes that state certain instead of a matter of timing. Every phase used
/// to fail with "cannot run the load phase: Too many open files".
#[test]
fn a_grader_holding_hundreds_of_descriptors_still_grades() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..2 {
        std::fs::copy(corpus("correct/std_mpsc.rs"), dir.join(format!("s{i}.rs"))).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threadlings"));
    cmd.args(["grade", dir.to_str().unwrap(), "--exercise", "counter"])
        .args(["--format", "json", "--jobs", "2"]);
    // SAFETY: fcntl only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // Copies of stderr on every free number up to 300, without
            // close-on-exec, so the grader inherits them.
            loop {
                let fd = libc::fcntl(2, libc::F_DUPFD, 3);
                if fd < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if fd >= 300 {
                    libc::close(fd);
                    return Ok(());
                }
            }
        });
    }
    let run = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    for s in json["students"].as_array().unwrap() {
        assert_eq!(s["verdict"], "passed", "{s}");
    }
    assert_eq!(run.status.code(), Some(0), "{stderr}");
}
