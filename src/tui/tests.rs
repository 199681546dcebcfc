//! Snapshot tests of every screen on ratatui's `TestBackend`, and tests
//! that drive the state machine with key sequences, no terminal needed.

use super::app::{
    App, BenchmarkPlan, BenchmarkResult, CheckOutcome, Effect, Msg, Screen, Step, StepKind,
};
use super::progress::Progress;
use super::update::update;
use crate::course::scaling::{Row as ScalingRow, Strategy};
use crate::course::{ExerciseInfo, QuizItem, QuizKind};
use crate::engine::report::{CheckId, CheckResult, Report};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;
use std::time::Duration;

const LESSON: &str = "# Owners\n\nOne thread *owns* the **state**; others send `Command`s.\n\n> Don't communicate by sharing memory; share memory by communicating.\n\n- a sender per client\n- one receiver\n  1. the owner loops\n  2. replies go back\n\n| tool | shares |\n|------|--------|\n| Mutex | memory |\n| channel | messages |\n\n```rust\n// The owner.\nlet (tx, rx) = unbounded::<Command>();\nthread::spawn(move || for cmd in rx { apply(cmd, \"x\", 42) });\n```\n";

const DRAWN: &str = "thread 0  |-- inc() --|\nthread 1     |-- get() -> 0 --|\n              ^^^^^^^^^^^^^^^^^^\nThe count was 1 after thread 0's inc() returned, so get() must return 1.";

fn steps() -> Vec<Step> {
    let info = ExerciseInfo {
        id: "counter".into(),
        file: PathBuf::from("exercises/counter.rs"),
        title: "Counter".into(),
        task: "Make `Counter` a handle to **one** worker thread that owns the count.".into(),
        hints: vec![
            "The worker loops over its `Receiver`.".into(),
            "`get` sends a reply channel along.".into(),
        ],
        discussion: "Only the worker touches the count, so no lock is needed.".into(),
    };
    vec![
        Step {
            id: "one-owner".into(),
            title: "One thread owns the state".into(),
            kind: StepKind::Lesson {
                markdown: LESSON.into(),
                quiz: vec![
                    QuizItem {
                        question: "Who may touch the state?".into(),
                        kind: QuizKind::Choice {
                            choices: vec![
                                "Any thread with a lock".into(),
                                "Only the owner thread".into(),
                            ],
                            answer: "Only the owner thread".into(),
                        },
                        reason: "Everyone else sends messages.".into(),
                    },
                    QuizItem {
                        question: "What travels inside a request so the owner can answer?".into(),
                        kind: QuizKind::Short {
                            accepted: vec!["a reply channel".into(), "reply channel".into()],
                        },
                        reason: "The owner sends the answer on it.".into(),
                    },
                ],
            },
        },
        Step::exercise("counter", "Counter".into(), Some(info)),
        Step::exercise("rate-limiter", "Rate limiter".into(), None),
        Step {
            id: "shutdown".into(),
            title: "Graceful shutdown".into(),
            kind: StepKind::Lesson {
                markdown: "# Shutdown\n\nClose the channel.".into(),
                quiz: Vec::new(),
            },
        },
    ]
}

fn app() -> App {
    App::new(steps(), Progress::default(), false)
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn keys(app: &mut App, codes: &[KeyCode]) -> Vec<Effect> {
    codes.iter().flat_map(|&c| update(app, key(c))).collect()
}

fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(app, key(KeyCode::Char(c))))
        .collect()
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    terminal.backend().to_string()
}

fn failing_report() -> Report {
    Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            CheckResult::pass(CheckId::Compile, "the file compiles against the API"),
            CheckResult::pass(CheckId::OwnerThread, "one worker thread owns the count"),
            CheckResult::fail(
                CheckId::Linearizable,
                "no order of the calls explains the results",
            )
            .with_detail(DRAWN),
            CheckResult::not_checked(CheckId::BusyLoop, "not checked: the run stopped first"),
        ],
    )
}

fn passing_report() -> Report {
    Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            CheckResult::pass(CheckId::Compile, "the file compiles against the API"),
            CheckResult::pass(CheckId::Linearizable, "every history had an order"),
        ],
    )
}

