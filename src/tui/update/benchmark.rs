//! The owners benchmark of the scaling lesson: starting it, its result,
//! and the keys on its chart.

use crate::tui::app::{App, BenchmarkPlan, BenchmarkResult, Effect, Screen};
use crate::tui::keys::Action;

/// Starts the owners benchmark unless one is running already (a run
/// cannot be cancelled, so a second press does nothing).
pub(super) fn start_benchmark(app: &mut App) -> Vec<Effect> {
    if app.benchmark.running.is_some() {
        return Vec::new();
    }
    app.benchmark.running = Some(app.now);
    app.benchmark.error = None;
    vec![Effect::RunBenchmark(BenchmarkPlan::default())]
}

pub(super) fn benchmark_done(
    app: &mut App,
    result: Result<BenchmarkResult, String>,
) -> Vec<Effect> {
    app.benchmark.running = None;
    match result {
        Ok(result) => {
            app.benchmark.result = Some(result);
            match app.screen {
                Screen::Lesson(i) | Screen::Benchmark(i) if app.runs_benchmark(i) => {
                    app.screen = Screen::Benchmark(i);
                }
                _ => {
                    app.status = "the benchmark finished: b in the scaling lesson shows the chart"
                        .to_string();
                }
            }
        }
        Err(err) => {
            app.status = format!("the benchmark failed: {err}");
            app.benchmark.error = Some(err);
        }
    }
    Vec::new()
}

pub(super) fn benchmark_action(app: &mut App, i: usize, action: Action) -> Vec<Effect> {
    match action {
        Action::Benchmark => start_benchmark(app),
        Action::Back => {
            app.screen = Screen::Lesson(i);
            Vec::new()
        }
        _ => Vec::new(),
    }
}
