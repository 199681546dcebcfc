//! Batch-grading throughput and its independence of `--jobs`: N honest
//! counter submissions (the correct corpus, cycled; `--mixed` adds the
//! buggy one), sandboxed, one seed for all, graded at `--jobs` 2, 8 and 32
//! on whatever cores this machine has. Prints seconds per submission
//! (compile included, harness cache warm) per job count, and every student
//! whose verdict differs from the `--jobs 2` run. With `--overhead`, also
//! the same batch unsandboxed at 2 jobs.
//!
//! `cargo bench --bench grade` (add `-- --n N` for another batch size,
//! `--jobs 2,8,32` for other job counts).

use std::path::Path;
use std::time::Instant;
use threadlings::engine::report::Status;
use threadlings::engine::{Isolation, toolchain};
use threadlings::exercise;
use threadlings::grade::{self, GradeOptions, Graded, Weights, budget};

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// Per student: verdict and each check's status.
fn verdicts(graded: &[Graded]) -> Vec<String> {
    graded
        .iter()
        .map(|g| {
            let checks = match &g.outcome {
                Ok(r) => r
                    .checks
                    .iter()
                    .map(|c| match c.status {
                        Status::Passed => "pass".to_string(),
                        Status::Failed => format!("FAIL:{}", c.id),
                        Status::NotChecked => format!("--:{}", c.id),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Err(e) => e.to_string(),
            };
            format!("{} {} {checks}", g.submission.student, g.verdict())
        })
        .collect()
}

fn main() {
    let n: usize = arg("--n").and_then(|n| n.parse().ok()).unwrap_or(32);
    let job_counts: Vec<usize> = arg("--jobs")
        .map(|s| s.split(',').filter_map(|j| j.parse().ok()).collect())
        .unwrap_or_else(|| vec![2, 8, 32]);
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(2024);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let ex = exercise::find("counter").unwrap();
    toolchain::prebuilt().expect("harness builds");

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("pack/counter/corpus");
    let mut files = Vec::new();
    let mixed = std::env::args().any(|a| a == "--mixed");
    let dirs: &[&str] = if mixed {
        &["correct", "buggy"]
    } else {
        &["correct"]
    };
    for sub in dirs {
        for e in std::fs::read_dir(corpus.join(sub)).unwrap().flatten() {
            files.push(e.path());
        }
    }
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let from = &files[i % files.len()];
        std::fs::copy(from, dir.path().join(format!("student{i:03}.rs"))).unwrap();
    }
    let subs = grade::discover(dir.path(), ex).unwrap();
    println!(
        "{n} submissions ({}), seed {seed}, {cores} cores",
        if mixed {
            "correct and buggy"
        } else {
            "correct"
        }
    );

    let run = |jobs: usize, isolation: Option<Isolation>| {
        let plan = budget::plan(jobs);
        if let Some(why) = &plan.capped {
            println!("  {why}");
        }
        let options = GradeOptions {
            jobs: plan.jobs,
            isolation,
            weights: Weights::default_for(ex),
            seed: Some(seed),
        };
        let t = Instant::now();
        let graded = grade::grade(ex, &subs, &options, &|_| {});
        (t.elapsed().as_secs_f64() / n as f64, graded)
    };

    let mut baseline: Option<Vec<String>> = None;
    for &jobs in &job_counts {
        let (each, graded) = run(jobs, Some(Isolation::probe()));
        let errors = graded.iter().filter(|g| g.outcome.is_err()).count();
        let passed = graded.iter().filter(|g| g.verdict() == "passed").count();
        println!(
            "sandboxed, --jobs {jobs:>2}: {each:.2} s per submission; {passed} passed, {errors} not graded"
        );
        let now = verdicts(&graded);
        match &baseline {
            None => baseline = Some(now),
            Some(base) => {
                let differ: Vec<String> = base
                    .iter()
                    .zip(&now)
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| format!("    was {a}\n    now {b}"))
                    .collect();
                if differ.is_empty() {
                    println!("  verdicts identical to --jobs {}", job_counts[0]);
                } else {
                    println!(
                        "  {} verdicts differ from --jobs {}:\n{}",
                        differ.len(),
                        job_counts[0],
                        differ.join("\n")
                    );
                }
            }
        }
    }
    if std::env::args().any(|a| a == "--overhead") {
        let (sandboxed, _) = run(2, Some(Isolation::probe()));
        let (bare, _) = run(2, None);
        println!(
            "sandbox overhead at --jobs 2: {:.2}x ({sandboxed:.2} s vs {bare:.2} s per submission)",
            sandboxed / bare
        );
    }
    println!(
        "protections: {}",
        grade::format::describe_protections(Some(Isolation::probe().protections()))
    );
}
