//! The course: lessons, exercise metadata and quizzes, loaded from plain
//! files so a teacher can edit or reorder the course without touching code.
//!
//! * `lessons/index.toml` lists the lessons and exercises in order
//!   (see [`index`]).
//! * `lessons/*.md` are the lessons themselves, in Markdown.
//! * each exercise's task, hints, discussion and place in the course come
//!   from its pack's `exercise.toml` (see [`crate::pack`] and [`exercises`]).
//! * `lessons/quiz.toml` holds quiz questions keyed by lesson id
//!   (see [`quiz`]).
//!
//! [`Course::load`] reads and checks all of them. The [`scaling`] module
//! holds the benchmark that the scaling lesson asks the learner to run.
//!
//! Every ```` ```rust ```` block in the lessons is compiled and run by
//! `cargo test --doc`: the lesson files are included as documentation of
//! private items that exist only when rustdoc collects doc tests.

pub mod error;
pub mod exercises;
pub mod index;
pub mod quiz;
pub mod scaling;

pub use error::CourseError;
pub use exercises::ExerciseInfo;
pub use index::{Item, Lesson};
pub use quiz::{QuizItem, QuizKind, choice_order};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The project directory: the nearest ancestor of `start` (or `start`
/// itself) holding both `exercises/` and `lessons/`. The one definition,
/// used by the tutor and by `check` for an exercise's default file.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("exercises").is_dir() && dir.join("lessons").is_dir())
        .map(Path::to_path_buf)
}

/// The whole course, as loaded from the project's files.
#[derive(Debug, Clone)]
pub struct Course {
    /// Lessons and exercises in the order a learner meets them.
    pub items: Vec<Item>,
    /// Metadata for every exercise, in course order.
    pub exercises: Vec<ExerciseInfo>,
    /// Quiz questions, keyed by lesson id.
    pub quiz: BTreeMap<String, Vec<QuizItem>>,
}

impl Course {
    /// Path of the index, relative to the project root.
    pub const INDEX: &'static str = "lessons/index.toml";
    /// Path of the quiz, relative to the project root.
    pub const QUIZ: &'static str = "lessons/quiz.toml";

    /// Loads and checks the course found under `project_root`.
    ///
    /// Fails if a file is missing or malformed, if a lesson's Markdown file
    /// does not exist, if an exercise in the index has no metadata (or the
    /// metadata names an exercise the index does not list), or if a quiz
    /// entry is keyed by something other than a lesson id. Errors name the
    /// file and line.
    pub fn load(project_root: &Path) -> Result<Course, CourseError> {
        let index_path = project_root.join(Self::INDEX);
        let index_text = error::read(&index_path)?;
        let items = index::parse(project_root, &index_path, &index_text)?;

        let lessons = items;
        let mut items = Vec::with_capacity(lessons.len());
        let mut exercises = Vec::new();
        let known = crate::exercise::all();
        for exercise in known {
            let placed = lessons.iter().any(|item| item.id() == exercise.text.after);
            if !placed {
                return Err(CourseError::Invalid {
                    line: 1,
                    path: index_path,
                    message: format!(
                        "exercise `{}` follows the lesson `{}` (its `after`), which this index \
                         does not have",
                        exercise.id, exercise.text.after
                    ),
                });
            }
        }
        for item in lessons {
            let id = item.id().to_string();
            items.push(item);
            for exercise in known.iter().filter(|e| e.text.after == id) {
                items.push(Item::Exercise {
                    id: exercise.id.to_string(),
                });
                exercises.push(ExerciseInfo::of(exercise));
            }
        }

        let quiz_path = project_root.join(Self::QUIZ);
        let quiz_text = error::read(&quiz_path)?;
        let lesson_ids: Vec<&str> = items
            .iter()
            .filter(|item| matches!(item, Item::Lesson(_)))
            .map(Item::id)
            .collect();
        let mut quiz = quiz::parse(&quiz_path, &quiz_text, &lesson_ids)?;
        // An exercise's own questions join those of the lesson it follows.
        for exercise in known {
            if let Some(text) = &exercise.text.quiz {
                let path = Path::new("pack").join(exercise.id).join("quiz.toml");
                let items = quiz::parse_exercise_quiz(&path, text)?;
                quiz.entry(exercise.text.after.clone())
                    .or_default()
                    .extend(items);
            }
        }

        Ok(Course {
            items,
            exercises,
            quiz,
        })
    }

    /// The lessons, in course order.
    pub fn lessons(&self) -> impl Iterator<Item = &Lesson> {
        self.items.iter().filter_map(|item| match item {
            Item::Lesson(lesson) => Some(lesson),
            Item::Exercise { .. } => None,
        })
    }

