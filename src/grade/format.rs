//! The batch in the formats grading platforms read.

mod junit;

use super::GradeError;
use super::batch::Graded;
use super::score::{Weights, round2};
use crate::engine::exercise::Exercise;
use crate::engine::report::{CheckId, Status};
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

impl Format {
    /// The file name `--output-dir` writes this format to.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "report.json",
            Format::Junit => "report.xml",
            Format::Gradescope => "results.json",
            Format::Csv => "report.csv",
            Format::Text => "report.txt",
        }
    }
}

/// Which share of a class a report covers (`grade --partition k/n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// This share, from 1.
    pub k: usize,
    /// The number of shares.
    pub n: usize,
    /// Entries in the whole directory (all shares together).
    pub entries: usize,
}

/// Renders the batch in `format`.
pub fn render(
    format: Format,
    exercise: &Exercise,
    graded: &[Graded],
    weights: &Weights,
) -> Result<String, GradeError> {
    render_part(format, exercise, graded, weights, None)
}

/// Renders one share of a class; JSON records the share, for `grade merge`.
pub fn render_part(
    format: Format,
    exercise: &Exercise,
    graded: &[Graded],
    weights: &Weights,
    part: Option<Part>,
) -> Result<String, GradeError> {
    Ok(match format {
        Format::Json => json_batch(exercise, graded, weights, part),
        Format::Junit => junit::render(exercise, graded, weights),
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

fn json_batch(
    exercise: &Exercise,
    graded: &[Graded],
    weights: &Weights,
    part: Option<Part>,
) -> String {
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
                "file": g.submission.shown,
                "verdict": g.verdict(),
                "score": g.score,
                "max_score": round2(weights.max()),
                "duration_ms": g.duration.as_millis() as u64,
                "seed": seed,
                "timings": timings,
                "checks": checks,
                "protections": g.protections(),
                "error": g.outcome.as_ref().err().map(ToString::to_string),
                "error_kind": g.outcome.as_ref().err().map(|e| e.kind()),
            })
        })
        .collect();
    let points: serde_json::Map<String, Value> = weights
        .points()
        .iter()
        .map(|(id, w)| (id.as_str().to_string(), json!(round2(*w))))
        .collect();
    let mut value = json!({
        "exercise": exercise.id,
        "max_score": round2(weights.max()),
        "weights": points,
        "protections": batch_protections(graded),
        "students": students,
    });
    if let Some(part) = part {
        value["partition"] = json!(part);
    }
    serde_json::to_string_pretty(&value).expect("JSON values serialise") + "\n"
}

fn gradescope(g: &Graded, weights: &Weights) -> String {
    let mut output = format!(
        "{} ({}): {}\nSandbox: {}\n",
        g.submission.student,
        g.submission.shown,
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
            let _ = writeln!(output, "{e}");
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

/// A CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@`, tab
/// or carriage return defused with `'` so spreadsheets show it as text
/// instead of running it as a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn cell(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Passed) => "pass",
        Some(Status::Failed) => "fail",
        Some(Status::NotChecked) | None => "not-checked",
    }
}

fn status_of(g: &Graded, id: CheckId) -> Option<Status> {
    g.outcome
        .as_ref()
        .ok()
        .and_then(|r| r.check(id))
        .map(|c| c.status)
}

fn csv(exercise: &Exercise, graded: &[Graded]) -> String {
    let mut out = String::from("student,verdict,score");
    for id in exercise.check_ids() {
        out.push(',');
        out.push_str(id.as_str());
    }
    out.push_str(",error\n");
    for g in graded {
        let _ = write!(
            out,
            "{},{},{}",
            csv_field(&g.submission.student),
            g.verdict(),
            g.score
        );
        for id in exercise.check_ids() {
            out.push(',');
            out.push_str(cell(status_of(g, id)));
        }
        out.push(',');
        if let Err(e) = &g.outcome {
            out.push_str(&csv_field(&e.to_string()));
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
    for id in exercise.check_ids() {
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
        for id in exercise.check_ids() {
            let mark = match status_of(g, id) {
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
                let mut failing = r.checks.iter().filter(|c| !c.passed).peekable();
                if failing.peek().is_some() {
                    let _ = writeln!(out, "\n{}:", g.submission.student);
                }
                for c in failing {
                    let _ = writeln!(out, "    {:<15} {}", c.id.as_str(), c.message);
                    // rustc's messages, promised by the compile row.
                    if c.id == CheckId::COMPILE
                        && let Some(detail) = &c.detail
                    {
                        for line in detail.lines() {
                            let _ = writeln!(out, "        {line}");
                        }
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(out, "\n{}: {e}", g.submission.student);
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
        "graded {}: {passed} passed every check, {errors} not graded",
        match graded.len() {
            1 => "1 entry".to_string(),
            n => format!("{n} entries"),
        }
    );
    let _ = writeln!(
        out,
        "  {:<15} {:>6} {:>12}",
        "check", "failed", "not-checked"
    );
    for id in exercise.check_ids() {
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
