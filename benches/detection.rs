//! How often a check catches the narrowest shutdown race in the corpus (a
//! closed flag set just before `Stop` is sent) and a `shutdown()` that
//! returns without joining a worker that ends at once, on a quiet machine
//! and with CPU-bound background processes; and what a check of each
//! reference solution costs to run. Every miss prints its seed.
//!
//! Detection is a rate, not a speed, but it is measured the same way: many
//! runs of one compiled program on a shared machine, then the figure.
//!
//! `cargo bench --bench detection` (options after `--`):
//! - `--runs N`: checks per figure (default 50);
//! - `--load K`: background processes for the loaded figures (default 4:
//!   `yes > /dev/null`, started and killed by the bench itself);
//! - `--cost-only`: only the reference solutions' run times (this mode
//!   needs nothing newer than the engine's public API, so the same file
//!   measures an older build back to back).

use std::path::Path;
use std::time::{Duration, Instant};
use threadlings::engine::report::{Report, Status};
use threadlings::engine::{self, Built, CheckOptions, Checked, Program};
use threadlings::exercise;

#[path = "common/background.rs"]
mod background;
use background::Background;

fn build(exercise_id: &str, rel: &str) -> Program {
    let exercise = exercise::find(exercise_id).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    match engine::build(exercise, &file, &Default::default()).unwrap() {
        Built::Program(program) => program,
        _ => panic!("{rel} compiles"),
    }
}

fn option(name: &str) -> Option<usize> {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|n| n.parse().ok())
}

/// One check of `program` with a fresh seed, and how long it took.
fn check_once(program: &Program) -> (Report, Duration) {
    let t = Instant::now();
    let Checked::Done(report) = program.run(&CheckOptions::new()).unwrap() else {
        unreachable!()
    };
    (report, t.elapsed())
}

/// Runs `program` `runs` times; how many runs failed check `id`, and the
/// median run time.
fn catch_rate(program: &Program, id: &str, runs: usize) -> (usize, Duration) {
    let mut caught = 0;
    let mut times = Vec::new();
    for _ in 0..runs {
        let (report, took) = check_once(program);
        times.push(took);
        let check = report.checks.iter().find(|c| c.id.as_str() == id);
        if check.is_some_and(|c| c.status == Status::Failed) {
            caught += 1;
        } else {
            println!("  missed {id} with seed {}", report.seed);
        }
    }
    (caught, median(times))
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cost(runs: usize) {
    for (id, rel) in [
        ("counter", "pack/counter/solution.rs"),
        ("ledger", "pack/ledger/solution.rs"),
        ("graceful-shutdown", "pack/graceful-shutdown/solution.rs"),
    ] {
        let program = &build(id, rel);
        let mut times = Vec::new();
        let mut phases = Vec::new();
        for _ in 0..runs {
            let (report, took) = check_once(program);
            times.push(took);
            phases.push(Duration::from_millis(report.timings.run_ms));
            assert!(report.passed, "{}", report.to_json());
        }
        println!(
            "{id} reference: median run time of {runs} checks {:.0} ms (running the phases {:.0} ms)",
            ms(median(times)),
            ms(median(phases))
        );
    }
}

fn main() {
    let runs = option("--runs").unwrap_or(50);
    let load = option("--load").unwrap_or(4);
    if std::env::args().any(|a| a == "--cost-only") {
        cost(runs);
        return;
    }
    let narrow = build(
        "graceful-shutdown",
        "pack/graceful-shutdown/corpus/buggy/closed_flag_set_before_stop.rs",
    );
    let not_joined = build(
        "graceful-shutdown",
        "pack/graceful-shutdown/corpus/buggy/reply_without_join.rs",
    );
    for background in [0, load] {
        let _load = Background::start(background);
        let what = match background {
            0 => "quiet".to_string(),
            n => format!("with {n} `yes > /dev/null`"),
        };
        let (caught, took) = catch_rate(&narrow, "lost-messages", runs);
        println!(
            "{what}: narrowest closed-flag race caught in {caught} of {runs} checks (median {:.0} ms)",
            ms(took)
        );
        let (caught, took) = catch_rate(&not_joined, "leaked-workers", runs);
        println!(
            "{what}: shutdown() that returns without joining caught in {caught} of {runs} checks \
             (median {:.0} ms)",
            ms(took)
        );
    }
    cost(runs.min(20));
}
