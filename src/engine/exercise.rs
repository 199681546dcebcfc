//! What an exercise is, as the engine sees it: the contract every pack's
//! exercise fills in. The definition comes from the exercise's folder
//! (`exercise.toml`, `starter.rs`, `solution.rs`, `glue.rs`), its judge is
//! code (built in, or a separate program for a teacher's pack).

use crate::engine::judge::{CheckId, CheckResult, Ending, JudgeFn, PhaseRun, Runs};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One exercise.
pub struct Exercise {
    /// The id used on the command line (`counter`): the folder's name.
    pub id: &'static str,
    /// Title shown in the course menu.
    pub title: &'static str,
    /// The file the learner edits, relative to the project root.
    pub file: &'static str,
    /// The starter file as shipped (for resetting an exercise).
    pub starter: &'static str,
    /// The reference solution (shown after the exercise is passed).
    pub reference: &'static str,
    /// What the tutor says about it: task, hints, discussion, course place.
    pub text: ExerciseText,
    /// The checks this exercise reports, in report order (`compile` first).
    pub checks: Vec<CheckSpec>,
    /// The harness phases to run, one process each.
    pub phases: Vec<&'static str>,
    /// Paths the learner's file may not use (`crossbeam_channel`,
    /// `std::sync::mpsc`): a use of one is refused before compiling, with
    /// [`Exercise::forbid_why`] as the reason, and a forbidden
    /// `crossbeam_channel` is not even linked.
    pub forbid: Vec<&'static str>,
    /// Why the [`Exercise::forbid`] paths are refused, for the message.
    pub forbid_why: &'static str,
    /// `glue.rs`: binds the learner's methods to the driver's trait.
    pub glue: &'static str,
    /// Judges the phases' observations into one result per check.
    pub judge: Judge,
    /// The driver code of the exercise's pack (every exercise of a pack
    /// shares one).
    pub drivers: &'static DriverCrate,
}

/// A pack's driver code: compiled once into the cache as the crate
/// `threadlings_pack` against the prebuilt harness, one module per
/// exercise.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DriverCrate {
    /// `(module name, driver.rs source)`, one per exercise.
    pub modules: Vec<(String, String)>,
}

/// What the tutor shows about an exercise besides its source files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExerciseText {
    /// A short paragraph saying what to build.
    pub task: String,
    /// Two or three hints, from gentle to nearly the answer.
    pub hints: Vec<String>,
    /// Shown once the exercise passes.
    pub discussion: String,
    /// The lesson the exercise follows in the course.
    pub after: String,
    /// The exercise's own `quiz.toml`, if it has one: `[[question]]` items,
    /// asked with the quiz of the lesson `after` (the course parses them).
    pub quiz: Option<String>,
}

/// What a failing check can draw for the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Picture {
    /// Nothing beyond its message.
    None,
    /// The calls around the failure, one lane per thread.
    History,
    /// What was sent and what was applied.
    Accounting,
}

/// One declared check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    /// Its id (`lost-messages`).
    pub id: CheckId,
    /// One line saying what it checks.
    pub description: String,
    /// Its default weight, relative to the exercise's other checks.
    pub weight: f64,
    /// What a failure can draw.
    pub picture: Picture,
    /// The phases its judgement reads (`phases` in exercise.toml), `None`
    /// for every phase. Once these have ended the engine judges it and
    /// tells its result at once, before the other phases are done.
    pub phases: Option<Vec<&'static str>>,
}

/// Who judges an exercise's runs.
#[derive(Clone)]
pub enum Judge {
    /// A judge compiled into the tool (the built-in pack).
    BuiltIn(JudgeFn),
    /// A judge program built from a teacher's pack: runs as JSON on stdin,
    /// results as JSON on stdout (see [`crate::pack`]).
    Program {
        /// The executable.
        path: PathBuf,
        /// The exercise id it is asked to judge.
        exercise: String,
    },
}

impl std::fmt::Debug for Exercise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exercise").field("id", &self.id).finish()
    }
}

