//! The exercise screen at every size from 40×12 up: the first failing
//! check and the start of its message are in view without scrolling, and
//! the rest of the screen is reachable by keys.

use super::{app, draw, keys};
use crate::engine::judge::{self, PhaseRun};
use crate::engine::protocol::{AwakeThread, Record};
use crate::engine::report::{CheckId, CheckResult, Report, Status};
use crate::engine::supervisor::Ending;
use crate::tui::app::{App, CheckOutcome, Msg};
use crate::tui::update::update;
use crossterm::event::KeyCode;

/// The counter's verdict on a worker that spins on `try_recv`: eight of
/// nine checks pass; `busy-loop` is judged by the engine from the CPU
/// record such a worker leaves.
fn busy_loop_report() -> Report {
    let idle = PhaseRun {
        phase: "idle".into(),
        records: vec![
            Record::Cpu {
                when: "after a read".into(),
                window_us: 2_100,
                threads: 1,
                used_us: 2_050,
                awake: Some(AwakeThread {
                    ran_us: 2_050,
                    runnable_us: 2_100,
                    name: "unnamed".into(),
                }),
            },
            Record::Done,
        ],
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    };
    let pass = |id, message: &str| CheckResult::pass(id, message);
    let report = Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            pass(CheckId::COMPILE, "the file compiles against the API"),
            pass(CheckId::OWNER_THREAD, "start() spawned 1 thread (counter)"),
            pass(
                CheckId::CORRECTNESS,
                "2000 calls on one thread gave the right results",
            ),
            pass(
                CheckId::LINEARIZABLE,
                "every history had an order (40 trials)",
            ),
            pass(
                CheckId::LOST_MESSAGES,
                "every command was applied exactly once (40 trials)",
            ),
            pass(CheckId::LEAKED_WORKERS, "no thread outlived shutdown()"),
            pass(CheckId::HANG, "every call returned in time"),
            judge::busy_loop(&idle),
            pass(CheckId::PANIC, "nothing panicked"),
        ],
    );
    assert_eq!(report.checks[7].status, Status::Failed);
    report
}

/// The counter exercise at `w`×`h`, with the busy-loop verdict in.
fn busy_app(w: u16, h: u16) -> App {
    let mut app = app();
    update(&mut app, Msg::Resize(w, h));
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(busy_loop_report()),
        },
    );
    assert_eq!(app.check_row, 7, "the failing row is selected");
    app
}

#[test]
fn the_failing_row_and_its_message_show_at_every_size() {
    for (w, h) in [(40, 12), (60, 15), (80, 24), (200, 50)] {
        let app = busy_app(w, h);
        let screen = draw(&app, w, h);
        assert!(screen.contains("FAIL  busy-loop"), "{w}×{h}:\n{screen}");
        assert!(
            screen.contains("busy-loop: while nobody"),
            "the start of the message at {w}×{h}:\n{screen}"
        );
        insta::assert_snapshot!(format!("busy_loop_{w}x{h}"), screen);
    }
}

#[test]
fn every_row_and_line_is_reachable_by_keys_on_a_small_terminal() {
    let mut app = busy_app(40, 12);
    // Up to the first row: the panel scrolls to it.
    keys(&mut app, &[KeyCode::Char('k'); 8]);
    assert_eq!(app.check_row, 0);
    assert!(draw(&app, 40, 12).contains("pass  compile"));
    // Down to the last.
    keys(&mut app, &[KeyCode::Char('j'); 8]);
    assert!(draw(&app, 40, 12).contains("pass  panic"));
    // Back to the failing row, then page through the lower pane to the
    // end of the task, which the head had no room for.
    keys(&mut app, &[KeyCode::Char('k')]);
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&draw(&app, 40, 12));
        keys(&mut app, &[KeyCode::PageDown]);
    }
    assert!(seen.contains("arm?)"), "the message's end:\n{seen}");
    assert!(seen.contains("The task"), "{seen}");
    assert!(seen.contains("owns the count"), "the task's end:\n{seen}");
    // Scrolling stops at the end, so one Home is back at the top.
    keys(&mut app, &[KeyCode::Home]);
    assert_eq!(app.scroll, 0);
    assert!(draw(&app, 40, 12).contains("busy-loop: while"));
}

#[test]
fn a_long_task_is_cut_at_a_line_end_with_its_marker_and_shown_once() {
    // A line as wide as the head: the marker cannot follow it, so the
    // line moves below whole (this is how `ledger`'s marker went missing).
    let wide = "word ".repeat(15).trim_end().to_string();
    let task = format!("{wide}\n{wide}\n{wide}\n\nThe end of the task.");
    let mut app = app();
    let crate::tui::app::StepKind::Exercise {
        info: Some(info), ..
    } = &mut app.steps[1].kind
    else {
        panic!("the counter step has its info");
    };
    info.task = task;
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    // At 80×24 the head keeps three task lines and the lower pane has
    // room for the rest: one drawing shows all of it.
    let screen = draw(&app, 80, 24);
    assert!(screen.contains(" … (continued below) "), "{screen}");
    assert!(screen.contains("The task, continued"), "{screen}");
    let wide_lines = screen.lines().filter(|l| l.contains(&wide)).count();
    assert_eq!(wide_lines, 3, "each line once, none lost:\n{screen}");
    assert_eq!(
        screen.matches("The end of the task.").count(),
        1,
        "{screen}"
    );
}

