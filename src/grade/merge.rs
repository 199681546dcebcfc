//! `grade merge`: the JSON reports of `grade --partition k/n`, read back
//! and joined into one batch, so any format can be written from shares
//! graded on different machines.

use super::GradeError;
use super::batch::{Graded, NotGraded};
use super::discover::Submission;
use super::format::Part;
use super::score::Weights;
use crate::engine::exercise::Exercise;
use crate::engine::report::{CheckResult, Report, Timings};
use crate::exercise;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A whole class, joined from its shares.
#[derive(Debug)]
pub struct Merged {
    /// The exercise every share graded.
    pub exercise: &'static Exercise,
    /// The weights every share used.
    pub weights: Weights,
    /// Every entry, in the order a single run lists them.
    pub graded: Vec<Graded>,
}

#[derive(Deserialize)]
struct PartFile {
    exercise: String,
    weights: BTreeMap<String, f64>,
    partition: Option<Part>,
    students: Vec<StudentRow>,
}

#[derive(Deserialize)]
struct StudentRow {
    student: String,
    file: String,
    score: f64,
    duration_ms: u64,
    seed: Option<u64>,
    timings: Option<TimingsRow>,
    checks: Vec<CheckRow>,
    protections: Option<crate::sandbox::Protections>,
    error: Option<String>,
    error_kind: Option<String>,
}

#[derive(Deserialize)]
struct TimingsRow {
    prepare_ms: u64,
    compile_ms: u64,
    run_ms: u64,
}

#[derive(Deserialize)]
struct CheckRow {
    id: String,
    status: String,
    message: String,
    detail: Option<String>,
}

/// Joins the shares given as `(name, JSON text)`: one exercise, one set of
/// weights, shares `1..=n` of one `n` each exactly once.
pub fn merge(parts: &[(String, String)]) -> Result<Merged, GradeError> {
    let err = |m: String| GradeError::Merge(m);
    let mut seen: BTreeMap<usize, String> = BTreeMap::new();
    let mut first: Option<(String, BTreeMap<String, f64>, usize, usize)> = None;
    // (index in the whole directory's sorted list, row)
    let mut rows = Vec::new();
    for (name, text) in parts {
        let file: PartFile = serde_json::from_str(text).map_err(|e| {
            err(format!(
                "{name} is not a JSON report of `threadlings grade --partition k/n --format json`: {e}"
            ))
        })?;
        let Some(part) = file.partition else {
            return Err(err(format!(
                "{name} is a report of a whole class, not of a share (--partition k/n)"
            )));
        };
        match &first {
            None => {
                first = Some((
                    file.exercise.clone(),
                    file.weights.clone(),
                    part.n,
                    part.entries,
                ))
            }
            Some((ex, w, n, entries)) => {
                if *ex != file.exercise || *w != file.weights {
                    return Err(err(format!(
                        "{name} grades {} with other weights, or another exercise, than the first report ({ex})",
                        file.exercise
                    )));
                }
                if *n != part.n || *entries != part.entries {
                    return Err(err(format!(
                        "{name} is share {}/{} of {} entries, which does not fit the others ({} shares of {entries} entries); \
                         were they made from the same directory?",
                        part.k, part.n, part.entries, n
                    )));
                }
            }
        }
        if let Some(other) = seen.insert(part.k, name.clone()) {
            return Err(err(format!(
                "{other} and {name} are both share {}/{}",
                part.k, part.n
            )));
        }
        if part.k == 0 || part.k > part.n {
            return Err(err(format!("{name} claims share {}/{}", part.k, part.n)));
        }
        // Share k holds entries k-1, k-1+n, ... of the sorted directory.
        rows.extend(
            file.students
                .into_iter()
                .enumerate()
                .map(|(j, row)| (j * part.n + part.k - 1, row)),
        );
    }
    let Some((exercise_id, weights, n, entries)) = first else {
        return Err(err("grade merge needs at least one report".into()));
    };
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(err(format!(
            "shares missing: {} (every share 1/{n}..{n}/{n} is needed, or students would be lost)",
            missing.join(", ")
        )));
    }
    if rows.len() != entries {
        return Err(err(format!(
            "the shares list {} entries, but the directory held {entries}",
            rows.len()
        )));
    }
    let exercise = exercise::find(&exercise_id).ok_or_else(|| {
        err(format!(
            "the reports grade an unknown exercise {exercise_id:?}"
        ))
    })?;
    let weights = Weights::from_points(exercise, &weights);
    rows.sort_by_key(|(i, _)| *i);
    if rows.iter().enumerate().any(|(want, (i, _))| want != *i) {
        return Err(err(
            "the shares do not hold the entries their partition says they do".into(),
        ));
    }
    let graded = rows
        .into_iter()
        .map(|(_, row)| graded_of(exercise, row))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Merged {
        exercise,
        weights,
        graded,
    })
}

fn graded_of(exercise: &'static Exercise, row: StudentRow) -> Result<Graded, GradeError> {
    let outcome = match (row.error, row.error_kind.as_deref()) {
        (Some(e), kind) => {
            let reason = e
                .strip_prefix("not graded: ")
                .unwrap_or(&e)
                .trim_start_matches("tool error: ")
                .to_string();
            Err(match kind {
                Some("tool") => NotGraded::Tool(reason),
                _ => NotGraded::Refused(reason),
            })
        }
        (None, _) => {
            let mut checks = Vec::new();
            for c in row.checks {
                let id = exercise
                    .check_ids()
                    .find(|id| id.as_str() == c.id)
                    .ok_or_else(|| {
                        GradeError::Merge(format!(
                            "{}: unknown check {:?} for {}",
                            row.student, c.id, exercise.id
                        ))
                    })?;
                let mut result = match c.status.as_str() {
                    "passed" => CheckResult::pass(id, c.message),
                    "failed" => CheckResult::fail(id, c.message),
                    _ => CheckResult::not_checked(id, c.message),
                };
                result.detail = c.detail;
                checks.push(result);
            }
            let mut report = Report::new(exercise.id, &row.file, row.seed.unwrap_or(0), checks);
            if let Some(t) = row.timings {
                report.timings = Timings {
                    prepare_ms: t.prepare_ms,
                    compile_ms: t.compile_ms,
                    run_ms: t.run_ms,
                };
            }
            report.protections = row.protections;
            Ok(report)
        }
    };
    Ok(Graded {
        submission: Submission {
            student: row.student,
            entry: PathBuf::from(&row.file),
            inner: None,
            shown: row.file,
            refused: None,
        },
        outcome,
        score: row.score,
        duration: Duration::from_millis(row.duration_ms),
    })
}
