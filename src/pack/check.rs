//! `threadlings pack check DIR`: is a pack fit for learners? Its
//! definitions load and its judges build (and keep to their declared
//! checks); for every exercise the starter compiles and fails, the
//! reference solution passes [`PackCheckOptions::reference_runs`] runs of
//! as many, every corpus file gets its expected verdict, the hints are
//! there and the lesson it follows exists.
//!
//! Problems of the pack are findings (data, exit 1); only a failure of the
//! tool itself (no such directory, no working toolchain) is an error.

use super::{LoadedPack, load_dir, read_dir};
use crate::course::{self, Course, Item};
use crate::engine::exercise::Exercise;
use crate::engine::judge::{Status, count_of};
use crate::engine::report::Report;
use crate::engine::{self, Built, CheckOptions, Checked, EngineError, Program};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How hard `pack check` tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackCheckOptions {
    /// Runs of the reference solution, every one of which must pass.
    pub reference_runs: usize,
    /// Runs of each correct corpus file, every one of which must pass.
    pub correct_runs: usize,
    /// Runs a buggy corpus file gets to fail its expected check (the first
    /// failure ends them): races show only in some runs.
    pub buggy_runs: usize,
}

impl Default for PackCheckOptions {
    /// Ten of ten for the reference (the bar the built-in exercises meet),
    /// three for other correct files, and up to 40 runs to catch a buggy
    /// one: the bound `tests/corpus.rs` measured for races caught in 30 %
    /// of runs or more (0.7^40 < 1e-6 of missing one).
    fn default() -> Self {
        PackCheckOptions {
            reference_runs: 10,
            correct_runs: 3,
            buggy_runs: 40,
        }
    }
}

/// One thing `pack check` verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The exercise it is about; `None` for the pack as a whole.
    pub exercise: Option<String>,
    /// What was checked: `definition`, `starter`, `reference`, `hints`,
    /// `lesson`, or a corpus file (`corpus/buggy/spin.rs`).
    pub item: String,
    /// Whether it is as it must be.
    pub passed: bool,
    /// What was seen, in a sentence.
    pub message: String,
}

/// Everything `pack check` found, in the order it checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackCheck {
    /// The pack's directory.
    pub pack: String,
    /// Every finding passed.
    pub passed: bool,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// Why a pack could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum PackCheckError {
    /// There is no directory to check.
    #[error("{} is not a directory: pass the pack's directory (the one holding pack.toml)", .0.display())]
    NotADirectory(PathBuf),
    /// The engine failed (the toolchain, the cache), not the pack.
    #[error("could not check {item} of `{exercise}`: {source}")]
    Engine {
        /// The exercise.
        exercise: String,
        /// What was being checked.
        item: String,
        /// The engine's error.
        source: Box<EngineError>,
    },
}

/// Checks the pack at `dir`.
pub fn check_pack(dir: &Path, options: &PackCheckOptions) -> Result<PackCheck, PackCheckError> {
    if !dir.is_dir() {
        return Err(PackCheckError::NotADirectory(dir.to_path_buf()));
    }
    let mut findings = Vec::new();
    let pack = read_dir(dir).map_err(|e| e.to_string()).and_then(|_| {
        // Building the judges also verifies each reports exactly the
        // checks its exercise declares.
        load_dir(dir).map_err(|e| e.to_string())
    });
    match pack {
        Err(message) => findings.push(Finding {
            exercise: None,
            item: "definition".into(),
            passed: false,
            message,
        }),
        Ok(pack) => {
            findings.push(Finding {
                exercise: None,
                item: "definition".into(),
                passed: true,
                message: format!(
                    "pack.toml and {} loaded; the judges build and report the declared checks",
                    count_of(pack.exercises.len(), "exercise")
                ),
            });
            check_exercises(&pack, options, &mut findings)?;
        }
    }
    Ok(PackCheck {
        pack: dir.display().to_string(),
        passed: findings.iter().all(|f| f.passed),
        findings,
    })
}

