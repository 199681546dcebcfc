//! The terminal tutor: a full-screen ratatui app over the course and the
//! checking engine.
//!
//! * [`app`]: the state (plain data), the [`app::Msg`] inputs and the
//!   [`app::Effect`]s.
//! * [`update`]: `update(&mut App, Msg) -> Vec<Effect>`, no I/O.
//! * [`view`]: `impl Widget for &App`, a pure function of the state.
//! * [`markdown`], [`highlight`], [`history`]: lesson text, Rust code and
//!   failing histories drawn for the terminal.
//! * [`progress`]: the progress file, written atomically.
//! * [`runtime`]: the terminal, the event loop and its feeder threads.

pub mod app;
pub mod highlight;
pub mod history;
pub mod keys;
pub mod markdown;
pub mod progress;
pub mod runtime;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

use crate::course::Course;
use crate::exercise;
use app::{App, Step};
use progress::Progress;
use std::path::{Path, PathBuf};

/// The course path of the project at `root`, and a warning when the
/// course index could not be used (the lessons are then listed in file
/// order, followed by the exercises the engine knows).
pub fn load_steps(root: &Path) -> (Vec<Step>, Option<String>) {
    let read = |rel: &Path| {
        std::fs::read_to_string(root.join(rel))
            .unwrap_or_else(|err| format!("*Cannot read `{}`: {err}*", rel.display()))
    };
    match Course::load(root) {
        Ok(course) => (Step::from_course(&course, read), None),
        Err(err) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("lessons"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            files.sort();
            let mut steps: Vec<Step> = files
                .iter()
                .map(|path| {
                    let markdown = std::fs::read_to_string(path).unwrap_or_default();
                    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                    let id = stem
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .trim_start_matches('-')
                        .to_string();
                    let title = markdown
                        .lines()
                        .find_map(|l| l.strip_prefix("# "))
                        .unwrap_or(&id)
                        .to_string();
                    Step {
                        id,
                        title,
                        kind: app::StepKind::Lesson {
                            markdown,
                            quiz: Vec::new(),
                        },
                    }
                })
                .collect();
            for ex in exercise::all() {
                let mut title = ex.id.to_string();
                title[..1].make_ascii_uppercase();
                steps.push(Step::exercise(ex.id, title, None));
            }
            let warning = if root.join(Course::INDEX).exists() {
                format!("{}: {err}", Course::INDEX)
            } else {
                format!("no {} yet: lessons in file order", Course::INDEX)
            };
            (steps, Some(warning))
        }
    }
}

/// Loads the project at `root` and builds the app: the course path and
/// the progress (a bad progress file becomes a message in the UI).
pub fn load_app(root: &Path, manual_run: bool) -> App {
    let (steps, warning) = load_steps(root);
    progress::remove_stale_temps(root);
    let path = Progress::path(root);
    let (progress, error) = match Progress::load(&path) {
        Ok(p) => (p, None),
        Err(err) => (Progress::default(), Some(err.to_string())),
    };
    // The seed that orders quiz choices is made once per learner. A file
    // from before it existed gets one now and keeps it (a failed write
    // only means another seed next time); a fresh learner's is written
    // with their first progress.
    let (progress, added) = progress.with_quiz_seed(crate::engine::random_seed());
    if added && error.is_none() && path.exists() {
        let _ = progress.save(&path);
    }
    let mut app = App::new(steps, progress, manual_run);
    app.progress_error = error;
    app.course_warning = warning;
    app.root = Some(root.canonicalize().unwrap_or_else(|_| root.to_path_buf()));
    app
}
