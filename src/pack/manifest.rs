//! `pack.toml` and `exercise.toml`: parsing and validating a pack's
//! definitions into the engine's [`Exercise`].

use crate::engine::exercise::{CheckSpec, DriverCrate, Exercise, ExerciseText, Judge, Picture};
use crate::engine::judge::CheckId;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why a pack cannot be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The exercise's `quiz.toml` is malformed (the error names it).
    #[error(transparent)]
    Quiz(Box<crate::course::CourseError>),
    /// A definition breaks a rule of the format.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The pack's code did not build.
    #[error("the pack at {path} does not build:\n{message}")]
    Build {
        /// The pack's directory.
        path: PathBuf,
        /// The compiler's messages.
        message: String,
    },
    /// A judge does not keep to the exercise's declared checks.
    #[error("{path}: {message}")]
    Judge {
        /// The exercise's folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// `pack.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackManifest {
    /// Short name (`threadlings`).
    pub name: String,
    /// Title shown to learners.
    pub title: String,
    /// Exercise ids (folder names) in course order.
    pub exercises: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    pack: RawPack,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    name: String,
    title: String,
    exercises: Vec<String>,
}

/// Parses `pack.toml` (at `path`, for messages).
pub fn parse_manifest(path: &Path, text: &str) -> Result<PackManifest, PackError> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| PackError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut seen = BTreeSet::new();
    for id in &raw.pack.exercises {
        if !is_exercise_id(id) {
            return Err(PackError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "{id:?} is not an exercise id: use lowercase words joined by '-' (worker-pool)"
                ),
            });
        }
        if !seen.insert(id) {
            return Err(PackError::Invalid {
                path: path.to_path_buf(),
                message: format!("the exercise `{id}` is listed twice"),
            });
        }
    }
    Ok(PackManifest {
        name: raw.pack.name,
        title: raw.pack.title,
        exercises: raw.pack.exercises,
    })
}

fn is_exercise_id(id: &str) -> bool {
    CheckId::new(id).is_ok() && id.starts_with(|c: char| c.is_ascii_lowercase())
}

/// The text files of one exercise folder.
#[derive(Debug, Clone)]
pub struct ExerciseFiles {
    /// The folder's name: the exercise id.
    pub folder: String,
    /// `exercise.toml`.
    pub exercise_toml: String,
    /// `starter.rs`.
    pub starter: String,
    /// `solution.rs`.
    pub solution: String,
    /// `driver.rs`.
    pub driver: String,
    /// `glue.rs`.
    pub glue: String,
    /// `quiz.toml`, if any.
    pub quiz: Option<String>,
    /// Where the folder is, for messages (`None` for the built-in pack).
    pub dir: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    id: String,
    title: String,
    file: String,
    after: String,
    phases: Vec<String>,
    task: String,
    hints: Vec<String>,
    discussion: String,
    /// Paths the learner's file may not use.
    #[serde(default)]
    forbid: Vec<String>,
    /// Why, for the refusal's message; required with `forbid`.
    #[serde(default)]
    forbid_why: String,
    #[serde(default)]
    check: Vec<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    description: String,
    #[serde(default = "one")]
    weight: f64,
    #[serde(default = "no_picture")]
    picture: Picture,
    /// The phases the check reads; every phase when absent.
    #[serde(default)]
    phases: Option<Vec<String>>,
}

fn one() -> f64 {
    1.0
}

