//! The application state: plain data, no I/O. [`super::update`] changes
//! it; [`super::view`] draws it.

use super::progress::Progress;
use crate::course::scaling::Row;
use crate::course::{Course, ExerciseInfo, Item, QuizItem};
use crate::engine::report::Report;
use crate::exercise;
use std::path::PathBuf;
use std::time::Duration;

/// What a step of the course is.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// A lesson: its Markdown text and quiz.
    Lesson {
        /// The Markdown source.
        markdown: String,
        /// Its quiz (may be empty).
        quiz: Vec<QuizItem>,
    },
    /// An exercise.
    Exercise {
        /// What the course says about it, if anything.
        info: Option<ExerciseInfo>,
        /// Whether the engine can check it (`exercise::find` knows it).
        checkable: bool,
        /// The file to edit, relative to the project root.
        file: PathBuf,
        /// The pristine starter, for reset.
        starter: Option<&'static str>,
        /// The reference solution, shown after passing.
        reference: Option<&'static str>,
    },
}

/// One lesson or exercise on the course path.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its id (`one-owner`, `counter`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Lesson or exercise.
    pub kind: StepKind,
}

impl Step {
    /// Builds the course path from a loaded course and the lesson texts
    /// (`read` returns a lesson file's Markdown).
    pub fn from_course(
        course: &Course,
        mut read: impl FnMut(&std::path::Path) -> String,
    ) -> Vec<Step> {
        course
            .items
            .iter()
            .map(|item| match item {
                Item::Lesson(lesson) => Step {
                    id: lesson.id.clone(),
                    title: lesson.title.clone(),
                    kind: StepKind::Lesson {
                        markdown: read(&lesson.file),
                        quiz: course.quiz_for(&lesson.id).to_vec(),
                    },
                },
                Item::Exercise { id } => {
                    let info = course.exercise(id).cloned();
                    let title = info
                        .as_ref()
                        .map_or_else(|| id.clone(), |i| i.title.clone());
                    Step::exercise(id, title, info)
                }
            })
            .collect()
    }

    /// An exercise step; checkable when the engine knows `id`.
    pub fn exercise(id: &str, title: String, info: Option<ExerciseInfo>) -> Step {
        let known = exercise::find(id);
        let file = info.as_ref().map(|i| i.file.clone()).unwrap_or_else(|| {
            known.map_or_else(
                || PathBuf::from(format!("exercises/{id}.rs")),
                |e| PathBuf::from(e.file),
            )
        });
        Step {
            id: id.to_string(),
            title,
            kind: StepKind::Exercise {
                info,
                checkable: known.is_some(),
                file,
                starter: known.map(|e| e.starter),
                reference: known.map(|e| e.reference),
            },
        }
    }
}

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The course path.
    Path,
    /// A lesson (index into the steps).
    Lesson(usize),
    /// An exercise.
    Exercise(usize),
    /// The picture of a failing check's history, over an exercise.
    History(usize),
    /// A lesson's quiz.
    Quiz(usize),
    /// The owners benchmark's chart, over the scaling lesson.
    Benchmark(usize),
}

/// The id of the lesson whose view runs the owners benchmark.
pub const BENCHMARK_LESSON: &str = "scaling";

/// What one run of the owners benchmark measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkPlan {
    /// Client thread counts, one group of measurements each.
    pub threads: Vec<usize>,
    /// Increments per measurement.
    pub ops: u64,
}

impl Default for BenchmarkPlan {
    /// Short enough to finish in a few seconds on two cores, even in a
    /// debug build (a run cannot be cancelled once started).
    fn default() -> Self {
        BenchmarkPlan {
            threads: vec![1, 2, 4, 8],
            ops: 300_000,
        }
    }
}

/// A finished run of the owners benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkResult {
    /// One row per strategy and thread count.
    pub rows: Vec<Row>,
    /// CPU cores the machine offered.
    pub cores: usize,
    /// Whether the tutor was built with optimisations.
    pub optimised: bool,
}

/// The owners benchmark, as far as the app knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchmarkState {
    /// When the running benchmark started, on the app clock.
    pub running: Option<Duration>,
    /// The latest result, kept so the chart can be opened again.
    pub result: Option<BenchmarkResult>,
    /// Why the latest run failed, if it did.
    pub error: Option<String>,
}

