//! Grading hostile and honest submissions in batches, in the sandbox.
//!
//! Each hostile file under `pack/counter/corpus/hostile/` names, in a
//! `//! expect: <check-id>` line, a check that must not pass (`compile`
//! for files that must not compile). Placeholders in the files are filled
//! in per run: `@MARKER@` (a unique string to find files and processes
//! by), `@PORT@` (a loopback port this test listens on) and `@SECRET@` (a
//! readable file outside the submission).

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use threadlings::engine::report::{CheckId, Status};
use threadlings::engine::{self, CheckOptions, Checked, Isolation};
use threadlings::exercise;
use threadlings::grade::{self, GradeOptions, Graded, Weights};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack/counter/corpus")
        .join(rel)
}

fn expected(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("//! expect: "))
        .expect("an `//! expect:` line")
        .trim()
        .to_string()
}

fn jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(2))
}

/// Processes whose command line contains `marker`.
fn procs_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let cmdline = entry.path().join("cmdline");
        if let Ok(bytes) = std::fs::read(&cmdline) {
            let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
            if text.contains(marker) && !text.contains("grade_hostile") {
                found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

fn batch(
    dir: &Path,
    isolation: Option<Isolation>,
) -> (
    Vec<Graded>,
    &'static threadlings::engine::exercise::Exercise,
) {
    let ex = exercise::find("counter").unwrap();
    let subs = grade::discover(dir, ex).expect("submissions");
    let options = GradeOptions {
        jobs: jobs(),
        isolation,
        weights: Weights::default_for(ex),
        seed: None,
    };
    (grade::grade(ex, &subs, &options, &|_| {}), ex)
}

#[test]
fn hostile_submissions_fail_and_are_contained() {
    let marker = format!("thlhostile{}x{}", std::process::id(), fastrand::u32(..));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let secret_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(secret_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = secret_dir.path().join("other_student.rs");
    std::fs::write(&secret, "pub fn answer() {} // SECRET").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();

    let subs = tempfile::tempdir().unwrap();
    let mut expect = Vec::new();
    for entry in std::fs::read_dir(corpus("hostile")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(student) = name.strip_suffix(".rs") else {
            continue;
        };
        let text = std::fs::read_to_string(entry.path())
            .unwrap()
            .replace("@MARKER@", &marker)
            .replace("@PORT@", &port.to_string())
            .replace("@SECRET@", &secret.display().to_string());
        expect.push((student.to_string(), expected(&text)));
        std::fs::write(subs.path().join(&name), text).unwrap();
    }
    assert!(expect.len() >= 15, "the hostile corpus is incomplete");

    // Degrade honestly: what the kernel cannot enforce is not asserted.
    let active = Isolation::probe().protections();
    let fs = active.landlock_fs;
    let net = active.net_namespace || active.landlock_net;
    let pids = active.pid_namespace;
    if !(fs && net && pids) {
        eprintln!("partial sandbox here, some assertions skipped: {active:?}");
    }
    let unenforced = |student: &str| match student {
        "write_files" | "include_outside" => !fs,
        "connect_loopback" => !net,
        _ => false,
    };

    let started = Instant::now();
    let (graded, _) = batch(subs.path(), Some(Isolation::probe()));
    eprintln!(
        "graded {} hostile submissions in {:.1} s",
        graded.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(graded.len(), expect.len(), "the batch completed");
    let mut problems = Vec::new();
    for g in &graded {
        let student = &g.submission.student;
        let want = &expect.iter().find(|(s, _)| s == student).unwrap().1;
        let report = match &g.outcome {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{student}: tool error {e}"));
                continue;
            }
        };
        eprintln!(
            "{student:<22} {:>5.1}s {}",
            g.duration.as_secs_f64(),
            report
                .checks
                .iter()
                .map(|c| format!(
                    "{}={}",
                    c.id,
                    match c.status {
                        Status::Passed => "pass",
                        Status::Failed => "FAIL",
                        Status::NotChecked => "--",
                    }
                ))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(report.protections.is_some(), "{student}: no protections");
        if unenforced(student) {
            continue;
        }
        if report.passed {
            problems.push(format!("{student}: passed"));
        }
        let check = report.checks.iter().find(|c| c.id.as_str() == want);
        match check {
            Some(c) if c.status != Status::Passed => {}
            _ => problems.push(format!(
                "{student}: expected {want} not to pass:\n{}",
                common::describe(report)
            )),
        }
        if want != "compile" {
            let compiled = report.check(CheckId::COMPILE).map(|c| c.status);
            if compiled != Some(Status::Passed) {
                problems.push(format!(
                    "{student}: did not compile:\n{}",
                    common::describe(report)
                ));
            }
        }
        if let Ok(text) = serde_json::to_string(report)
            && text.contains("SECRET")
        {
            problems.push(format!("{student}: the secret file leaked"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));

    // Nothing written outside.
    if !fs {
        return;
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    for path in [
        home.join(format!("{marker}-home")),
        std::env::temp_dir().join(format!("{marker}-tmp")),
        PathBuf::from(format!("/tmp/{marker}-tmp")),
        std::env::temp_dir().join(format!("{marker}-dotdot")),
        PathBuf::from(format!("/{marker}-dotdotdot")),
    ] {
        assert!(!path.exists(), "{} was written", path.display());
    }
    // Nothing connected.
    let mut connected = Vec::new();
    while let Ok((mut stream, from)) = listener.accept() {
        let mut buf = Vec::new();
        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
        let _ = stream.read_to_end(&mut buf);
        connected.push(format!("{from}: {}", String::from_utf8_lossy(&buf)));
    }
    assert!(!net || connected.is_empty(), "connections: {connected:?}");
    // No process left behind (the supervisor's group kill alone cannot
    // reach a `setsid` process; the PID namespace does).
    if !pids {
        return;
    }
    std::thread::sleep(Duration::from_millis(200));
    let left = procs_with(&marker);
    assert!(left.is_empty(), "processes left behind: {left:#?}");
}

#[test]
fn honest_submissions_get_the_same_verdicts_as_check() {
    let files = [
        "correct/zero_capacity.rs",
        "correct/std_mpsc.rs",
        "buggy/unsigned_count.rs",
        "buggy/mutex_no_worker.rs",
        "buggy/returns_before_exit.rs",
        "buggy/try_recv_spin.rs",
    ];
    let subs = tempfile::tempdir().unwrap();
    for rel in files {
        let student = rel.replace(['/', '.'], "_").replace("_rs", "");
        // Folder form for some, file form for others.
        if rel.starts_with("correct") {
            let dir = subs.path().join(&student);
            std::fs::create_dir(&dir).unwrap();
            std::fs::copy(corpus(rel), dir.join("counter.rs")).unwrap();
        } else {
            std::fs::copy(corpus(rel), subs.path().join(format!("{student}.rs"))).unwrap();
        }
    }
    let (graded, ex) = batch(subs.path(), Some(Isolation::probe()));
    assert_eq!(graded.len(), files.len());
    for g in &graded {
        let report = g.outcome.as_ref().expect("checked");
        let rel = files
            .iter()
            .find(|f| f.replace(['/', '.'], "_").replace("_rs", "") == g.submission.student)
            .unwrap();
        let alone = match engine::check(ex, &corpus(rel), &CheckOptions::new()).unwrap() {
            Checked::Done(r) => r,
            Checked::Cancelled => unreachable!(),
        };
        assert_eq!(
            report.passed,
            alone.passed,
            "{rel}: graded\n{}\nchecked\n{}",
            common::describe(report),
            common::describe(&alone)
        );
        let ids = |r: &threadlings::engine::report::Report| -> Vec<CheckId> {
            r.checks.iter().map(|c| c.id).collect()
        };
        assert_eq!(ids(report), ids(&alone));
        if rel.starts_with("correct") {
            // Correct solutions behave the same on every run.
            for (a, b) in report.checks.iter().zip(&alone.checks) {
                assert_eq!(a.status, b.status, "{rel} {}", a.id);
                if a.status != Status::NotChecked {
                    // Same message, up to measured numbers (ms of CPU).
                    let shape = |m: &str| m.replace(|c: char| c.is_ascii_digit(), "");
                    assert_eq!(shape(&a.message), shape(&b.message), "{rel} {}", a.id);
                }
            }
        } else {
            // Buggy ones fail their known check, with the same message.
            let text = std::fs::read_to_string(corpus(rel)).unwrap();
            let want = expected(&text);
            let a = report
                .checks
                .iter()
                .find(|c| c.id.as_str() == want)
                .unwrap();
            let b = alone.checks.iter().find(|c| c.id.as_str() == want).unwrap();
            assert_eq!(
                a.status,
                Status::Failed,
                "{rel}:\n{}",
                common::describe(report)
            );
            assert_eq!(
                b.status,
                Status::Failed,
                "{rel}:\n{}",
                common::describe(&alone)
            );
        }
    }
}
