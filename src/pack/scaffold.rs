//! `threadlings pack new`: a pack that works out of the box, with one small
//! but real exercise (a tally owned by one worker thread, the counter's
//! shape) under the teacher's id: definition, starter, reference solution,
//! driver, glue, judge and a corpus, ready for `threadlings pack check`.

use std::path::{Path, PathBuf};

/// The template, file by file: the path inside the pack (`exercise/` is
/// the exercise's folder, renamed to its id) and the text, with `{{id}}`,
/// `{{module}}`, `{{file}}` and `{{title}}` to fill in.
const TEMPLATE: &[(&str, &str)] = &[
    ("pack.toml", include_str!("template/pack.toml")),
    (
        "exercise/exercise.toml",
        include_str!("template/exercise/exercise.toml"),
    ),
    (
        "exercise/starter.rs",
        include_str!("template/exercise/starter.rs"),
    ),
    (
        "exercise/solution.rs",
        include_str!("template/exercise/solution.rs"),
    ),
    (
        "exercise/driver.rs",
        include_str!("template/exercise/driver.rs"),
    ),
    (
        "exercise/glue.rs",
        include_str!("template/exercise/glue.rs"),
    ),
    (
        "exercise/judge.rs",
        include_str!("template/exercise/judge.rs"),
    ),
    (
        "exercise/corpus/buggy/adds_one.rs",
        include_str!("template/exercise/corpus/buggy/adds_one.rs"),
    ),
    (
        "exercise/corpus/buggy/mutex_no_worker.rs",
        include_str!("template/exercise/corpus/buggy/mutex_no_worker.rs"),
    ),
    (
        "exercise/corpus/buggy/never_joined.rs",
        include_str!("template/exercise/corpus/buggy/never_joined.rs"),
    ),
    (
        "exercise/corpus/buggy/try_recv_spin.rs",
        include_str!("template/exercise/corpus/buggy/try_recv_spin.rs"),
    ),
    (
        "exercise/corpus/correct/std_mpsc.rs",
        include_str!("template/exercise/corpus/correct/std_mpsc.rs"),
    ),
];

/// Why a pack could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The id is not kebab-case.
    #[error(
        "{0:?} is not an exercise id: use lowercase letters and digits in words joined by '-', starting with a letter (worker-pool)"
    )]
    Id(String),
    /// The directory is there already and holds something.
    #[error("{} already exists and is not empty: pass --dir with a new directory", .0.display())]
    Exists(PathBuf),
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether `id` is an exercise id: kebab-case words of lowercase ASCII
/// letters and digits, starting with a letter.
pub fn is_exercise_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The files of a new pack whose one exercise is `id`, as paths inside
/// the pack and their text.
pub fn files(id: &str) -> Result<Vec<(PathBuf, String)>, ScaffoldError> {
    if !is_exercise_id(id) {
        return Err(ScaffoldError::Id(id.to_string()));
    }
    let module = id.replace('-', "_");
    let file = format!("exercises/{module}.rs");
    let mut title = id.replace('-', " ");
    title[..1].make_ascii_uppercase();
    Ok(TEMPLATE
        .iter()
        .map(|(path, text)| {
            let path = match path.strip_prefix("exercise/") {
                Some(rest) => Path::new(id).join(rest),
                None => PathBuf::from(path),
            };
            let text = text
                .replace("{{id}}", id)
                .replace("{{module}}", &module)
                .replace("{{file}}", &file)
                .replace("{{title}}", &title);
            (path, text)
        })
        .collect())
}

