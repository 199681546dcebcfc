//! Batch-grading throughput: N honest counter submissions (the correct and
//! with `--mixed` also the buggy corpus, cycled), graded with `--jobs` = cores, once in the sandbox
//! and once without it. Reports seconds per submission (compile included,
//! harness cache warm) and the sandbox overhead ratio.
//!
//! `cargo bench --bench grade` (add `-- --n N` for another batch size).

use std::path::Path;
use std::time::Instant;
use threadlings::engine::{Isolation, toolchain};
use threadlings::exercise;
use threadlings::grade::{self, GradeOptions, Weights};

fn main() {
    let n: usize = std::env::args()
        .skip_while(|a| a != "--n")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let jobs = std::thread::available_parallelism().map_or(1, |c| c.get());
    let ex = exercise::find("counter").unwrap();
    toolchain::prebuilt().expect("harness builds");

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/counter");
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

    let mut per = Vec::new();
    for isolation in [Some(Isolation::probe()), None] {
        let options = GradeOptions {
            jobs,
            isolation: isolation.clone(),
            weights: Weights::default_for(ex),
            seed: None,
        };
        let t = Instant::now();
        let graded = grade::grade(ex, &subs, &options, &|_| {});
        let secs = t.elapsed().as_secs_f64();
        let errors = graded.iter().filter(|g| g.outcome.is_err()).count();
        let each = secs / n as f64;
        let reports: Vec<_> = graded
            .iter()
            .filter_map(|g| g.outcome.as_ref().ok())
            .collect();
        let avg = |f: &dyn Fn(&threadlings::engine::report::Report) -> u64| {
            reports.iter().map(|r| f(r)).sum::<u64>() as f64 / reports.len().max(1) as f64
        };
        println!(
            "  mean compile {:.0} ms, mean run {:.0} ms (wall, per submission, {jobs} at once)",
            avg(&|r| r.timings.compile_ms),
            avg(&|r| r.timings.run_ms)
        );
        println!(
            "{:<11} {n} submissions, {jobs} jobs: {secs:.1} s, {each:.2} s per submission{}",
            if isolation.is_some() {
                "sandboxed"
            } else {
                "unsandboxed"
            },
            if errors > 0 {
                format!(" ({errors} errors)")
            } else {
                String::new()
            }
        );
        per.push(each);
    }
    println!("sandbox overhead: {:.2}x", per[0] / per[1]);
    println!(
        "protections: {}",
        grade::format::describe_protections(Some(Isolation::probe().protections()))
    );
}
