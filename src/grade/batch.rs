//! Finding submissions and checking them in parallel.

use super::GradeError;
use super::score::Weights;
use crate::engine::report::Report;
use crate::engine::{self, CheckOptions, Checked, Isolation};
use crate::exercise::Exercise;
use crate::sandbox::Protections;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One student's submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The file or folder name, without `.rs`.
    pub student: String,
    /// The file to check.
    pub file: PathBuf,
}

/// Finds the submissions in `dir`: every `<student>.rs`, and every
/// `<student>/` folder holding the exercise's file (e.g. `counter.rs`) or a
/// single `.rs` file. Sorted by student name.
pub fn discover(dir: &Path, exercise: &Exercise) -> Result<Vec<Submission>, GradeError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        GradeError::Submissions(format!(
            "cannot read the submissions directory {}: {e}",
            dir.display()
        ))
    })?;
    let wanted = Path::new(exercise.file)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_file() {
            if let Some(student) = name.strip_suffix(".rs") {
                found.push(Submission {
                    student: student.to_string(),
                    file: path,
                });
            }
        } else if path.is_dir() {
            let exact = path.join(&wanted);
            if exact.is_file() {
                found.push(Submission {
                    student: name,
                    file: exact,
                });
                continue;
            }
            let rs: Vec<PathBuf> = std::fs::read_dir(&path)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rs"))
                        .collect()
                })
                .unwrap_or_default();
            match rs.as_slice() {
                [one] => found.push(Submission {
                    student: name,
                    file: one.clone(),
                }),
                [] => problems.push(format!("{name}/ holds no .rs file")),
                _ => problems.push(format!(
                    "{name}/ holds several .rs files and no {}",
                    wanted.to_string_lossy()
                )),
            }
        }
    }
    if found.is_empty() {
        let why = if problems.is_empty() {
            String::new()
        } else {
            format!(" ({})", problems.join("; "))
        };
        return Err(GradeError::Submissions(format!(
            "no submissions in {}: expected <student>.rs files or <student>/ folders holding {}{why}",
            dir.display(),
            wanted.to_string_lossy()
        )));
    }
    found.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(found)
}

/// How to grade a batch.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// Submissions checked at once.
    pub jobs: usize,
    /// The sandbox; `None` grades without isolation (trusted code only).
    pub isolation: Option<Isolation>,
    /// Points per check.
    pub weights: Weights,
    /// The workload seed of every check; `None` draws one per submission.
    pub seed: Option<u64>,
}

/// One graded submission.
#[derive(Debug, Clone)]
pub struct Graded {
    /// The submission.
    pub submission: Submission,
    /// The verdict, or why the tool could not produce one.
    pub outcome: Result<Report, String>,
    /// Points earned (0 without a report).
    pub score: f64,
    /// Wall time spent on this submission.
    pub duration: Duration,
}

impl Graded {
    /// `passed`, `failed`, or `error` (the tool could not check it).
    pub fn verdict(&self) -> &'static str {
        match &self.outcome {
            Ok(r) if r.passed => "passed",
            Ok(_) => "failed",
            Err(_) => "error",
        }
    }

    /// The protections active while checking it.
    pub fn protections(&self) -> Option<Protections> {
        self.outcome.as_ref().ok().and_then(|r| r.protections)
    }
}

/// Progress of a batch, for a front end.
#[derive(Debug)]
pub enum Event<'a> {
    /// A submission started.
    Started(&'a Submission),
    /// A submission is graded.
    Finished(&'a Graded),
}

/// Grades every submission, `options.jobs` at a time, and returns the
/// results in the submissions' order. `progress` is called from the worker
/// threads.
pub fn grade(
    exercise: &'static Exercise,
    submissions: &[Submission],
    options: &GradeOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Vec<Graded> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Graded>>> = Mutex::new(vec![None; submissions.len()]);
    let jobs = options.jobs.clamp(1, submissions.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(sub) = submissions.get(i) else { break };
                    progress(Event::Started(sub));
                    let graded = grade_one(exercise, sub, options);
                    progress(Event::Finished(&graded));
                    results.lock().expect("no panics while locked")[i] = Some(graded);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no panics while locked")
        .into_iter()
        .map(|g| g.expect("every submission graded"))
        .collect()
}

fn grade_one(exercise: &'static Exercise, sub: &Submission, options: &GradeOptions) -> Graded {
    let started = Instant::now();
    let mut check = CheckOptions::new();
    if let Some(seed) = options.seed {
        check.seed = seed;
    }
    check.isolation = options.isolation.clone();
    let outcome = match engine::check(exercise, &sub.file, &check) {
        Ok(Checked::Done(report)) => Ok(report),
        Ok(Checked::Cancelled) => Err("the check was cancelled".to_string()),
        Err(e) => Err(e.to_string()),
    };
    let score = outcome.as_ref().map_or(0.0, |r| options.weights.score(r));
    Graded {
        submission: sub.clone(),
        outcome,
        score,
        duration: started.elapsed(),
    }
}
