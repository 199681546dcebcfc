//! Finding submissions and checking them in parallel.

use super::discover::Submission;
use super::score::Weights;
use super::stage::{self, StageError};
use crate::engine::exercise::Exercise;
use crate::engine::report::{CheckId, Report};
use crate::engine::{self, CheckOptions, Checked, Isolation};
use crate::sandbox::Protections;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

/// Why a submission has no verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotGraded {
    /// The entry is not a gradable submission (a link, a folder without
    /// the exercise's file, two entries of one student, unreadable).
    Refused(String),
    /// The tool failed (no descriptors, a broken toolchain): never the
    /// student's fault, and the batch exits non-zero.
    Tool(String),
}

impl NotGraded {
    /// `submission` or `tool`, as JSON writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            NotGraded::Refused(_) => "submission",
            NotGraded::Tool(_) => "tool",
        }
    }

    /// The reason alone.
    pub fn reason(&self) -> &str {
        match self {
            NotGraded::Refused(r) | NotGraded::Tool(r) => r,
        }
    }
}

impl std::fmt::Display for NotGraded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotGraded::Refused(r) => write!(f, "not graded: {r}"),
            NotGraded::Tool(r) => write!(f, "not graded: tool error: {r}"),
        }
    }
}

/// One graded submission.
#[derive(Debug, Clone)]
pub struct Graded {
    /// The submission.
    pub submission: Submission,
    /// The verdict, or why there is none.
    pub outcome: Result<Report, NotGraded>,
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
    // Never more at once than descriptors and memory allow (see budget).
    let jobs = super::budget::plan(options.jobs)
        .jobs
        .clamp(1, submissions.len().max(1));
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
    let outcome = match &sub.refused {
        Some(why) => Err(NotGraded::Refused(why.clone())),
        // A fault of the tool may be passing (a descriptor or memory
        // shortage while others finish): one more try before reporting it.
        None => match check_one(exercise, sub, options) {
            Err(NotGraded::Tool(_)) => check_one(exercise, sub, options),
            other => other,
        },
    };
    let score = outcome.as_ref().map_or(0.0, |r| options.weights.score(r));
    Graded {
        submission: sub.clone(),
        outcome,
        score,
        duration: started.elapsed(),
    }
}

fn check_one(
    exercise: &'static Exercise,
    sub: &Submission,
    options: &GradeOptions,
) -> Result<Report, NotGraded> {
    // The exercise's own file name, so messages read as for `check`.
    let name = Path::new(exercise.file)
        .file_name()
        .unwrap_or(OsStr::new("solution.rs"));
    let reader = options.isolation.as_ref().map(|i| &i.sandbox);
    let staged = stage::stage(sub, name, reader).map_err(|e| match e {
        StageError::Refused(r) => NotGraded::Refused(r),
        StageError::Tool(r) => NotGraded::Tool(r),
    })?;
    let mut check = CheckOptions::new();
    if let Some(seed) = options.seed {
        check.seed = seed;
    }
    check.isolation = options.isolation.clone();
    let mut report = match engine::check(exercise, &staged.file, &check) {
        Ok(Checked::Done(report)) => report,
        Ok(Checked::Cancelled) => return Err(NotGraded::Tool("the check was cancelled".into())),
        Err(e) => {
            return Err(NotGraded::Tool(stage::unstage(
                &e.to_string(),
                &staged.file,
                &sub.shown,
            )));
        }
    };
    let real = std::fs::canonicalize(&staged.file).unwrap_or_else(|_| staged.file.clone());
    let fix = |text: &str| {
        stage::unstage(
            &stage::unstage(text, &real, &sub.shown),
            &staged.file,
            &sub.shown,
        )
    };
    report.file = sub.shown.clone();
    for c in &mut report.checks {
        c.message = fix(&c.message);
        c.detail = c.detail.as_deref().map(fix);
    }
    if let Some(fault) = tool_fault(&report) {
        return Err(NotGraded::Tool(format!(
            "rustc failed for a reason of its own, not the submission's: {fault}"
        )));
    }
    Ok(report)
}

/// A compile failure that is the machine's, not the code's: rustc reporting
/// an operating-system error (`Too many open files (os error 24)`) with no
/// source location under it. A student's `compile_error!` always has one.
pub fn tool_fault(report: &Report) -> Option<String> {
    let compile = report.check(CheckId::COMPILE)?;
    if compile.passed {
        return None;
    }
    let detail = compile.detail.as_deref()?;
    let lines: Vec<&str> = detail.lines().collect();
    lines.iter().enumerate().find_map(|(i, line)| {
        if !(line.starts_with("error: ") && line.contains("(os error ")) {
            return None;
        }
        let located = lines[i + 1..]
            .iter()
            .take_while(|l| !l.trim().is_empty() && !l.starts_with("error"))
            .any(|l| l.trim_start().starts_with("--> "));
        (!located).then(|| line.trim_start_matches("error: ").to_string())
    })
}
