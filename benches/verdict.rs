//! Time to verdict for the reference counter solution, split into compile
//! and run, with a warm harness cache; the learner-file compile compared
//! with a bare `rustc` of the same file (a ratio measured in the same run);
//! and, once, the first-run cost of building the harness into a fresh cache.
//!
//! `cargo bench --bench verdict` (add `-- --runs N` for more runs).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use threadlings::engine::{self, Built, CheckOptions, Checked, toolchain};
use threadlings::exercise;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("pack/counter/solution.rs");
    let counter = exercise::find("counter").unwrap();

    // First run: a fresh cache, so the harness is built from scratch.
    let fresh = tempfile::tempdir().unwrap();
    // SAFETY-free: the benchmark is single-threaded at this point.
    unsafe { std::env::set_var("THREADLINGS_CACHE", fresh.path()) };
    let t = Instant::now();
    toolchain::prebuilt().expect("harness builds");
    let first_build = t.elapsed();

    let prebuilt = toolchain::prebuilt().unwrap();
    let (mut compiles, mut executions, mut totals, mut bare) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let Built::Program(program) = engine::build(counter, &file, &Default::default()).unwrap()
        else {
            panic!("the reference solution compiles");
        };
        let compiled = t.elapsed();
        let t2 = Instant::now();
        let Checked::Done(report) = program.run(&CheckOptions::new()).unwrap() else {
            unreachable!()
        };
        let ran = t2.elapsed();
        assert!(report.passed, "{}", report.to_json());
        compiles.push(compiled);
        executions.push(ran);
        totals.push(t.elapsed());

        // The same file alone, as a library, with nothing else to link.
        let out = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let status = Command::new(toolchain::rustc())
            .args(["--edition=2021", "--crate-type", "lib", "-C", "opt-level=0"])
            .arg("--extern")
            .arg(format!(
                "crossbeam_channel={}",
                prebuilt.crossbeam_channel.display()
            ))
            .arg("-L")
            .arg(format!("dependency={}", prebuilt.deps.display()))
            .arg("--out-dir")
            .arg(out.path())
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success());
        bare.push(t.elapsed());
    }
    let (c, r, total, b) = (
        median(compiles),
        median(executions),
        median(totals),
        median(bare),
    );
    println!("verdict (reference counter, warm cache, median of {runs} runs)");
    println!("  compile learner file + glue + link  {}", ms(c));
    println!("  run the three check phases          {}", ms(r));
    println!("  total to verdict                     {}", ms(total));
    println!("  bare rustc of the file (lib)         {}", ms(b));
    println!(
        "  compile / bare rustc ratio           {:.2}",
        c.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "first run: building the harness into a fresh cache  {}",
        ms(first_build)
    );
}