/// Opens the counter exercise and delivers `report` as its check result.
fn with_report(report: Report) -> App {
    let mut app = app();
    let effects = keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    assert!(matches!(
        effects[..],
        [Effect::StartCheck { generation: 1, .. }]
    ));
    update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(report),
        },
    );
    app
}

#[test]
fn snapshot_course_path() {
    let mut app = app();
    app.progress.done.insert("one-owner".into());
    app.selected = 1;
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn snapshot_lesson() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Lesson(0));
    insta::assert_snapshot!(draw(&app, 80, 40));
}

#[test]
fn snapshot_lesson_narrow_and_scrolled() {
    let mut app = app();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('j'), KeyCode::Char('j')],
    );
    insta::assert_snapshot!(draw(&app, 50, 24));
}

#[test]
fn snapshot_exercise_running() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    update(&mut app, Msg::Tick(Duration::from_millis(1234)));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn snapshot_exercise_failing_with_hints() {
    let mut app = with_report(failing_report());
    assert_eq!(app.check_row, 2, "the first failing row is selected");
    let effects = keys(&mut app, &[KeyCode::Char('h')]);
    assert!(matches!(effects[..], [Effect::SaveProgress(_)]));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn snapshot_history_picture() {
    let mut app = with_report(failing_report());
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    insta::assert_snapshot!(draw(&app, 80, 24));
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Exercise(1));
}

#[test]
fn snapshot_passed_with_reference() {
    let app = with_report(passing_report());
    assert!(app.is_done(1));
    insta::assert_snapshot!(draw(&app, 80, 30));
}

#[test]
fn snapshot_coming_soon() {
    let mut app = app();
    let effects = keys(
        &mut app,
        &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Enter],
    );
    assert!(effects.is_empty(), "an unknown exercise is never checked");
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn snapshot_quiz() {
    let mut app = app();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('t'), KeyCode::Char('j')],
    );
    insta::assert_snapshot!("quiz_choosing", draw(&app, 80, 24));
    keys(&mut app, &[KeyCode::Enter]);
    insta::assert_snapshot!("quiz_answered", draw(&app, 80, 24));
}

#[test]
fn snapshot_help() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('?')]);
    insta::assert_snapshot!(draw(&app, 80, 24));
    keys(&mut app, &[KeyCode::Char('x')]);
    assert!(!app.help);
}

#[test]
fn snapshot_corrupt_progress() {
    let mut app = app();
    app.progress_error = Some(
        "/home/me/threadlings/.threadlings-progress.toml: this is not a threadlings progress file"
            .into(),
    );
    insta::assert_snapshot!(draw(&app, 80, 24));
    assert_eq!(keys(&mut app, &[KeyCode::Char('j')]), vec![]);
    assert_eq!(
        keys(&mut app, &[KeyCode::Enter]),
        vec![Effect::MoveProgressAside]
    );
    update(&mut app, Msg::MovedAside(Ok(PathBuf::from("x.corrupt"))));
    assert!(app.progress_error.is_none());
    assert!(app.status.contains("x.corrupt"));
}

#[test]
fn navigation_and_continue() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('G')]);
    assert_eq!(app.selected, 3);
    keys(&mut app, &[KeyCode::Char('k'), KeyCode::Up]);
    assert_eq!(app.selected, 1);
    keys(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(app.selected, 0);
    app.progress.done.insert("one-owner".into());
    let effects = keys(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(app.screen, Screen::Exercise(1));
    assert!(matches!(effects[..], [Effect::StartCheck { .. }]));
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Path);
    assert_eq!(
        keys(&mut app, &[KeyCode::Char('q')]),
        vec![Effect::CancelCheck { generation: 1 }, Effect::Quit]
    );
}

#[test]
fn ctrl_c_and_signals_quit_and_cancel_the_check() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    let effects = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(
        effects,
        vec![Effect::CancelCheck { generation: 1 }, Effect::Quit]
    );
    let mut app = self::app();
    assert_eq!(update(&mut app, Msg::Signal), vec![Effect::Quit]);
}

#[test]
fn lesson_next_marks_done_and_moves_on() {
    let mut app = app();
    app.progress
        .quiz
        .insert("one-owner".into(), Default::default());
    let effects = keys(&mut app, &[KeyCode::Enter, KeyCode::Char('n')]);
    assert!(app.is_done(0));
    assert_eq!(app.screen, Screen::Exercise(1));
    assert!(matches!(effects[0], Effect::SaveProgress(_)));
}