fn check_exercises(
    pack: &LoadedPack,
    options: &PackCheckOptions,
    findings: &mut Vec<Finding>,
) -> Result<(), PackCheckError> {
    let lessons = lesson_ids(&pack.dir);
    for &exercise in &pack.exercises {
        let folder = pack.dir.join(exercise.id);
        check_exercise(exercise, &folder, lessons.as_deref(), options, findings)?;
    }
    Ok(())
}

/// Checks one loaded exercise whose folder is `folder`, against the
/// course's `lessons` (`None`: unknown), adding what it finds.
pub(crate) fn check_exercise(
    exercise: &'static Exercise,
    folder: &Path,
    lessons: Option<&[String]>,
    options: &PackCheckOptions,
    findings: &mut Vec<Finding>,
) -> Result<(), PackCheckError> {
    let mut item = ItemChecker { exercise, findings };
    item.hints();
    item.lesson(lessons);
    item.starter(&folder.join("starter.rs"))?;
    item.correct(
        "reference",
        &folder.join("solution.rs"),
        options.reference_runs,
    )?;
    for file in corpus_files(&folder.join("corpus/correct")) {
        let name = corpus_name(folder, &file);
        item.correct(&name, &file, options.correct_runs)?;
    }
    for file in corpus_files(&folder.join("corpus/buggy")) {
        let name = corpus_name(folder, &file);
        item.buggy(&name, &file, options.buggy_runs)?;
    }
    Ok(())
}

/// The `.rs` files directly in `dir`, sorted; none if it does not exist.
fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

fn corpus_name(folder: &Path, file: &Path) -> String {
    file.strip_prefix(folder)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// The lesson ids `after` may name, from the course of the project the
/// pack is checked in (the current directory's, else the pack's own
/// ancestors'); `None` when neither is inside a project.
pub(crate) fn lesson_ids(pack_dir: &Path) -> Option<Vec<String>> {
    let cwd = std::env::current_dir().ok();
    let root = cwd
        .as_deref()
        .and_then(course::project_root)
        .or_else(|| course::project_root(pack_dir))?;
    let index = root.join(Course::INDEX);
    let text = std::fs::read_to_string(&index).ok()?;
    let items = course::index::parse(&root, &index, &text).ok()?;
    Some(
        items
            .iter()
            .filter(|i| matches!(i, Item::Lesson(_)))
            .map(|i| i.id().to_string())
            .collect(),
    )
}

/// Checks the items of one exercise, adding a finding for each.
struct ItemChecker<'a> {
    exercise: &'static Exercise,
    findings: &'a mut Vec<Finding>,
}