/// Writes a new pack with the one exercise `id` into `dir`, which must not
/// exist yet or be empty. Returns the files written.
pub fn create(dir: &Path, id: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    let files = files(id)?;
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied || dir.is_file() {
        return Err(ScaffoldError::Exists(dir.to_path_buf()));
    }
    let mut written = Vec::with_capacity(files.len());
    for (rel, text) in files {
        let path = dir.join(rel);
        let write = |path: &Path| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text.as_bytes())
        };
        write(&path).map_err(|source| ScaffoldError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The template's judge, compiled in for the tests: the scaffold's
/// exercise is checked like a built-in one (see the tests).
#[cfg(test)]
#[path = "template/exercise/judge.rs"]
mod template_judge;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::exercise::{DriverCrate, Exercise, Judge};
    use crate::pack::check::{PackCheckOptions, check_exercise, lesson_ids};
    use crate::pack::{ExerciseFiles, parse_exercise};

    /// The scaffold's exercise `id`, written to `dir` and loaded with its
    /// judge compiled in (the judge program of a teacher's pack is the
    /// same code, built apart).
    fn scaffolded(dir: &Path, id: &str) -> &'static Exercise {
        create(dir, id).unwrap();
        let folder = dir.join(id);
        let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
        let drivers = Box::leak(Box::new(DriverCrate {
            modules: vec![(id.replace('-', "_"), read("driver.rs"))],
        }));
        let files = ExerciseFiles {
            folder: id.to_string(),
            exercise_toml: read("exercise.toml"),
            starter: read("starter.rs"),
            solution: read("solution.rs"),
            driver: read("driver.rs"),
            glue: read("glue.rs"),
            quiz: None,
            dir: Some(folder.clone()),
        };
        let judge = Judge::BuiltIn(template_judge::judge);
        let exercise = parse_exercise(files, judge, drivers).unwrap();
        let exercise: &'static Exercise = Box::leak(Box::new(exercise));
        exercise.verify_judge().unwrap();
        exercise
    }

    /// What `pack check` verifies of each exercise holds for the
    /// scaffold's: its starter compiles and fails, its reference passes,
    /// every corpus file gets its expected verdict, hints and lesson link.
    #[test]
    fn the_scaffolded_exercise_works_out_of_the_box() {
        let scratch = tempfile::tempdir().unwrap();
        let exercise = scaffolded(scratch.path(), "rate-limiter");
        let options = PackCheckOptions {
            reference_runs: 2,
            correct_runs: 1,
            buggy_runs: 40,
        };
        let lessons = lesson_ids(scratch.path()).expect("the tests run in the project");
        let mut findings = Vec::new();
        let folder = scratch.path().join("rate-limiter");
        check_exercise(exercise, &folder, Some(&lessons), &options, &mut findings).unwrap();
        let items: Vec<&str> = findings.iter().map(|f| f.item.as_str()).collect();
        assert_eq!(
            items,
            [
                "hints",
                "lesson",
                "starter",
                "reference",
                "corpus/correct/std_mpsc.rs",
                "corpus/buggy/adds_one.rs",
                "corpus/buggy/mutex_no_worker.rs",
                "corpus/buggy/never_joined.rs",
                "corpus/buggy/try_recv_spin.rs",
            ]
        );
        for f in &findings {
            assert!(f.passed, "{}: {}", f.item, f.message);
        }
    }

    #[test]
    fn ids_are_kebab_case() {
        for good in ["tally", "worker-pool", "rate-limiter-2"] {
            assert!(is_exercise_id(good), "{good}");
        }
        for bad in [
            "",
            "Tally",
            "worker_pool",
            "-pool",
            "pool-",
            "a--b",
            "2pool",
            "pool!",
        ] {
            assert!(!is_exercise_id(bad), "{bad}");
            assert!(matches!(files(bad), Err(ScaffoldError::Id(_))), "{bad}");
        }
    }

    #[test]
    fn the_id_is_filled_in_everywhere() {
        let files = files("rate-limiter").unwrap();
        let text = |rel: &str| {
            let (_, text) = files.iter().find(|(p, _)| p == Path::new(rel)).unwrap();
            text.clone()
        };
        assert!(text("pack.toml").contains(r#"exercises = ["rate-limiter"]"#));
        let toml = text("rate-limiter/exercise.toml");
        assert!(toml.contains(r#"id = "rate-limiter""#), "{toml}");
        assert!(
            toml.contains(r#"file = "exercises/rate_limiter.rs""#),
            "{toml}"
        );
        assert!(toml.contains(r#"title = "Rate limiter""#), "{toml}");
        assert!(text("rate-limiter/glue.rs").contains("threadlings_pack::rate_limiter as driver"));
        for (path, text) in &files {
            assert!(
                !text.contains("{{"),
                "{} keeps a placeholder",
                path.display()
            );
        }
    }

    #[test]
    fn an_occupied_directory_is_refused_and_left_alone() {
        let scratch = tempfile::tempdir().unwrap();
        std::fs::write(scratch.path().join("notes.txt"), "mine").unwrap();
        let err = create(scratch.path(), "tally").unwrap_err();
        assert!(matches!(err, ScaffoldError::Exists(_)), "{err}");
        assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 1);
        let fresh = scratch.path().join("pack");
        let written = create(&fresh, "tally").unwrap();
        assert!(written.iter().all(|p| p.is_file()));
        assert!(fresh.join("tally/corpus/buggy/adds_one.rs").is_file());
    }
}