#[test]
fn hints_are_revealed_one_at_a_time() {
    let mut app = with_report(failing_report());
    keys(&mut app, &[KeyCode::Char('h')]);
    assert_eq!(app.hints_shown(1), 1);
    let effects = keys(&mut app, &[KeyCode::Char('h')]);
    assert_eq!(app.hints_shown(1), 2);
    let Effect::SaveProgress(saved) = &effects[0] else {
        panic!("{effects:?}")
    };
    assert_eq!(saved.hints["counter"], 2);
    assert!(
        keys(&mut app, &[KeyCode::Char('h')]).is_empty(),
        "no third hint"
    );
    assert_eq!(app.hints_shown(1), 2);
}

#[test]
fn reset_needs_confirmation() {
    let mut app = with_report(failing_report());
    assert!(keys(&mut app, &[KeyCode::Char('R'), KeyCode::Char('n')]).is_empty());
    assert!(!app.confirm_reset);
    let effects = keys(&mut app, &[KeyCode::Char('R'), KeyCode::Char('y')]);
    let [Effect::ResetFile { file, starter }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(file, &PathBuf::from("exercises/counter.rs"));
    assert_eq!(starter, crate::exercise::find("counter").unwrap().starter);
    update(
        &mut app,
        Msg::ResetDone(Ok(PathBuf::from("exercises/counter.rs.bak"))),
    );
    assert!(app.reports[1].is_none());
    assert!(app.status.contains("counter.rs.bak"));
}

#[test]
fn quiz_is_graded_and_saved() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter, KeyCode::Char('n')]);
    assert_eq!(
        app.screen,
        Screen::Quiz(0),
        "n on a lesson with a quiz starts it"
    );
    keys(&mut app, &[KeyCode::Char('b')]);
    assert_eq!(app.quiz.results, vec![true]);
    keys(&mut app, &[KeyCode::Enter]);
    chars(&mut app, "Reply  Channel");
    let effects = keys(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Lesson(0));
    let [Effect::SaveProgress(saved)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(saved.quiz["one-owner"].correct, 2);
    assert!(saved.done.contains("one-owner"));
}

#[test]
fn a_wrong_quiz_answer_counts_as_wrong() {
    let mut app = app();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('t'), KeyCode::Enter],
    );
    assert_eq!(app.quiz.results, vec![false]);
}

#[test]
fn a_passing_result_marks_the_exercise_done() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    let effects = update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(passing_report()),
        },
    );
    assert!(app.running.is_none());
    assert!(app.is_done(1));
    assert!(matches!(&effects[..], [Effect::SaveProgress(p)] if p.done.contains("counter")));
}

#[test]
fn a_newer_save_cancels_the_running_check() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    assert_eq!(app.running.unwrap().generation, 1);
    let effects = update(
        &mut app,
        Msg::FileChanged(PathBuf::from("exercises/counter.rs")),
    );
    assert_eq!(effects[0], Effect::CancelCheck { generation: 1 });
    assert!(
        matches!(&effects[1], Effect::StartCheck { generation: 2, exercise, .. } if exercise == "counter")
    );
    // Other files are ignored.
    assert!(
        update(
            &mut app,
            Msg::FileChanged(PathBuf::from("exercises/other.rs"))
        )
        .is_empty()
    );
    // The cancelled check's late answer is ignored; the newer one counts.
    update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(passing_report()),
        },
    );
    assert!(app.reports[1].is_none());
    assert_eq!(app.running.unwrap().generation, 2);
    update(
        &mut app,
        Msg::CheckDone {
            generation: 2,
            outcome: CheckOutcome::Report(failing_report()),
        },
    );
    assert!(app.running.is_none());
    assert!(!app.reports[1].as_ref().unwrap().passed);
}

#[test]
fn manual_run_ignores_saves_and_rechecks_on_r() {
    let mut app = App::new(steps(), Progress::default(), true);
    assert!(keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]).is_empty());
    assert!(
        update(
            &mut app,
            Msg::FileChanged(PathBuf::from("exercises/counter.rs"))
        )
        .is_empty()
    );
    let effects = keys(&mut app, &[KeyCode::Char('r')]);
    assert!(matches!(
        effects[..],
        [Effect::StartCheck { generation: 1, .. }]
    ));
    let effects = keys(&mut app, &[KeyCode::Char('e')]);
    assert_eq!(
        effects,
        vec![Effect::OpenEditor(PathBuf::from("exercises/counter.rs"))]
    );
}

