//! How often a check catches the narrowest shutdown race in the corpus (a
//! closed flag set just before `Stop` is sent), and what a check of the
//! graceful-shutdown reference costs to run, with the seed of every miss.
//!
//! Detection is a rate, not a speed, but it is measured the same way: many
//! runs of one compiled program on a shared machine, then the figure.
//!
//! `cargo bench --bench detection` (add `-- --runs N`; default 30).

use std::path::Path;
use std::time::{Duration, Instant};
use threadlings::engine::report::Status;
use threadlings::engine::{self, Built, CheckOptions, Checked, Program};
use threadlings::exercise;

fn build(rel: &str) -> Program {
    let exercise = exercise::find("graceful-shutdown").unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    match engine::build(exercise, &file, &Default::default()).unwrap() {
        Built::Program(program) => program,
        _ => panic!("{rel} compiles"),
    }
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let narrow = build("pack/graceful-shutdown/corpus/buggy/closed_flag_set_before_stop.rs");
    let reference = build("pack/graceful-shutdown/solution.rs");
    let (mut caught, mut narrow_times, mut reference_times) = (0, vec![], vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let Checked::Done(report) = narrow.run(&CheckOptions::new()).unwrap() else {
            unreachable!()
        };
        narrow_times.push(t.elapsed());
        let lost = report
            .checks
            .iter()
            .find(|c| c.id.as_str() == "lost-messages");
        if lost.is_some_and(|c| c.status == Status::Failed) {
            caught += 1;
        } else {
            println!("missed with seed {}", report.seed);
        }

        let t = Instant::now();
        let Checked::Done(report) = reference.run(&CheckOptions::new()).unwrap() else {
            unreachable!()
        };
        reference_times.push(t.elapsed());
        assert!(report.passed, "{}", report.to_json());
    }
    let median = |mut xs: Vec<Duration>| {
        xs.sort();
        xs[xs.len() / 2].as_secs_f64() * 1000.0
    };
    println!("narrowest closed-flag race caught: {caught} of {runs} checks");
    println!(
        "run time, median of {runs}: narrow variant {:.0} ms, reference {:.0} ms",
        median(narrow_times),
        median(reference_times)
    );
}
