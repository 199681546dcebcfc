//! The owners benchmark in the scaling lesson: starting it, its result
//! arriving, and the chart screen.

use super::{app, draw, fake_benchmark, keys, scaling_app};
use crate::tui::app::{BenchmarkPlan, Effect, Msg, Screen};
use crate::tui::update::update;
use crossterm::event::KeyCode;
use std::time::Duration;

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