impl ItemChecker<'_> {
    fn note(&mut self, item: &str, passed: bool, message: String) {
        self.findings.push(Finding {
            exercise: Some(self.exercise.id.to_string()),
            item: item.to_string(),
            passed,
            message,
        });
    }

    fn hints(&mut self) {
        let hints = &self.exercise.text.hints;
        let blank = hints.iter().filter(|h| h.trim().is_empty()).count();
        let passed = (2..=3).contains(&hints.len()) && blank == 0;
        let message = if passed {
            format!("{}, none empty", count_of(hints.len(), "hint"))
        } else {
            format!(
                "{} ({blank} empty): give two or three, from a nudge to nearly the answer",
                count_of(hints.len(), "hint")
            )
        };
        self.note("hints", passed, message);
    }

    fn lesson(&mut self, lessons: Option<&[String]>) {
        let after = self.exercise.text.after.clone();
        match lessons {
            Some(ids) if ids.contains(&after) => {
                self.note("lesson", true, format!("follows the lesson `{after}`"));
            }
            Some(ids) => self.note(
                "lesson",
                false,
                format!(
                    "`after` names the lesson `{after}`, which the course does not have; its lessons are: {}",
                    ids.join(", ")
                ),
            ),
            None => self.note(
                "lesson",
                false,
                format!(
                    "cannot tell whether the lesson `{after}` exists: run pack check inside a \
                     threadlings project (a directory holding exercises/ and lessons/)"
                ),
            ),
        }
    }

    fn build(&self, item: &str, file: &Path) -> Result<Built, PackCheckError> {
        engine::build(self.exercise, file, &Default::default()).map_err(|source| {
            PackCheckError::Engine {
                exercise: self.exercise.id.to_string(),
                item: item.to_string(),
                source: Box::new(source),
            }
        })
    }

    fn run(&self, item: &str, program: &Program) -> Result<Report, PackCheckError> {
        match program.run(&CheckOptions::new()) {
            Ok(Checked::Done(report)) => Ok(report),
            Ok(Checked::Cancelled) => unreachable!("nothing cancels pack check's runs"),
            Err(source) => Err(PackCheckError::Engine {
                exercise: self.exercise.id.to_string(),
                item: item.to_string(),
                source: Box::new(source),
            }),
        }
    }

    /// The starter compiles, and fails.
    fn starter(&mut self, file: &Path) -> Result<(), PackCheckError> {
        let program = match self.build("starter", file)? {
            Built::Program(program) => program,
            Built::Failed(report) => {
                let why = failing(&report);
                self.note("starter", false, format!("does not compile: {why}"));
                return Ok(());
            }
            Built::Cancelled => unreachable!("nothing cancels pack check's builds"),
        };
        let report = self.run("starter", &program)?;
        if report.passed {
            self.note(
                "starter",
                false,
                format!(
                    "passes every check (seed {}): a learner would have nothing to do",
                    report.seed
                ),
            );
        } else {
            self.note(
                "starter",
                true,
                format!("compiles and fails ({})", failing(&report)),
            );
        }
        Ok(())
    }

    /// `file` compiles and passes every check in each of `runs` runs.
    fn correct(&mut self, item: &str, file: &Path, runs: usize) -> Result<(), PackCheckError> {
        let program = match self.build(item, file)? {
            Built::Program(program) => program,
            Built::Failed(report) => {
                let why = failing(&report);
                self.note(item, false, format!("does not compile: {why}"));
                return Ok(());
            }
            Built::Cancelled => unreachable!("nothing cancels pack check's builds"),
        };
        for run in 1..=runs {
            let report = self.run(item, &program)?;
            if !report.passed {
                let message = format!(
                    "failed in run {run} of {runs} (seed {}): {}",
                    report.seed,
                    failing(&report)
                );
                self.note(item, false, message);
                return Ok(());
            }
        }
        self.note(item, true, format!("passed {runs} of {runs} runs"));
        Ok(())
    }

    /// `file` fails the check its `//! expect: <check-id>` line names, in
    /// one of `runs` runs.
    fn buggy(&mut self, item: &str, file: &Path, runs: usize) -> Result<(), PackCheckError> {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("//! expect:"))
            .map(|id| id.trim().to_string());
        let Some(expect) = expect else {
            let message = "has no `//! expect: <check-id>` line naming the check it fails";
            self.note(item, false, message.into());
            return Ok(());
        };
        if !self.exercise.checks.iter().any(|c| c.id.as_str() == expect) {
            let message = format!("expects `{expect}`, which the exercise does not declare");
            self.note(item, false, message);
            return Ok(());
        }
        let program = match self.build(item, file)? {
            Built::Program(program) => program,
            Built::Failed(_) if expect == "compile" => {
                self.note(item, true, "does not compile, as expected".into());
                return Ok(());
            }
            Built::Failed(report) => {
                let why = failing(&report);
                self.note(item, false, format!("does not compile: {why}"));
                return Ok(());
            }
            Built::Cancelled => unreachable!("nothing cancels pack check's builds"),
        };
        let mut seeds = Vec::new();
        for run in 1..=runs {
            let report = self.run(item, &program)?;
            let status = report
                .checks
                .iter()
                .find(|c| c.id.as_str() == expect)
                .map(|c| c.status);
            if status == Some(Status::Failed) {
                let message = format!("fails `{expect}` as expected (run {run})");
                self.note(item, true, message);
                return Ok(());
            }
            seeds.push(report.seed);
        }
        let message = format!(
            "never failed `{expect}` in {runs} runs (seeds {seeds:?}): the bug it shows is not \
             caught, or the file expects the wrong check"
        );
        self.note(item, false, message);
        Ok(())
    }
}

/// The checks a report did not pass, as `id: message; ...`.
fn failing(report: &Report) -> String {
    let parts: Vec<String> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.id, c.message))
        .collect();
    if parts.is_empty() {
        "every check passed".into()
    } else {
        parts.join("; ")
    }
}