fn no_picture() -> Picture {
    Picture::None
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Parses and validates one exercise folder's files into an [`Exercise`]
/// judged by `judge`, whose drivers are `drivers`. The texts are kept for
/// the life of the process (exercises are loaded once).
pub fn parse_exercise(
    files: ExerciseFiles,
    judge: Judge,
    drivers: &'static DriverCrate,
) -> Result<Exercise, PackError> {
    let path = files.dir.as_ref().map_or_else(
        || PathBuf::from(format!("pack/{}/exercise.toml", files.folder)),
        |d| d.join("exercise.toml"),
    );
    let invalid = |message: String| PackError::Invalid {
        path: path.clone(),
        message,
    };
    let raw: RawExercise = toml::from_str(&files.exercise_toml).map_err(|e| PackError::Parse {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if raw.id != files.folder {
        return Err(invalid(format!(
            "the id {:?} differs from the folder's name {:?}",
            raw.id, files.folder
        )));
    }
    let module = crate::engine::exercise::module_name(&raw.id);
    if raw.file != format!("exercises/{module}.rs") {
        return Err(invalid(format!(
            "`file` must be \"exercises/{module}.rs\" (the id with '_' for '-'), not {:?}",
            raw.file
        )));
    }
    if !(2..=3).contains(&raw.hints.len()) {
        return Err(invalid(format!(
            "exercise `{}` has {} hints; give two or three",
            raw.id,
            raw.hints.len()
        )));
    }
    if raw.hints.iter().any(|hint| hint.trim().is_empty()) {
        return Err(invalid(format!("exercise `{}` has an empty hint", raw.id)));
    }
    if raw.task.trim().is_empty() || raw.discussion.trim().is_empty() || raw.title.trim().is_empty()
    {
        return Err(invalid(format!(
            "exercise `{}` needs a `title`, a `task` and a `discussion`",
            raw.id
        )));
    }
    if !raw.forbid.is_empty() && raw.forbid_why.trim().is_empty() {
        return Err(invalid(format!(
            "exercise `{}` forbids {:?} but gives no `forbid_why` for the message",
            raw.id, raw.forbid
        )));
    }
    if let Some(bad) = raw.forbid.iter().find(|p| {
        p.is_empty()
            || p.split("::")
                .any(|seg| seg.is_empty() || !seg.chars().all(|c| c.is_alphanumeric() || c == '_'))
    }) {
        return Err(invalid(format!(
            "`forbid` lists {bad:?}, which is not a Rust path"
        )));
    }
    if let Some(quiz) = &files.quiz {
        let quiz_path = files
            .dir
            .as_ref()
            .map_or_else(|| Path::new("pack").join(&files.folder), PathBuf::clone);
        crate::course::quiz::parse_exercise_quiz(&quiz_path.join("quiz.toml"), quiz)
            .map_err(|e| PackError::Quiz(Box::new(e)))?;
    }
    if raw.phases.is_empty() {
        return Err(invalid("`phases` names no phase to run".into()));
    }
    let mut checks = Vec::with_capacity(raw.check.len());
    let mut seen = BTreeSet::new();
    for check in raw.check {
        let id = CheckId::new(&check.id).map_err(|e| invalid(e.to_string()))?;
        if !seen.insert(id) {
            return Err(invalid(format!("the check `{id}` is declared twice")));
        }
        if check.description.trim().is_empty() || check.description.contains('\n') {
            return Err(invalid(format!(
                "the check `{id}` needs a one-line `description`"
            )));
        }
        if !check.weight.is_finite() || check.weight < 0.0 {
            return Err(invalid(format!(
                "the weight of `{id}` must be a number of at least 0"
            )));
        }
        if let Some(unknown) = check
            .phases
            .iter()
            .flatten()
            .find(|p| !raw.phases.contains(p))
        {
            return Err(invalid(format!(
                "the check `{id}` reads the phase {unknown:?}, which `phases` does not list"
            )));
        }
        checks.push(CheckSpec {
            id,
            description: check.description,
            weight: check.weight,
            picture: check.picture,
            phases: check
                .phases
                .map(|phases| phases.into_iter().map(leak).collect()),
        });
    }
    if checks.first().map(|c| c.id) != Some(CheckId::COMPILE) {
        return Err(invalid(
            "the first [[check]] must be `compile` (the report's first line)".into(),
        ));
    }
    Ok(Exercise {
        id: leak(raw.id),
        title: leak(raw.title),
        file: leak(raw.file),
        starter: leak(files.starter),
        reference: leak(files.solution),
        text: ExerciseText {
            task: raw.task,
            hints: raw.hints,
            discussion: raw.discussion,
            after: raw.after,
            quiz: files.quiz,
        },
        checks,
        phases: raw.phases.into_iter().map(leak).collect(),
        forbid: raw.forbid.into_iter().map(leak).collect(),
        forbid_why: leak(raw.forbid_why),
        glue: leak(files.glue),
        judge,
        drivers,
    })
}