#[test]
fn a_signature_mismatch_is_wrapped_not_cut() {
    let glue = "mod solution;\nstruct Api(solution::Counter);\nimpl X for Api {\n    fn get(&self) -> i64 { self.0.get() }\n}\n";
    let rustc = "error[E0308]: mismatched types\n  --> /tmp/w/check_counter.rs:4:28\n   |\n4 |     fn get(&self) -> i64 { self.0.get() }\n";
    let detail = crate::engine::diagnostics::explain_glue(rustc, "/tmp/w/check_counter.rs", glue);
    let report = Report::new(
        "counter",
        "exercises/counter.rs",
        0,
        vec![
            CheckResult::fail(
                CheckId::COMPILE,
                "the file does not compile against the exercise's API (rustc's messages below)",
            )
            .with_detail(detail),
        ],
    );
    let mut app = app();
    update(&mut app, Msg::Resize(60, 30));
    keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
    update(
        &mut app,
        Msg::CheckDone {
            generation: 1,
            outcome: CheckOutcome::Report(report),
        },
    );
    let screen = draw(&app, 60, 30);
    // The sentence's end, on a line of its own after wrapping.
    assert!(screen.contains("the starter file):"), "{screen}");
    // Lines that fit keep their columns.
    assert!(screen.contains("4 |     fn get(&self)"), "{screen}");
}

#[test]
fn lesson_prose_is_a_centred_column_on_a_wide_terminal() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter]);
    let crate::tui::app::StepKind::Lesson { markdown, .. } = &mut app.steps[0].kind else {
        panic!("the first step is a lesson");
    };
    *markdown = "word ".repeat(200);
    let screen = draw(&app, 200, 50);
    let prose: Vec<&str> = screen.lines().filter(|l| l.contains("word")).collect();
    assert!(prose.len() > 5, "{screen}");
    for line in &prose {
        let cells: Vec<char> = line.trim_matches('"').chars().collect();
        let first = cells.iter().position(|&c| c != ' ').unwrap();
        let last = cells.iter().rposition(|&c| c != ' ').unwrap();
        assert!(last - first < 100, "at most 100 wide: {line}");
        // Centred: as much room on the left as on the right, give or take
        // the ragged right edge.
        assert!((48..=52).contains(&first), "{line}");
    }
}

#[test]
fn the_quiz_keeps_the_choice_then_the_verdict_in_view_at_40x12() {
    let mut app = app();
    app.quiz = Default::default();
    // A long question pushes the choices below a 40×12 screen.
    let crate::tui::app::StepKind::Lesson { quiz, .. } = &mut app.steps[0].kind else {
        panic!("the first step is a lesson");
    };
    quiz[0].question = "Which thread may touch the state, in the design where one \
                        thread owns it and the others send it messages over a channel?"
        .into();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('t'), KeyCode::Char('j')],
    );
    let choosing = draw(&app, 40, 12);
    assert!(choosing.contains("›b) Only the owner thread"), "{choosing}");
    keys(&mut app, &[KeyCode::Char('a')]);
    let answered = draw(&app, 40, 12);
    assert!(answered.contains("✗ Not quite."), "{answered}");
    assert!(
        answered.contains("Everyone else sends messages."),
        "{answered}"
    );
}

#[test]
fn the_history_scrolls_to_its_note_at_40x12() {
    let mut app = super::with_report(super::failing_report());
    update(&mut app, Msg::Resize(40, 12));
    keys(&mut app, &[KeyCode::Enter]);
    assert!(!draw(&app, 40, 12).contains("must"));
    keys(&mut app, &[KeyCode::End]);
    let bottom = draw(&app, 40, 12);
    assert!(bottom.contains("returned 0."), "{bottom}");
}

#[test]
fn the_benchmark_numbers_show_at_40x12() {
    let mut app = super::scaling_app();
    keys(&mut app, &[KeyCode::Char('b')]);
    update(&mut app, Msg::BenchmarkDone(Ok(super::fake_benchmark())));
    let screen = draw(&app, 40, 12);
    // Every row of the table, with its largest number whole (one decimal
    // when narrow), and the last column.
    for number in ["150.0", "90.0", "95.5", "92.0", "7.4"] {
        assert!(screen.contains(number), "{number}:\n{screen}");
    }
}
