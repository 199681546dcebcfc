//! The exercises the tutor can check: the built-in pack, embedded in the
//! binary with its judges compiled in, and any teacher's packs installed
//! at startup ([`install`]). Nothing here is kept by hand: `build.rs`
//! derives the built-in list from `pack/pack.toml`.

use crate::engine::exercise::{DriverCrate, Exercise, Judge, module_name};
use crate::pack::{ExerciseFiles, LoadedPack};
use std::sync::OnceLock;

/// The built-in pack as `build.rs` embeds it.
pub mod builtin {
    use crate::engine::judge::JudgeFn;

    /// One exercise folder of the built-in pack, embedded.
    #[derive(Debug)]
    pub struct BuiltinExercise {
        /// The folder's name: the exercise id.
        pub folder: &'static str,
        /// `exercise.toml`.
        pub exercise_toml: &'static str,
        /// `starter.rs`.
        pub starter: &'static str,
        /// `solution.rs`.
        pub solution: &'static str,
        /// `driver.rs`.
        pub driver: &'static str,
        /// `glue.rs`.
        pub glue: &'static str,
        /// `quiz.toml`, if any.
        pub quiz: Option<&'static str>,
        /// `judge.rs`'s `judge`.
        pub judge: JudgeFn,
    }

    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

static REGISTRY: OnceLock<Vec<&'static Exercise>> = OnceLock::new();

/// The built-in pack's exercises, parsed from their embedded files.
fn builtin_exercises() -> Vec<&'static Exercise> {
    let drivers: &'static DriverCrate = Box::leak(Box::new(DriverCrate {
        modules: builtin::EXERCISES
            .iter()
            .map(|e| (module_name(e.folder), e.driver.to_string()))
            .collect(),
    }));
    builtin::EXERCISES
        .iter()
        .map(|e| {
            let files = ExerciseFiles {
                folder: e.folder.to_string(),
                exercise_toml: e.exercise_toml.to_string(),
                starter: e.starter.to_string(),
                solution: e.solution.to_string(),
                driver: e.driver.to_string(),
                glue: e.glue.to_string(),
                quiz: e.quiz.map(str::to_string),
                dir: None,
            };
            let exercise = crate::pack::parse_exercise(files, Judge::BuiltIn(e.judge), drivers)
                // The built-in pack is validated by the tests before release.
                .unwrap_or_else(|err| panic!("the built-in pack is invalid: {err}"));
            &*Box::leak(Box::new(exercise))
        })
        .collect()
}

/// Makes the exercises of `packs` available beside the built-in ones.
/// Call once, before anything looks exercises up; fails if an id is taken
/// or the registry was already in use.
pub fn install(packs: Vec<LoadedPack>) -> Result<(), String> {
    let mut all = builtin_exercises();
    for pack in packs {
        for exercise in pack.exercises {
            if all.iter().any(|e| e.id == exercise.id) {
                return Err(format!(
                    "the pack at {} has an exercise `{}`, but an exercise with that id is \
                     already loaded",
                    pack.dir.display(),
                    exercise.id
                ));
            }
            all.push(exercise);
        }
    }
    REGISTRY
        .set(all)
        .map_err(|_| "the exercises were already loaded".to_string())
}

/// Every exercise, in course order (built-in first, then each pack's).
pub fn all() -> &'static [&'static Exercise] {
    REGISTRY.get_or_init(builtin_exercises)
}

/// The exercise with this id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    all().iter().copied().find(|e| e.id == id)
}

/// The ids of every exercise, for messages.
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|e| e.id).collect()
}
