//! The batch in the formats grading platforms read.

use super::GradeError;
use super::batch::Graded;
use super::score::{Weights, round2};
use crate::engine::report::Status;
use crate::exercise::Exercise;
use crate::sandbox::Protections;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// An output format of `threadlings grade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object for the whole batch.
    Json,
    /// JUnit XML: a testsuite per student, a testcase per check.
    Junit,
    /// Gradescope's `results.json` (one submission).
    Gradescope,
    /// `student,score,<check ids...>`, one row per student.
    Csv,
    /// A table for people.
    Text,
}

/// Renders the batch in `format`.
pub fn render(
    format: Format,
    exercise: &Exercise,
    graded: &[Graded],
    weights: &Weights,
) -> Result<String, GradeError> {
    Ok(match format {
        Format::Json => json_batch(exercise, graded, weights),
        Format::Junit => junit(graded),
        Format::Gradescope => match graded {
            [one] => gradescope(one, weights),
            _ => {
                return Err(GradeError::Format(format!(
                    "the gradescope format describes one submission, but there are {}; \
                     Gradescope grades one submission per container (see docs/grading.md)",
                    graded.len()
                )));
            }
        },
        Format::Csv => csv(exercise, graded),
        Format::Text => text(exercise, graded, weights),
    })
}

/// The protections as `on: a, b; off: c` for people.
pub fn describe_protections(p: Option<Protections>) -> String {
    let Some(p) = p else {
        return "no sandbox (unisolated)".to_string();
    };
    let all = [
        ("landlock-fs", p.landlock_fs),
        ("landlock-net", p.landlock_net),
        ("landlock-scopes", p.landlock_scopes),
        ("net-namespace", p.net_namespace),
        ("pid-namespace", p.pid_namespace),
        ("user-namespace", p.user_namespace),
        ("mount-namespace", p.mount_namespace),
        ("unprivileged-uid", p.unprivileged_uid),
        ("rlimits", p.rlimits),
    ];
    let on: Vec<&str> = all.iter().filter(|(_, b)| *b).map(|(n, _)| *n).collect();
    let off: Vec<&str> = all.iter().filter(|(_, b)| !*b).map(|(n, _)| *n).collect();
    let mut s = format!(
        "active: {}",
        if on.is_empty() {
            "none".into()
        } else {
            on.join(", ")
        }
    );
    if !off.is_empty() {
        let _ = write!(s, "; unavailable or unused: {}", off.join(", "));
    }
    let _ = write!(s, " (Landlock ABI {})", p.landlock_abi);
    s
}

/// The protections common to a batch (those of its first checked report).
fn batch_protections(graded: &[Graded]) -> Option<Protections> {
    graded.iter().find_map(Graded::protections)
}

fn json_batch(exercise: &Exercise, graded: &[Graded], weights: &Weights) -> String {
    let students: Vec<Value> = graded
        .iter()
        .map(|g| {
            let (checks, seed, timings) = match &g.outcome {
                Ok(r) => (
                    r.checks
                        .iter()
                        .map(|c| {
                            let mut v = json!({
                                "id": c.id,
                                "status": c.status,
                                "passed": c.passed,
                                "message": c.message,
                                "weight": round2(weights.of(c.id)),
                                "score": if c.passed { round2(weights.of(c.id)) } else { 0.0 },
                            });
                            if let Some(d) = &c.detail {
                                v["detail"] = json!(d);
                            }
                            v
                        })
                        .collect::<Vec<_>>(),
                    json!(r.seed),
                    json!(r.timings),
                ),
                Err(_) => (Vec::new(), Value::Null, Value::Null),
            };
            json!({
                "student": g.submission.student,
                "file": g.submission.file.display().to_string(),
                "verdict": g.verdict(),
                "score": g.score,
                "max_score": round2(weights.max()),
                "duration_ms": g.duration.as_millis() as u64,
                "seed": seed,
                "timings": timings,
                "checks": checks,
                "protections": g.protections(),
                "error": g.outcome.as_ref().err(),
            })
        })
        .collect();
    let value = json!({
        "exercise": exercise.id,
        "max_score": round2(weights.max()),
        "protections": batch_protections(graded),
        "students": students,
    });
    serde_json::to_string_pretty(&value).expect("JSON values serialise") + "\n"
}

fn junit(graded: &[Graded]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("threadlings-grade");
    let mut total = std::time::Duration::ZERO;
    for g in graded {
        total += g.duration;
        let mut suite = TestSuite::new(g.submission.student.as_str());
        suite.set_time(g.duration);
        match &g.outcome {
            Ok(r) => {
                for c in &r.checks {
                    let status = match c.status {
                        Status::Passed => TestCaseStatus::success(),
                        Status::Failed | Status::NotChecked => {
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            s.set_message(c.message.as_str());
                            s.set_type(match c.status {
                                Status::Failed => "failed",
                                _ => "not-checked",
                            });
                            if let Some(d) = &c.detail {
                                s.set_description(d.as_str());
                            }
                            s
                        }
                    };
                    let mut case = TestCase::new(c.id.as_str(), status);
                    case.set_classname(format!("{}.{}", r.exercise, g.submission.student));
                    suite.add_test_case(case);
                }
                if let Some(p) = r.protections {
                    suite.add_property(("protections", describe_protections(Some(p)).as_str()));
                }
            }
            Err(e) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(e.as_str());
                suite.add_test_case(TestCase::new("grade", s));
            }
        }
        report.add_test_suite(suite);
    }
    report.set_time(total);
    report.to_string().expect("JUnit serialises") + "\n"
}