/// The state of one quiz in progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuizState {
    /// The question being asked.
    pub question: usize,
    /// The highlighted choice (multiple choice).
    pub choice: usize,
    /// Text typed so far (short answer).
    pub typed: String,
    /// Whether each answered question was right.
    pub results: Vec<bool>,
    /// The current question has been answered; showing the verdict.
    pub answered: bool,
}

/// What became of a check run.
#[derive(Debug, Clone)]
pub enum CheckOutcome {
    /// It ran to a verdict.
    Report(Report),
    /// It was cancelled by a newer one.
    Cancelled,
    /// The tool itself failed.
    Error(String),
}

/// The background build of what checks link against (the check harness
/// and the exercise drivers), started with the tutor so that the first
/// check does not wait for it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Preparing {
    /// Not started (the runtime starts it; tests may not).
    #[default]
    Idle,
    /// Making `what` ready, since `since` on the app clock.
    Building {
        /// What is being made ready now (`the check harness`).
        what: String,
        /// When the build started.
        since: Duration,
    },
    /// Everything is in the cache.
    Ready,
    /// It failed: why (a check will say the same, in full).
    Failed(String),
}

/// What the running check has told so far, shown before its verdict.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveCheck {
    /// The `compile` check's result, once `rustc` finished.
    pub compile: Option<crate::engine::report::CheckResult>,
    /// The phases whose process has ended.
    pub phases_ended: Vec<String>,
    /// The checks judged so far (each once the phases it reads ended).
    pub checks: Vec<crate::engine::report::CheckResult>,
}

/// A check running on the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// The generation of the check; results of older ones are ignored.
    pub generation: u64,
    /// The step being checked.
    pub step: usize,
    /// When it started, on the app clock.
    pub started: Duration,
}

/// Every input the event loop receives, over one channel.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key was pressed.
    Key(crossterm::event::KeyEvent),
    /// Mouse wheel: positive scrolls down.
    Scroll(i16),
    /// The terminal's size (at start and on every resize): width, height.
    Resize(u16, u16),
    /// A watched file was saved (debounced); path relative to the root,
    /// and a hash of what it holds now (`None`: it could not be read).
    FileChanged(PathBuf, Option<u64>),
    /// A check of this file (relative to the root) was handed to the
    /// worker while it held this content (hashed; `None`: unreadable).
    CheckStarted(PathBuf, Option<u64>),
    /// A running check came further (its compile result, a phase's end).
    CheckProgress {
        /// Its generation.
        generation: u64,
        /// What happened.
        progress: crate::engine::Progress,
    },
    /// A check finished.
    CheckDone {
        /// Its generation.
        generation: u64,
        /// What it came to.
        outcome: CheckOutcome,
    },
    /// The background build started making this ready.
    Preparing(String),
    /// The background build ended: what it made ready, or why it failed.
    Prepared(Result<Vec<crate::engine::toolchain::Prepared>, String>),
    /// The worker compiles this exercise file ahead of its first check
    /// (`exercises/counter.rs (2 of 6)`); `None`: it stopped (all done, or
    /// paused for a check).
    CompilingAhead(Option<String>),
    /// Time passes while a check or the benchmark runs (app clock).
    Tick(Duration),
    /// SIGTERM, SIGINT or SIGHUP.
    Signal,
    /// The terminal hung up or cannot be read or written any more.
    TerminalGone,
    /// The owners benchmark finished (or its thread panicked).
    BenchmarkDone(Result<BenchmarkResult, String>),
    /// The editor was closed.
    EditorClosed(Result<(), String>),
    /// An exercise file was reset (the backup's path, or why not).
    ResetDone(Result<PathBuf, String>),
    /// The bad progress file was moved aside (to this path, or why not).
    MovedAside(Result<PathBuf, String>),
    /// Progress could not be saved.
    SaveFailed(String),
}

/// Work for the runtime: everything that touches the world.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Check `file` as exercise `exercise`.
    StartCheck {
        /// Generation to report back with.
        generation: u64,
        /// The exercise id.
        exercise: String,
        /// The file, relative to the root.
        file: PathBuf,
    },
    /// Flip the running check's cancel flag.
    CancelCheck {
        /// The generation to cancel.
        generation: u64,
    },
    /// Suspend the UI and edit `file`.
    OpenEditor(PathBuf),
    /// Back up `file` to `file.bak` and write `starter` into it.
    ResetFile {
        /// The file, relative to the root.
        file: PathBuf,
        /// The starter text.
        starter: String,
    },
    /// Write progress atomically.
    SaveProgress(Progress),
    /// Move the bad progress file aside.
    MoveProgressAside,
    /// Run the owners benchmark on a worker thread.
    RunBenchmark(BenchmarkPlan),
    /// Leave.
    Quit,
}

