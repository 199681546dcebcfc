//! Snapshot tests of every screen on ratatui's `TestBackend`, and the
//! fixtures the other tests share. The tests that drive the state machine
//! with key sequences, no terminal needed, are in the submodules.
//!
//! The snapshot tests stay in this module on purpose: insta names each
//! `.snap` file after the module path, so moving them would rename them.

mod accounting;
mod benchmark;
mod keys;
mod no_color;
mod quiz_order;
mod small_terminals;
mod state_machine;

use super::app::{App, BenchmarkResult, CheckOutcome, Effect, Msg, Screen, Step, StepKind};
use super::progress::Progress;
use super::update::update;
use crate::course::scaling::{Row as ScalingRow, Strategy};
use crate::course::{ExerciseInfo, QuizItem, QuizKind};
use crate::engine::report::{CheckId, CheckResult, Report};
use crate::exercise::builtin::counter::model::{CounterModel, CounterOp, CounterRet};
use crate::linearizability::{Operation, Outcome, Timeline, check};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;
use std::time::Duration;

const LESSON: &str = "# Owners\n\nOne thread *owns* the **state**; others send `Command`s.\n\n> Don't communicate by sharing memory; share memory by communicating.\n\n- a sender per client\n- one receiver\n  1. the owner loops\n  2. replies go back\n\n| tool | shares |\n|------|--------|\n| Mutex | memory |\n| channel | messages |\n\n```rust\n// The owner.\nlet (tx, rx) = unbounded::<Command>();\nthread::spawn(move || for cmd in rx { apply(cmd, \"x\", 42) });\n```\n";

/// A counter call on `thread` from `call` to `ret` (logical times).
fn op(thread: usize, call: u64, ret: u64, input: CounterOp, output: CounterRet) -> CounterCall {
    Operation::completed(thread, call, ret, input, output)
}

/// The failing `linearizable` check the engine makes of `history`: the
/// checker's violation, drawn by `Timeline::from_violation` and attached
/// with `with_timeline`, the path real reports take to the history screen.
fn rejected(history: &[CounterCall], message: &str) -> CheckResult {
    let outcome = check(&CounterModel::default(), history, Duration::from_secs(10));
    let Outcome::NotLinearizable(violation) = outcome else {
        panic!("the fixture must not be linearizable: {outcome:?}");
    };
    let timeline = Timeline::from_violation::<CounterModel>(history, &violation);
    CheckResult::fail(CheckId::LINEARIZABLE, message).with_timeline(timeline)
}

/// Thread 1's `get()` starts after thread 0's `inc()` returned, yet sees 0.
fn stale_read() -> CheckResult {
    use CounterOp::{Get, Increment};
    rejected(
        &[
            op(0, 0, 4, Increment, CounterRet::Done),
            op(1, 6, 10, Get, CounterRet::Value(0)),
        ],
        "no order of the calls explains the results",
    )
}

/// One call of a counter history.
type CounterCall = Operation<CounterOp, CounterRet>;

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
            CheckResult::pass(CheckId::COMPILE, "the file compiles against the API"),
            CheckResult::pass(CheckId::OWNER_THREAD, "one worker thread owns the count"),
            stale_read(),
            CheckResult::not_checked(CheckId::BUSY_LOOP, "not checked: the run stopped first"),
        ],
    )
}