fn gradescope(g: &Graded, weights: &Weights) -> String {
    let mut output = format!(
        "{} ({}): {}\nSandbox: {}\n",
        g.submission.student,
        g.submission.file.display(),
        g.verdict(),
        describe_protections(g.protections())
    );
    let tests: Vec<Value> = match &g.outcome {
        Ok(r) => {
            let _ = writeln!(output, "seed {}", r.seed);
            r.checks
                .iter()
                .map(|c| {
                    let max = round2(weights.of(c.id));
                    let mut text = c.message.clone();
                    if c.status != Status::Passed
                        && let Some(d) = &c.detail
                    {
                        text.push_str("\n\n");
                        text.push_str(d);
                    }
                    json!({
                        "name": c.id.as_str(),
                        "score": if c.passed { max } else { 0.0 },
                        "max_score": max,
                        "status": if c.passed { "passed" } else { "failed" },
                        "output": text,
                        "visibility": "visible",
                    })
                })
                .collect()
        }
        Err(e) => {
            let _ = writeln!(output, "the grader could not check this submission: {e}");
            Vec::new()
        }
    };
    let value = json!({
        "score": g.score,
        "execution_time": g.duration.as_secs(),
        "output": output,
        "tests": tests,
    });
    serde_json::to_string_pretty(&value).expect("JSON values serialise") + "\n"
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cell(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Passed) => "pass",
        Some(Status::Failed) => "fail",
        Some(Status::NotChecked) | None => "not-checked",
    }
}

fn csv(exercise: &Exercise, graded: &[Graded]) -> String {
    let mut out = String::from("student,score");
    for id in exercise.checks {
        out.push(',');
        out.push_str(id.as_str());
    }
    out.push('\n');
    for g in graded {
        let _ = write!(out, "{},{}", csv_field(&g.submission.student), g.score);
        for &id in exercise.checks {
            let status = g
                .outcome
                .as_ref()
                .ok()
                .and_then(|r| r.check(id))
                .map(|c| c.status);
            out.push(',');
            out.push_str(cell(status));
        }
        out.push('\n');
    }
    out
}

fn text(exercise: &Exercise, graded: &[Graded], weights: &Weights) -> String {
    let width = graded
        .iter()
        .map(|g| g.submission.student.chars().count())
        .max()
        .unwrap_or(0)
        .max("student".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of {} (score out of {})",
        crate::engine::judge::count_of(graded.len(), "submission"),
        exercise.id,
        round2(weights.max())
    );
    let _ = writeln!(
        out,
        "sandbox: {}",
        describe_protections(batch_protections(graded))
    );
    let _ = write!(
        out,
        "{:<width$}  {:>6}  {:<7}",
        "student", "score", "verdict"
    );
    for id in exercise.checks {
        let _ = write!(out, "  {}", id.as_str());
    }
    out.push('\n');
    for g in graded {
        let _ = write!(
            out,
            "{:<width$}  {:>6}  {:<7}",
            g.submission.student,
            g.score,
            g.verdict()
        );
        for &id in exercise.checks {
            let status = g
                .outcome
                .as_ref()
                .ok()
                .and_then(|r| r.check(id))
                .map(|c| c.status);
            let mark = match status {
                Some(Status::Passed) => "pass",
                Some(Status::Failed) => "FAIL",
                _ => "----",
            };
            let _ = write!(out, "  {:<w$}", mark, w = id.as_str().len());
        }
        out.push('\n');
    }
    for g in graded {
        match &g.outcome {
            Ok(r) => {
                let failing: Vec<String> = r
                    .checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| format!("    {:<15} {}", c.id.as_str(), c.message))
                    .collect();
                if !failing.is_empty() {
                    let _ = writeln!(out, "\n{}:", g.submission.student);
                    for line in failing {
                        let _ = writeln!(out, "{line}");
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(out, "\n{}: could not be checked: {e}", g.submission.student);
            }
        }
    }
    out
}

/// Per check, how many submissions failed it or left it not checked; for
/// the end-of-batch summary.
pub fn summary(exercise: &Exercise, graded: &[Graded]) -> String {
    let mut out = String::new();
    let errors = graded.iter().filter(|g| g.outcome.is_err()).count();
    let passed = graded.iter().filter(|g| g.verdict() == "passed").count();
    let _ = writeln!(
        out,
        "graded {}: {passed} passed every check, {errors} could not be checked",
        crate::engine::judge::count_of(graded.len(), "submission")
    );
    let _ = writeln!(
        out,
        "  {:<15} {:>6} {:>12}",
        "check", "failed", "not-checked"
    );
    for &id in exercise.checks {
        let count = |s: Status| {
            graded
                .iter()
                .filter(|g| {
                    g.outcome
                        .as_ref()
                        .ok()
                        .and_then(|r| r.check(id))
                        .is_some_and(|c| c.status == s)
                })
                .count()
        };
        let _ = writeln!(
            out,
            "  {:<15} {:>6} {:>12}",
            id.as_str(),
            count(Status::Failed),
            count(Status::NotChecked)
        );
    }
    out
}