#[test]
fn lesson_scrolling_is_clamped_to_the_text() {
    let mut app = app();
    update(&mut app, Msg::Resize(80, 12));
    keys(&mut app, &[KeyCode::Enter, KeyCode::Char('G')]);
    let bottom = app.scroll;
    assert!(bottom > 0 && bottom < 40, "{bottom}");
    keys(&mut app, &[KeyCode::Char('k')]);
    assert_eq!(app.scroll, bottom - 1, "one line up from the bottom");
    keys(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(app.scroll, 0);
    update(&mut app, Msg::Scroll(3));
    assert_eq!(app.scroll, 3);
    update(&mut app, Msg::Resize(200, 60));
    assert_eq!(app.scroll, 0, "everything fits: nothing to scroll");
}

/// A linearizable failure exactly as the engine reports it.
const ENGINE_DETAIL: &str = "thread 0      |- inc() -|\nthread 1                  |- inc() -|\nthread 2    |--------- get() -> 5 ----------|\nthread 3                              |- get() -> 7 -|\nthread 4                                |- get() -> 7 -|\nthread 5  |--------- get() -> 1 ----------|\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\nAfter these 11 calls the count is 7, so thread 5's get() must return 7, but it\nreturned 1.\n";

#[test]
fn snapshot_history_from_the_engine_detail() {
    let mut report = failing_report();
    report.checks[2] = CheckResult::fail(CheckId::Linearizable, "in trial 0, no order of the calls that respects real time explains the results: After these 11 calls the count is 7, so thread 5's get() must return 7, but it returned 1. (the picture shows 6 calls on 6 thread(s) around it)").with_detail(ENGINE_DETAIL);
    let mut app = with_report(report);
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    insta::assert_snapshot!(draw(&app, 80, 24));
    insta::assert_snapshot!("history_from_engine_wide", draw(&app, 120, 24));
}

#[test]
fn q_leaves_a_choice_question_but_types_into_a_short_answer() {
    let mut app = app();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('t'), KeyCode::Char('q')],
    );
    assert_eq!(app.screen, Screen::Lesson(0));
    keys(
        &mut app,
        &[KeyCode::Char('t'), KeyCode::Char('b'), KeyCode::Enter],
    );
    chars(&mut app, "q");
    assert_eq!(app.quiz.typed, "q");
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Lesson(0));
}

/// The course with the scaling lesson last, opened on it.
fn scaling_app() -> App {
    let mut steps = steps();
    steps.push(Step {
        id: "scaling".into(),
        title: "When one owner is not enough".into(),
        kind: StepKind::Lesson {
            markdown: "# When one owner is not enough\n\nMeasure first: press `b`.".into(),
            quiz: Vec::new(),
        },
    });
    let mut app = App::new(steps, Progress::default(), false);
    super::update::open(&mut app, 4);
    assert_eq!(app.screen, Screen::Lesson(4));
    app
}

/// A made-up benchmark result (never real timings in a snapshot): million
/// increments per second for 1, 2, 4 and 8 threads, per strategy.
fn fake_benchmark() -> BenchmarkResult {
    const OPS: u64 = 500_000;
    let table: [(Strategy, [f64; 4]); 4] = [
        (Strategy::Actor, [4.0, 3.1, 2.9, 2.8]),
        (Strategy::Mutex, [40.0, 18.5, 15.0, 14.2]),
        (Strategy::Atomic, [150.0, 90.0, 95.5, 92.0]),
        (Strategy::ShardedActor, [3.5, 6.2, 7.0, 7.4]),
    ];
    let mut rows = Vec::new();
    for (n, threads) in [1, 2, 4, 8].into_iter().enumerate() {
        for (strategy, mops) in table {
            rows.push(ScalingRow {
                strategy,
                threads,
                ops: OPS,
                elapsed: Duration::from_secs_f64(OPS as f64 / (mops[n] * 1e6)),
                total: OPS,
            });
        }
    }
    BenchmarkResult {
        rows,
        cores: 2,
        optimised: true,
    }
}