fn passing_report() -> Report {
    Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            CheckResult::pass(CheckId::COMPILE, "the file compiles against the API"),
            CheckResult::pass(CheckId::LINEARIZABLE, "every history had an order"),
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

/// The counter's check started, compiled, then told `progress`; the
/// check's generation. The clock stands at 1.234 s.
fn checking_with(progress: Vec<crate::engine::Progress>) -> (App, u64) {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    let generation = app.running.expect("a check runs").generation;
    let compiled = CheckResult::pass(CheckId::COMPILE, "the file compiles against the API");
    let compiled = crate::engine::Progress::Compiled(Box::new(compiled));
    for progress in std::iter::once(compiled).chain(progress) {
        update(
            &mut app,
            Msg::CheckProgress {
                generation,
                progress,
            },
        );
    }
    update(&mut app, Msg::Tick(Duration::from_millis(1234)));
    (app, generation)
}

/// Streaming: the compile result shows the moment rustc is done, and the
/// title counts the phases that ran.
#[test]
fn snapshot_exercise_compiled_and_running() {
    let (mut app, generation) = checking_with(vec![crate::engine::Progress::PhaseEnded {
        phase: "single".into(),
        ending: crate::engine::supervisor::Ending::Exited(0),
        checks: Vec::new(),
    }]);
    // A stale check's news changes nothing.
    update(
        &mut app,
        Msg::CheckProgress {
            generation: generation + 7,
            progress: crate::engine::Progress::Compiled(Box::new(CheckResult::fail(
                CheckId::COMPILE,
                "x",
            ))),
        },
    );
    update(&mut app, Msg::Tick(Duration::from_millis(1234)));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

/// Streaming per check: the checks a phase completes show the moment it
/// is judged, pass or fail, while the others still wait for theirs.
#[test]
fn snapshot_exercise_partly_judged() {
    let (app, _) = checking_with(vec![
        crate::engine::Progress::PhaseEnded {
            phase: "idle".into(),
            ending: crate::engine::supervisor::Ending::Exited(0),
            checks: vec![CheckResult::pass(
                CheckId::BUSY_LOOP,
                "the idle worker slept (2 windows)",
            )],
        },
        crate::engine::Progress::PhaseEnded {
            phase: "single".into(),
            ending: crate::engine::supervisor::Ending::Exited(0),
            checks: vec![
                CheckResult::pass(CheckId::OWNER_THREAD, "start() spawned 1 thread (worker)"),
                CheckResult::fail(
                    CheckId::CORRECTNESS,
                    "on one thread, after 3 calls, get() returned 2; it must return 3",
                ),
            ],
        },
    ]);
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("FAIL  correctness"), "{screen}");
    insta::assert_snapshot!(screen);
}

/// The first start's background build, honest about what and how long,
/// in the title bar so the keys stay in view.
#[test]
fn snapshot_preparing_on_first_start() {
    let mut app = app();
    update(&mut app, Msg::Tick(Duration::from_millis(200)));
    update(&mut app, Msg::Preparing("the check harness".into()));
    update(&mut app, Msg::Tick(Duration::from_millis(12_300)));
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

/// A linearizable failure as the engine reports it: four overlapping
/// increments on four threads, all returned before thread 4 reads 3.
#[test]
fn snapshot_history_from_the_engine() {
    use CounterOp::{Get, Increment};
    let done = CounterRet::Done;
    let history = [
        op(0, 0, 10, Increment, done),
        op(1, 2, 12, Increment, done),
        op(2, 4, 14, Increment, done),
        op(3, 6, 16, Increment, done),
        op(4, 20, 22, Get, CounterRet::Value(3)),
    ];
    let mut report = failing_report();
    report.checks[2] = rejected(
        &history,
        "in trial 0, no order of the calls that respects real time explains the results: After these 4 calls the count is 4, so thread 4's get() must return 4, but it returned 3. (the picture shows 5 calls on 5 threads around it)",
    );
    let mut app = with_report(report);
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    insta::assert_snapshot!(draw(&app, 80, 24));
    insta::assert_snapshot!("history_from_engine_wide", draw(&app, 120, 24));
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
    let table: [(Strategy, [f64; 4]); 5] = [
        (Strategy::Actor, [4.0, 3.1, 2.9, 2.8]),
        (Strategy::BufferActor, [3.2, 2.4, 2.2, 2.1]),
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
fn snapshot_benchmark_chart() {
    let mut app = scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    update(&mut app, Msg::BenchmarkDone(Ok(fake_benchmark())));
    insta::assert_snapshot!("benchmark_chart_80x24", draw(&app, 80, 24));
    let wide = draw(&app, 100, 30);
    // No value labels on the bars (the table has the numbers): none merges
    // with a short bar's glyph, and the tallest is not the odd one out.
    assert!(!wide.contains("7.4▇") && !wide.contains("4.0▄"), "{wide}");
    insta::assert_snapshot!("benchmark_chart_100x30", wide);
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

/// The counter starter's verdict: the harness's call into `todo!()` panics.
fn starter_report() -> Report {
    let stopped = |id| CheckResult::not_checked(id, "not checked: the run stopped first");
    Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            CheckResult::pass(CheckId::COMPILE, "the file compiles against the API"),
            stopped(CheckId::OWNER_THREAD),
            stopped(CheckId::CORRECTNESS),
            stopped(CheckId::LINEARIZABLE),
            stopped(CheckId::LOST_MESSAGES),
            stopped(CheckId::LEAKED_WORKERS),
            stopped(CheckId::HANG),
            stopped(CheckId::BUSY_LOOP),
            CheckResult::fail(
                CheckId::PANIC,
                "the tutor's main thread (inside a call to your code) panicked at /tmp/learner/threadlings/exercises/counter.rs:33:9: not yet implemented: spawn the worker thread and keep its Sender",
            ),
        ],
    )
}

#[test]
fn snapshot_starter_failing_shows_the_whole_panic_message() {
    let mut app = app();
    app.root = Some(PathBuf::from("/tmp/learner/threadlings"));
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(starter_report()),
        },
    );
    assert_eq!(app.check_row, 8, "the panic row is selected");
    let screen = draw(&app, 80, 24);
    assert!(!screen.contains("/tmp/learner"), "{screen}");
    assert!(screen.contains("exercises/counter.rs:33:9"), "{screen}");
    assert!(
        screen.contains("Sender"),
        "the end of the message: {screen}"
    );
    insta::assert_snapshot!(screen);
}

/// The status bar of `app` drawn at 80×24.
fn footer(app: &App) -> String {
    draw(app, 80, 24).lines().last().unwrap().to_string()
}

#[test]
fn lesson_and_quiz_footers_say_what_each_key_does() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter]);
    assert!(
        footer(&app).contains("n quiz, then next"),
        "{}",
        footer(&app)
    );
    keys(&mut app, &[KeyCode::Char('t')]);
    let choosing = footer(&app);
    assert!(choosing.contains("a-b answer at once"), "{choosing}");
    assert!(choosing.contains("↑↓ then Enter answer"), "{choosing}");
    keys(&mut app, &[KeyCode::Char('b')]);
    assert!(app.quiz.answered, "a letter answers at once");
    assert!(
        footer(&app).contains("Enter next question"),
        "{}",
        footer(&app)
    );
    keys(&mut app, &[KeyCode::Enter]);
    let typing = footer(&app);
    assert!(
        typing.contains("type your answer  Enter answer  Esc leave"),
        "{typing}"
    );
    assert!(
        !typing.contains("a-"),
        "no letters on a free-text question: {typing}"
    );
    chars(&mut app, "reply channel");
    keys(&mut app, &[KeyCode::Enter]);
    assert!(
        footer(&app).contains("Enter finish the quiz"),
        "{}",
        footer(&app)
    );
    keys(&mut app, &[KeyCode::Enter, KeyCode::Char('j')]);
    assert_eq!(app.screen, Screen::Lesson(0));
    let after = footer(&app);
    assert!(
        after.contains("n next") && !after.contains("quiz, then"),
        "{after}"
    );
}