    /// The metadata of exercise `id`, if the course has it.
    pub fn exercise(&self, id: &str) -> Option<&ExerciseInfo> {
        self.exercises.iter().find(|info| info.id == id)
    }

    /// The quiz questions of lesson `id` (empty if it has none).
    pub fn quiz_for(&self, lesson_id: &str) -> &[QuizItem] {
        self.quiz.get(lesson_id).map_or(&[], Vec::as_slice)
    }
}

// Every lesson file (`lessons/*.md`), found by build.rs: as the
// documentation of an empty item when rustdoc collects doc tests, so that
// `cargo test --doc` compiles and runs each Rust block; and as the list of
// files the tests compare with `lessons/index.toml`.
include!(concat!(env!("OUT_DIR"), "/lesson_snippets.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn course() -> Course {
        Course::load(&root()).unwrap_or_else(|err| panic!("the course must load: {err}"))
    }

    #[test]
    fn the_project_root_holds_exercises_and_lessons() {
        let scratch = tempfile::tempdir().unwrap();
        let project = scratch.path().join("project");
        let deep = project.join("exercises/sub");
        std::fs::create_dir_all(&deep).unwrap();
        // exercises/ alone is not a project.
        assert_eq!(project_root(&deep), None);
        std::fs::create_dir(project.join("lessons")).unwrap();
        assert_eq!(project_root(&deep), Some(project.clone()));
        assert_eq!(project_root(&project), Some(project));
    }

    #[test]
    fn the_real_course_loads() {
        let course = course();
        assert!(course.lessons().count() >= 10);
        let exercise_ids: Vec<&str> = course
            .items
            .iter()
            .filter(|item| matches!(item, Item::Exercise { .. }))
            .map(Item::id)
            .collect();
        // Every registered exercise appears exactly once, wherever its
        // `after` places it among the lessons.
        let mut placed = exercise_ids.clone();
        placed.sort_unstable();
        let mut registered: Vec<&str> = crate::exercise::all().iter().map(|e| e.id).collect();
        registered.sort_unstable();
        assert_eq!(placed, registered);
        assert_eq!(exercise_ids.first(), Some(&"counter"));
    }

    #[test]
    fn every_lesson_file_exists() {
        for lesson in course().lessons() {
            assert!(
                root().join(&lesson.file).is_file(),
                "{}",
                lesson.file.display()
            );
        }
    }

    #[test]
    fn every_exercise_file_exists() {
        for info in &course().exercises {
            assert!(root().join(&info.file).is_file(), "{}", info.file.display());
        }
    }

    #[test]
    fn the_course_and_the_engine_know_the_same_exercises() {
        let course = course();
        let in_course: Vec<(&str, &Path)> = course
            .exercises
            .iter()
            .map(|info| (info.id.as_str(), info.file.as_path()))
            .collect();
        let in_engine: Vec<(&str, &Path)> = crate::exercise::all()
            .iter()
            .map(|ex| (ex.id, Path::new(ex.file)))
            .collect();
        assert_eq!(in_course, in_engine);
    }

    #[test]
    fn the_counter_exercise_file_exists() {
        let course = course();
        let info = course.exercise("counter").expect("counter has info");
        assert!(root().join(&info.file).is_file());
    }

    #[test]
    fn every_exercise_in_the_index_has_info_and_two_or_three_hints() {
        let course = course();
        for item in &course.items {
            if let Item::Exercise { id } = item {
                let info = course
                    .exercise(id)
                    .unwrap_or_else(|| panic!("{id} has no info"));
                assert!((2..=3).contains(&info.hints.len()), "{id}");
                assert!(info.file.starts_with("exercises"), "{id}");
            }
        }
    }

    #[test]
    fn every_quiz_answer_is_one_of_its_choices_and_grades_as_right() {
        let course = course();
        for lesson in course.lessons() {
            for item in course.quiz_for(&lesson.id) {
                match &item.kind {
                    QuizKind::Choice { choices, answer } => {
                        assert!(choices.contains(answer), "{}", item.question);
                    }
                    QuizKind::Short { accepted } => {
                        assert!(!accepted.is_empty(), "{}", item.question);
                    }
                }
                let right = match &item.kind {
                    QuizKind::Choice { answer, .. } => answer.clone(),
                    QuizKind::Short { accepted } => accepted[0].to_uppercase(),
                };
                assert!(item.grade(&right), "{}", item.question);
                assert!(!item.grade("certainly not this"), "{}", item.question);
                assert!(!item.reason.trim().is_empty(), "{}", item.question);
            }
        }
    }

    #[test]
    fn shuffled_right_answers_spread_over_the_letters() {
        let course = course();
        let choice_items: Vec<(String, usize, Vec<String>, String)> = course
            .lessons()
            .flat_map(|lesson| {
                course
                    .quiz_for(&lesson.id)
                    .iter()
                    .enumerate()
                    .filter_map(|(n, item)| match &item.kind {
                        QuizKind::Choice { choices, answer } => {
                            Some((lesson.id.clone(), n, choices.clone(), answer.clone()))
                        }
                        QuizKind::Short { .. } => None,
                    })
            })
            .collect();
        let letters = |seed: Option<u64>| {
            let mut at = [0usize; 4];
            for (lesson, n, choices, answer) in &choice_items {
                let order = choice_order(seed, lesson, *n, choices.len());
                let shown = order.iter().position(|&i| choices[i] == *answer).unwrap();
                at[shown] += 1;
            }
            at
        };
        // In the file most right answers are b): the letter gave it away.
        let unshuffled = letters(None);
        assert!(unshuffled[1] * 2 > choice_items.len(), "{unshuffled:?}");
        // Shuffled (a fixed seed: the test is deterministic), no letter
        // holds half of them and every letter holds some.
        for seed in [1, 2, 3, 0xdead_beef] {
            let at = letters(Some(seed));
            assert!(
                at.iter().all(|&n| n > 0 && n * 2 < choice_items.len()),
                "seed {seed}: {at:?}"
            );
        }
    }

    #[test]
    fn a_seed_means_the_same_order_in_every_version() {
        // Pinned: a seed stored in a progress file must keep its order.
        assert_eq!(choice_order(Some(42), "one-owner", 0, 4), vec![0, 2, 1, 3]);
        assert_eq!(choice_order(None, "one-owner", 0, 4), vec![0, 1, 2, 3]);
        let mut order = choice_order(Some(7), "scaling", 3, 5);
        order.sort();
        assert_eq!(order, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn lesson_one_accepts_every_name_it_gives_the_owner() {
        let course = course();
        let item = course
            .quiz_for("one-owner")
            .iter()
            .find(|item| item.question.contains("ledger analogy"))
            .expect("the ledger question");
        for name in ["accountant", "the manager", "an owner", "Actor"] {
            assert!(item.grade(name), "{name}");
        }
        assert!(!item.grade("clerk"));
    }

    #[test]
    fn an_exercise_quiz_is_asked_with_the_lesson_it_follows() {
        let course = course();
        for exercise in crate::exercise::all() {
            let Some(text) = &exercise.text.quiz else {
                continue;
            };
            let own = quiz::parse_exercise_quiz(Path::new("quiz.toml"), text).unwrap();
            assert!(!own.is_empty(), "{}", exercise.id);
            let lesson = course.quiz_for(&exercise.text.after);
            for item in own {
                assert!(
                    lesson.contains(&item),
                    "{}: {:?} is not asked with lesson {}",
                    exercise.id,
                    item.question,
                    exercise.text.after
                );
            }
        }
        // worker-pool's questions are asked nowhere else.
        assert!(
            course
                .quiz_for("worker-pools")
                .iter()
                .any(|item| item.question.contains("catch_unwind")
                    || item.reason.contains("catch_unwind"))
        );
    }

    #[test]
    fn every_lesson_has_at_least_two_quiz_questions() {
        let course = course();
        for lesson in course.lessons() {
            let count = course.quiz_for(&lesson.id).len();
            assert!(
                count >= 2,
                "lesson {} has only {count} quiz questions",
                lesson.id
            );
        }
    }

    #[test]
    fn every_lesson_in_the_index_is_doc_tested() {
        let course = course();
        let mut indexed: Vec<String> = course
            .lessons()
            .map(|lesson| {
                let name = lesson.file.file_name().expect("a file name");
                name.to_string_lossy().into_owned()
            })
            .collect();
        let mut tested: Vec<String> = SNIPPET_FILES.iter().map(|f| f.to_string()).collect();
        indexed.sort();
        tested.sort();
        assert_eq!(
            indexed, tested,
            "lessons/index.toml must list exactly the lesson files of lessons/"
        );
    }

    #[test]
    fn every_lesson_has_topics_and_a_rust_snippet() {
        for lesson in course().lessons() {
            assert!(!lesson.topics.is_empty(), "{} has no topics", lesson.id);
            let text = std::fs::read_to_string(root().join(&lesson.file)).expect("readable");
            assert!(
                text.contains("```rust"),
                "{} has no Rust snippet",
                lesson.id
            );
        }
    }
}
