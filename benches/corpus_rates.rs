//! Per-run catch rate of every buggy corpus file, and false alarms on every
//! correct one: the figures behind the number of runs `tests/corpus.rs`
//! asks for. Run it on a loaded machine to measure the worst case, e.g.
//! with four `yes > /dev/null` beside it.
//!
//! `cargo bench --bench corpus_rates -- [--runs N] [--correct-runs N]
//! [--only SUBSTRING] [--skip-expect CHECK-ID] [--expect CHECK-ID]
//! [--correct-only] [--load K]` (defaults: 20 and 10). `--expect` keeps the
//! buggy files expected to fail that check (and no correct files). `--correct-only` skips the buggy files and adds
//! each exercise's reference solution to the correct ones; `--load K`
//! starts K `yes > /dev/null` for the whole run and kills them at the end.

use std::path::{Path, PathBuf};
use std::time::Instant;
use threadlings::engine::report::Status;
use threadlings::engine::{self, Built, CheckOptions, Checked, Program};
use threadlings::exercise;

#[path = "common/background.rs"]
mod background;
use background::Background;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn build(exercise_id: &str, file: &Path) -> Program {
    let exercise = exercise::find(exercise_id).unwrap();
    match engine::build(exercise, file, &Default::default()).unwrap() {
        Built::Program(program) => program,
        _ => panic!("{} compiles", file.display()),
    }
}

fn files(exercise_id: &str, kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack")
        .join(exercise_id)
        .join("corpus")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn main() {
    let runs: usize = arg("--runs").and_then(|n| n.parse().ok()).unwrap_or(20);
    let correct_runs: usize = arg("--correct-runs")
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let only = arg("--only").unwrap_or_default();
    let skip = arg("--skip-expect");
    let wanted = arg("--expect");
    let correct_only = std::env::args().any(|a| a == "--correct-only");
    let load = arg("--load").and_then(|n| n.parse().ok()).unwrap_or(0);
    let _load = Background::start(load);
    for ex in exercise::all() {
        let buggy = if correct_only {
            Vec::new()
        } else {
            files(ex.id, "buggy")
        };
        for file in buggy {
            let name = format!("{}/buggy/{}", ex.id, file.file_name().unwrap().display());
            let text = std::fs::read_to_string(&file).unwrap();
            let expect = text
                .lines()
                .find_map(|l| l.strip_prefix("//! expect: "))
                .unwrap()
                .trim()
                .to_string();
            if !name.contains(&only)
                || skip.as_deref() == Some(expect.as_str())
                || wanted.as_deref().is_some_and(|w| w != expect)
            {
                continue;
            }
            let program = build(ex.id, &file);
            let started = Instant::now();
            let mut missed = Vec::new();
            for _ in 0..runs {
                let Checked::Done(report) = program.run(&CheckOptions::new()).unwrap() else {
                    unreachable!()
                };
                let caught = report
                    .checks
                    .iter()
                    .any(|c| c.id.as_str() == expect && c.status == Status::Failed);
                if !caught {
                    missed.push(report.seed);
                }
                // One mark a run, so a long measurement shows its progress.
                eprint!("{}", if caught { '+' } else { '-' });
            }
            println!(
                "buggy {name} ({expect}): caught {} of {runs}, {:.2} s a run; missed seeds {missed:?}",
                runs - missed.len(),
                started.elapsed().as_secs_f64() / runs as f64
            );
        }
        let mut correct = files(ex.id, "correct");
        if correct_only {
            correct.push(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("pack")
                    .join(ex.id)
                    .join("solution.rs"),
            );
        }
        for file in correct {
            let packs = Path::new(env!("CARGO_MANIFEST_DIR")).join("pack");
            let name = file
                .strip_prefix(&packs)
                .unwrap_or(&file)
                .display()
                .to_string();
            if !name.contains(&only) || wanted.is_some() {
                continue;
            }
            let program = build(ex.id, &file);
            let mut alarms = Vec::new();
            for _ in 0..correct_runs {
                let Checked::Done(report) = program.run(&CheckOptions::new()).unwrap() else {
                    unreachable!()
                };
                if !report.passed {
                    // Failed and not-checked apart, with what each said: a
                    // "too loaded to judge" is not a false alarm's cause.
                    let failed: Vec<String> = report
                        .checks
                        .iter()
                        .filter(|c| c.status != Status::Passed)
                        .map(|c| {
                            let said: String = c.message.chars().take(240).collect();
                            format!("{} {:?}: {said}", c.id.as_str(), c.status)
                        })
                        .collect();
                    alarms.push(format!("seed {} {failed:?}", report.seed));
                }
            }
            println!(
                "correct {name}: {} false alarms in {correct_runs}: {alarms:?}",
                alarms.len()
            );
        }
    }
}
