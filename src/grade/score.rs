//! Scores from per-check weights.

use super::GradeError;
use crate::engine::exercise::Exercise;
use crate::engine::report::{CheckId, Report};
use std::collections::BTreeMap;
use std::path::Path;

/// Points per check. By default `compile` is worth 0 and every other check
/// of the exercise an equal share of 100.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    points: Vec<(CheckId, f64)>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsFile {
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

impl Weights {
    /// The default weights of `exercise`: its declared weights scaled to
    /// add up to 100 (`compile` is declared 0; equal weights give every
    /// other check an equal share).
    pub fn default_for(exercise: &Exercise) -> Weights {
        let total: f64 = exercise.checks.iter().map(|c| c.weight).sum();
        let scale = if total > 0.0 { 100.0 / total } else { 0.0 };
        Weights {
            points: exercise
                .checks
                .iter()
                .map(|c| (c.id, c.weight * scale))
                .collect(),
        }
    }

    /// The defaults, overridden by a TOML text with a `[weights]` table
    /// (`linearizable = 20`). Checks it does not name keep their default.
    pub fn parse(exercise: &Exercise, text: &str) -> Result<Weights, GradeError> {
        let file: WeightsFile = toml::from_str(text)
            .map_err(|e| GradeError::Weights(format!("invalid weights file: {e}")))?;
        let mut weights = Weights::default_for(exercise);
        for (name, value) in file.weights {
            let Some(slot) = weights
                .points
                .iter_mut()
                .find(|(id, _)| id.as_str() == name)
            else {
                let known: Vec<&str> = exercise.check_ids().map(CheckId::as_str).collect();
                return Err(GradeError::Weights(format!(
                    "the weights file names an unknown check {name:?}; the checks of {} are: {}",
                    exercise.id,
                    known.join(", ")
                )));
            };
            if !value.is_finite() || value < 0.0 {
                return Err(GradeError::Weights(format!(
                    "the weight of {name} must be a number of at least 0, not {value}"
                )));
            }
            slot.1 = value;
        }
        Ok(weights)
    }

    /// Reads a weights file (see [`Weights::parse`]).
    pub fn load(exercise: &Exercise, path: &Path) -> Result<Weights, GradeError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            GradeError::Weights(format!(
                "cannot read the weights file {}: {e}",
                path.display()
            ))
        })?;
        Weights::parse(exercise, &text)
    }

    /// The weight of one check (0 for a check the exercise lacks).
    pub fn of(&self, id: CheckId) -> f64 {
        self.points
            .iter()
            .find(|(c, _)| *c == id)
            .map_or(0.0, |(_, w)| *w)
    }

    /// Weights as given, checks of the exercise not named get 0 (for
    /// `grade merge`, which reads them back from a JSON report).
    pub fn from_points(exercise: &Exercise, given: &BTreeMap<String, f64>) -> Weights {
        Weights {
            points: exercise
                .check_ids()
                .map(|id| (id, given.get(id.as_str()).copied().unwrap_or(0.0)))
                .collect(),
        }
    }

    /// Every check's weight by id, in the exercise's order.
    pub fn points(&self) -> &[(CheckId, f64)] {
        &self.points
    }

    /// The most points a submission can get.
    pub fn max(&self) -> f64 {
        self.points.iter().map(|(_, w)| w).sum()
    }

    /// The points a report earns: the weights of the passed checks.
    pub fn score(&self, report: &Report) -> f64 {
        let raw: f64 = report
            .checks
            .iter()
            .filter(|c| c.passed)
            .map(|c| self.of(c.id))
            .sum();
        round2(raw)
    }
}

/// Rounds to two decimals (12.5 stays, 33.333… becomes 33.33). Never
/// negative zero: an empty sum of floats is `-0.0`, which reports would
/// print as `-0`.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}
