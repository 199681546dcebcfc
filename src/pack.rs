//! Exercise packs: one folder per exercise, read and validated into the
//! engine's [`Exercise`] contract.
//!
//! A pack is `pack.toml` (`[pack] name, title` and `exercises = [...]`, the
//! course order) and one folder per exercise holding `exercise.toml`,
//! `starter.rs`, `solution.rs`, `driver.rs`, `glue.rs`, `judge.rs` (with
//! `judge/` submodules), an optional `quiz.toml` and `corpus/`. The
//! built-in pack is embedded in the binary (its judges compiled in); a
//! teacher's pack is a directory, loaded with [`load_dir`].

pub mod check;
pub mod judge_program;
mod manifest;
pub mod scaffold;
#[cfg(test)]
mod tests;

pub use manifest::{ExerciseFiles, PackError, PackManifest, parse_exercise, parse_manifest};

use crate::engine::exercise::{DriverCrate, Exercise, Judge};
use std::path::{Path, PathBuf};

/// A teacher's pack, loaded from its directory and validated.
#[derive(Debug)]
pub struct LoadedPack {
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// `[pack] name`.
    pub name: String,
    /// `[pack] title`.
    pub title: String,
    /// Its exercises, in the pack's course order.
    pub exercises: Vec<&'static Exercise>,
}

/// Reads every exercise folder of the pack at `dir` and validates its
/// definition, without building anything: what `pack check` starts from.
/// The exercises' judges are not set ([`Judge::Program`] with an empty
/// path) until [`load_dir`] builds them.
pub fn read_dir(dir: &Path) -> Result<(PackManifest, Vec<ExerciseFiles>), PackError> {
    let manifest_path = dir.join("pack.toml");
    let text = read(&manifest_path)?;
    let manifest = parse_manifest(&manifest_path, &text)?;
    let mut files = Vec::new();
    for id in &manifest.exercises {
        let folder = dir.join(id);
        if !folder.is_dir() {
            return Err(PackError::Invalid {
                path: manifest_path.clone(),
                message: format!("the exercise `{id}` has no folder {}", folder.display()),
            });
        }
        let quiz_path = folder.join("quiz.toml");
        files.push(ExerciseFiles {
            folder: id.clone(),
            exercise_toml: read(&folder.join("exercise.toml"))?,
            starter: read(&folder.join("starter.rs"))?,
            solution: read(&folder.join("solution.rs"))?,
            driver: read(&folder.join("driver.rs"))?,
            glue: read(&folder.join("glue.rs"))?,
            quiz: quiz_path.is_file().then(|| read(&quiz_path)).transpose()?,
            dir: Some(folder.clone()),
        });
        read(&folder.join("judge.rs"))?;
    }
    Ok((manifest, files))
}

/// Loads the pack at `dir`: validates it ([`read_dir`]), builds its judge
/// program in the cache (once per content) and returns its exercises,
/// each verified to report exactly the checks it declares.
pub fn load_dir(dir: &Path) -> Result<LoadedPack, PackError> {
    let (manifest, files) = read_dir(dir)?;
    let judge = judge_program::build(dir, &manifest)?;
    let drivers: &'static DriverCrate = Box::leak(Box::new(DriverCrate {
        modules: files
            .iter()
            .map(|f| {
                (
                    crate::engine::exercise::module_name(&f.folder),
                    f.driver.clone(),
                )
            })
            .collect(),
    }));
    let mut exercises = Vec::new();
    for f in files {
        let judge = Judge::Program {
            path: judge.clone(),
            exercise: f.folder.clone(),
        };
        let exercise: &'static Exercise = Box::leak(Box::new(parse_exercise(f, judge, drivers)?));
        exercise.verify_judge().map_err(|e| PackError::Judge {
            path: dir.join(exercise.id),
            message: e.to_string(),
        })?;
        exercises.push(exercise);
    }
    Ok(LoadedPack {
        dir: dir.to_path_buf(),
        name: manifest.name,
        title: manifest.title,
        exercises,
    })
}

fn read(path: &Path) -> Result<String, PackError> {
    std::fs::read_to_string(path).map_err(|error| PackError::Read {
        path: path.to_path_buf(),
        error,
    })
}

/// The file at a project's root that lists the teacher's packs it uses:
/// `packs = ["../my-course"]`, paths relative to the file.
pub const PROJECT_CONFIG: &str = "threadlings.toml";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectConfig {
    #[serde(default)]
    packs: Vec<PathBuf>,
}

/// The pack directories `threadlings.toml` at `project_root` lists (none
/// when there is no such file).
pub fn configured(project_root: &Path) -> Result<Vec<PathBuf>, PackError> {
    let path = project_root.join(PROJECT_CONFIG);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = read(&path)?;
    let config: ProjectConfig = toml::from_str(&text).map_err(|e| PackError::Parse {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(config
        .packs
        .into_iter()
        .map(|dir| project_root.join(dir))
        .collect())
}

/// Loads every pack in `dirs` (see [`load_dir`]), in order.
pub fn load_all(dirs: &[PathBuf]) -> Result<Vec<LoadedPack>, PackError> {
    dirs.iter().map(|dir| load_dir(dir)).collect()
}