/// The whole application state.
#[derive(Debug, Clone)]
pub struct App {
    /// The course path.
    pub steps: Vec<Step>,
    /// What the learner has done.
    pub progress: Progress,
    /// The highlighted step on the path.
    pub selected: usize,
    /// The current screen.
    pub screen: Screen,
    /// Scroll offset of the current screen's body.
    pub scroll: u16,
    /// The key help overlay is shown.
    pub help: bool,
    /// How far the help overlay is scrolled (it may be taller than the
    /// terminal).
    pub help_scroll: u16,
    /// A bad progress file's problem, shown until dealt with.
    pub progress_error: Option<String>,
    /// Waiting for `y` to reset the exercise file.
    pub confirm_reset: bool,
    /// The selected row of the check panel.
    pub check_row: usize,
    /// The latest report of each step, by step index.
    pub reports: Vec<Option<Report>>,
    /// The check running now.
    pub running: Option<Running>,
    /// What the running check has told so far.
    pub live: LiveCheck,
    /// The last generation handed out.
    pub generation: u64,
    /// The app clock, as of the latest tick.
    pub now: Duration,
    /// A quiz in progress.
    pub quiz: QuizState,
    /// A one-line message for the status bar.
    pub status: String,
    /// No file watching: only `r` re-checks.
    pub manual_run: bool,
    /// Where the course came from, if not the index (a warning).
    pub course_warning: Option<String>,
    /// The app is leaving.
    pub quitting: bool,
    /// The terminal's size, for clamping scrolling.
    pub viewport: (u16, u16),
    /// The owners benchmark: running or not, and its latest result.
    pub benchmark: BenchmarkState,
    /// The background build of the check harness.
    pub preparing: Preparing,
    /// The exercise file being compiled ahead of its first check, and
    /// since when (app clock).
    pub ahead: Option<(String, Duration)>,
    /// What each exercise file held when last checked or saved (a hash),
    /// so that a save that changes nothing does not check again.
    pub contents: std::collections::HashMap<PathBuf, u64>,
    /// The project root (absolute), so messages can show paths under it
    /// relative to it.
    pub root: Option<PathBuf>,
}

impl App {
    /// A new app on the course path.
    pub fn new(steps: Vec<Step>, progress: Progress, manual_run: bool) -> App {
        let n = steps.len();
        let mut app = App {
            steps,
            progress,
            selected: 0,
            screen: Screen::Path,
            scroll: 0,
            help: false,
            help_scroll: 0,
            progress_error: None,
            confirm_reset: false,
            check_row: 0,
            reports: vec![None; n],
            running: None,
            live: LiveCheck::default(),
            generation: 0,
            now: Duration::ZERO,
            quiz: QuizState::default(),
            status: String::new(),
            manual_run,
            course_warning: None,
            quitting: false,
            viewport: (80, 24),
            benchmark: BenchmarkState::default(),
            preparing: Preparing::Idle,
            ahead: None,
            contents: std::collections::HashMap::new(),
            root: None,
        };
        app.selected = app.first_unfinished();
        app
    }

    /// The first step not done (the last one when all are).
    pub fn first_unfinished(&self) -> usize {
        self.steps
            .iter()
            .position(|s| !self.progress.done.contains(&s.id))
            .unwrap_or(self.steps.len().saturating_sub(1))
    }

    /// Whether step `i` is done.
    pub fn is_done(&self, i: usize) -> bool {
        self.steps
            .get(i)
            .is_some_and(|s| self.progress.done.contains(&s.id))
    }

    /// Hints revealed for step `i`.
    pub fn hints_shown(&self, i: usize) -> usize {
        self.steps
            .get(i)
            .and_then(|s| self.progress.hints.get(&s.id))
            .map_or(0, |&n| n as usize)
    }

    /// Whether step `i` is the lesson that runs the owners benchmark.
    pub fn runs_benchmark(&self, i: usize) -> bool {
        self.steps
            .get(i)
            .is_some_and(|s| s.id == BENCHMARK_LESSON && matches!(s.kind, StepKind::Lesson { .. }))
    }

    /// Whether anything runs that a spinner shows (the loop ticks).
    pub fn busy(&self) -> bool {
        self.running.is_some()
            || self.benchmark.running.is_some()
            || matches!(self.preparing, Preparing::Building { .. })
            || self.ahead.is_some()
    }

    /// Index of the step with this id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
}