/// A judge that broke the contract, or could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgeError {
    /// It returned other checks than the exercise declares.
    #[error(
        "exercise `{exercise}`: its judge returned the checks [{returned}], but exercise.toml \
         declares [{declared}] (after `compile`, in the same order); {first}"
    )]
    Mismatch {
        /// The exercise.
        exercise: String,
        /// What the judge returned.
        returned: String,
        /// What the exercise declares.
        declared: String,
        /// The first id that differs, in words.
        first: String,
    },
    /// The judge program failed.
    #[error("exercise `{exercise}`: its judge failed: {message}")]
    Failed {
        /// The exercise.
        exercise: String,
        /// What went wrong.
        message: String,
    },
}

impl Exercise {
    /// The ids of the declared checks, in report order.
    pub fn check_ids(&self) -> impl Iterator<Item = CheckId> + '_ {
        self.checks.iter().map(|c| c.id)
    }

    /// The phases check `spec` reads: those it declares, else every one.
    pub fn phases_of<'a>(&'a self, spec: &'a CheckSpec) -> &'a [&'static str] {
        spec.phases.as_deref().unwrap_or(&self.phases)
    }

    /// The declared check `id`.
    pub fn check(&self, id: CheckId) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The program compiled with the learner's file: the lines the tool
    /// prepends, then the exercise's `glue.rs`.
    pub fn glue_program(&self, solution: &Path) -> String {
        format!(
            "// Generated by threadlings: joins your file to the tutor's checks.\n\
             // An error below this line means a signature in your file differs from\n\
             // the exercise's API (see the doc comments in the starter file).\n\
             #![forbid(unsafe_code)]\n\n\
             #[path = {path:?}]\nmod solution;\n\n\
             #[allow(unused_imports)]\nuse threadlings_pack::{module} as driver;\n\n{glue}",
            path = solution.display().to_string(),
            module = module_name(self.id),
            glue = self.glue,
        )
    }

    /// Judges `runs` (one per declared phase) into one result per declared
    /// check after `compile`, verifying that the judge kept to them.
    pub fn judge(&self, runs: Vec<PhaseRun>) -> Result<Vec<CheckResult>, JudgeError> {
        let runs = Runs::new(runs, self.check_ids().skip(1).collect());
        let results = match &self.judge {
            Judge::BuiltIn(judge) => judge(&runs),
            Judge::Program { path, exercise } => {
                crate::pack::judge_program::run(path, exercise, &runs).map_err(|message| {
                    JudgeError::Failed {
                        exercise: self.id.to_string(),
                        message,
                    }
                })?
            }
        };
        self.verify(&results)?;
        Ok(results)
    }

    /// Checks that `results` are exactly the declared checks after
    /// `compile`, in order.
    pub fn verify(&self, results: &[CheckResult]) -> Result<(), JudgeError> {
        let declared: Vec<CheckId> = self.check_ids().skip(1).collect();
        let returned: Vec<CheckId> = results.iter().map(|r| r.id).collect();
        if declared == returned {
            return Ok(());
        }
        let first = match declared.iter().zip(&returned).find(|(d, r)| d != r) {
            Some((d, r)) => format!("it returned `{r}` where `{d}` was declared"),
            None if returned.len() > declared.len() => {
                format!(
                    "it returned `{}`, which is not declared",
                    returned[declared.len()]
                )
            }
            None => format!(
                "it did not return the declared `{}`",
                declared[returned.len()]
            ),
        };
        let join = |ids: &[CheckId]| {
            ids.iter()
                .map(|id| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(JudgeError::Mismatch {
            exercise: self.id.to_string(),
            returned: join(&returned),
            declared: join(&declared),
            first,
        })
    }

    /// Runs the judge once on phases that recorded nothing, to verify at
    /// load time that it reports exactly the declared checks.
    pub fn verify_judge(&self) -> Result<(), JudgeError> {
        let empty = self
            .phases
            .iter()
            .map(|&phase| PhaseRun {
                phase: phase.to_string(),
                records: Vec::new(),
                ending: Ending::Exited(0),
                stderr_tail: String::new(),
            })
            .collect();
        self.judge(empty).map(|_| ())
    }
}

/// An exercise id as a Rust module name (`graceful-shutdown` ->
/// `graceful_shutdown`).
pub fn module_name(id: &str) -> String {
    id.replace('-', "_")
}