#[test]
fn b_in_the_scaling_lesson_runs_the_benchmark_once() {
    let mut app = scaling_app();
    update(&mut app, Msg::Tick(Duration::from_secs(10)));
    let effects = keys(&mut app, &[KeyCode::Char('b')]);
    assert_eq!(
        effects,
        vec![Effect::RunBenchmark(BenchmarkPlan {
            threads: vec![1, 2, 4, 8],
            ops: 300_000,
        })]
    );
    assert_eq!(app.benchmark.running, Some(Duration::from_secs(10)));
    assert!(app.busy(), "the loop ticks for the spinner");
    assert!(
        keys(&mut app, &[KeyCode::Char('b')]).is_empty(),
        "a second press while it runs does nothing"
    );
    // The lesson stays usable and shows the spinner with the elapsed time.
    assert_eq!(app.screen, Screen::Lesson(4));
    update(&mut app, Msg::Tick(Duration::from_millis(11_234)));
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("benchmark running… 1.2s"), "{screen}");
    assert!(screen.contains("b benchmark"), "the footer offers the key");
}

#[test]
fn b_elsewhere_does_nothing() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Lesson(0));
    assert!(keys(&mut app, &[KeyCode::Char('b')]).is_empty());
    assert!(app.benchmark.running.is_none());
    assert!(!draw(&app, 80, 24).contains("b benchmark"));
}

#[test]
fn the_result_opens_the_chart_and_esc_returns() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    let effects = update(&mut app, Msg::BenchmarkDone(Ok(fake_benchmark())));
    assert!(effects.is_empty());
    assert_eq!(app.screen, Screen::Benchmark(4));
    assert!(app.benchmark.running.is_none());
    assert!(keys(&mut app, &[KeyCode::Char('j')]).is_empty());
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Lesson(4));
    // The result is kept: b opens it again without running anything.
    assert!(keys(&mut app, &[KeyCode::Char('b')]).is_empty());
    assert_eq!(app.screen, Screen::Benchmark(4));
    assert_eq!(app.benchmark.result, Some(fake_benchmark()));
    // r on the chart runs it again, once.
    assert!(matches!(
        keys(&mut app, &[KeyCode::Char('r')])[..],
        [Effect::RunBenchmark(_)]
    ));
    assert!(keys(&mut app, &[KeyCode::Char('r')]).is_empty());
    assert!(draw(&app, 80, 24).contains("benchmark running…"));
    keys(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.screen, Screen::Lesson(4));
}

#[test]
fn a_result_arriving_elsewhere_waits_in_the_state() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b'), KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Path);
    update(&mut app, Msg::BenchmarkDone(Ok(fake_benchmark())));
    assert_eq!(app.screen, Screen::Path, "no jump away from where you are");
    assert!(app.status.contains("scaling lesson"));
    assert!(app.benchmark.result.is_some());
}

#[test]
fn a_failed_benchmark_is_reported() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    update(
        &mut app,
        Msg::BenchmarkDone(Err("the benchmark thread panicked".into())),
    );
    assert_eq!(app.screen, Screen::Lesson(4));
    assert!(app.benchmark.running.is_none());
    assert!(app.status.contains("panicked"));
    assert!(
        matches!(
            keys(&mut app, &[KeyCode::Char('b')])[..],
            [Effect::RunBenchmark(_)]
        ),
        "it can be tried again"
    );
}

#[test]
fn snapshot_benchmark_chart() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    update(&mut app, Msg::BenchmarkDone(Ok(fake_benchmark())));
    insta::assert_snapshot!("benchmark_chart_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("benchmark_chart_100x30", draw(&app, 100, 30));
}

#[test]
fn snapshot_benchmark_chart_debug_build_and_rerunning() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    let mut result = fake_benchmark();
    result.optimised = false;
    update(&mut app, Msg::BenchmarkDone(Ok(result)));
    update(&mut app, Msg::Tick(Duration::from_millis(2_345)));
    keys(&mut app, &[KeyCode::Char('r')]);
    update(&mut app, Msg::Tick(Duration::from_millis(3_456)));
    insta::assert_snapshot!(draw(&app, 80, 24));
}
