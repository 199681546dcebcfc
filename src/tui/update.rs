//! The state machine: `update(&mut App, Msg) -> Vec<Effect>`. No I/O
//! here; everything that touches the world is an [`Effect`] for the
//! runtime.

mod benchmark;
mod exercise;
mod quiz;

use benchmark::{benchmark_action, benchmark_done, start_benchmark};
use exercise::exercise_action;
use quiz::{quiz_key, start_quiz};

use super::app::{App, CheckOutcome, Effect, Msg, Preparing, Running, Screen, StepKind};
use super::keys::{self, Action};
use crate::engine::report::Status;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Lines a page key moves: the visible height of the scrolling pane less
/// two lines, so a line or two stays in view across the jump.
fn page(app: &App) -> i32 {
    let (w, h) = app.viewport;
    let visible = match app.screen {
        Screen::Exercise(i) => super::view::exercise_pane_height(app, i, w, h),
        // Title and status bars, and the rules above and below.
        _ => h.saturating_sub(4),
    };
    i32::from(visible.saturating_sub(2).max(1))
}

/// Applies one message to the state and returns the effects to run.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return Vec::new();
            }
            key_event(app, key)
        }
        Msg::Scroll(lines) => {
            scroll_by(app, lines as i32);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            app.viewport = (w, h);
            app.scroll = app.scroll.min(max_scroll(app));
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            Vec::new()
        }
        Msg::Signal | Msg::TerminalGone => quit(app),
        Msg::BenchmarkDone(result) => benchmark_done(app, result),
        Msg::Preparing(what) => {
            // The clock runs from the first step: the learner waits for all.
            let since = match &app.preparing {
                Preparing::Building { since, .. } => *since,
                _ => app.now,
            };
            app.preparing = Preparing::Building { what, since };
            Vec::new()
        }
        Msg::Prepared(result) => {
            if let Preparing::Building { since, .. } = app.preparing
                && app.status.is_empty()
            {
                let secs = app.now.saturating_sub(since).as_secs();
                match &result {
                    Ok(steps) if steps.iter().any(|s| s.built) => {
                        app.status =
                            format!("the checker is built ({secs} s): checks start at once now");
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let first = err.lines().next().unwrap_or_default();
                        app.status = format!("could not build the checker: {first}");
                    }
                }
            }
            app.preparing = match result {
                Ok(_) => Preparing::Ready,
                Err(err) => Preparing::Failed(err),
            };
            Vec::new()
        }
        Msg::CompilingAhead(what) => {
            app.ahead = what.map(|what| (what, app.now));
            Vec::new()
        }
        Msg::CheckStarted(path, content) => {
            match content {
                Some(hash) => app.contents.insert(path, hash),
                None => app.contents.remove(&path),
            };
            Vec::new()
        }
        Msg::FileChanged(path, content) => {
            let current = match app.screen {
                Screen::Exercise(i) | Screen::History(i) => Some(i),
                _ => None,
            };
            // An unreadable file is checked: the check says why it fails.
            let unchanged = match content {
                Some(hash) => app.contents.insert(path.clone(), hash) == Some(hash),
                None => {
                    app.contents.remove(&path);
                    false
                }
            };
            if unchanged {
                // Saved as it was: the verdict shown (or coming) is its own.
                if current.is_some_and(|i| exercise_file(app, i).is_some_and(|f| *f == path)) {
                    app.status = format!(
                        "{} saved without changes: not checked again (r re-runs)",
                        path.display()
                    );
                }
                return Vec::new();
            }
            match current {
                Some(i) if !app.manual_run && exercise_file(app, i).is_some_and(|f| *f == path) => {
                    app.status = format!("{} saved: checking", path.display());
                    start_check(app, i)
                }
                _ => Vec::new(),
            }
        }
        Msg::CheckProgress {
            generation,
            progress,
        } => {
            // Only the running check's news; an older one's are stale.
            if app.running.is_some_and(|r| r.generation == generation) {
                match progress {
                    crate::engine::Progress::Compiled(result) => app.live.compile = Some(*result),
                    crate::engine::Progress::PhaseEnded { phase, checks, .. } => {
                        app.live.phases_ended.push(phase);
                        app.live.checks.extend(checks);
                    }
                }
            }
            Vec::new()
        }
        Msg::CheckDone {
            generation,
            outcome,
        } => check_done(app, generation, outcome),
        Msg::EditorClosed(result) => {
            app.status = match result {
                Ok(()) if app.manual_run => "back from the editor: press r to check".to_string(),
                Ok(()) => "back from the editor".to_string(),
                Err(err) => err,
            };
            Vec::new()
        }
        Msg::ResetDone(result) => {
            match result {
                Ok(backup) => {
                    app.status = format!(
                        "reset to the starter; your previous file is saved as {}",
                        backup.display()
                    );
                    if let Screen::Exercise(i) = app.screen {
                        app.reports[i] = None;
                    }
                }
                Err(err) => app.status = format!("could not reset: {err}"),
            }
            Vec::new()
        }
        Msg::MovedAside(result) => {
            match result {
                Ok(aside) => {
                    app.progress_error = None;
                    // A fresh start keeps the quiz order the learner saw.
                    app.progress = super::progress::Progress {
                        quiz_seed: app.progress.quiz_seed,
                        ..Default::default()
                    };
                    app.status = format!(
                        "moved the old progress file to {}: starting fresh",
                        aside.display()
                    );
                }
                Err(err) => {
                    app.progress_error = Some(format!("could not move the file aside: {err}"));
                }
            }
            Vec::new()
        }
        Msg::SaveFailed(err) => {
            app.status = format!("could not save progress: {err}");
            Vec::new()
        }
    }
}

fn quit(app: &mut App) -> Vec<Effect> {
    app.quitting = true;
    let mut effects = Vec::new();
    if let Some(running) = app.running.take() {
        effects.push(Effect::CancelCheck {
            generation: running.generation,
        });
    }
    // Every change was saved as it happened; saving once more on the way
    // out means a save that failed then is retried, whatever ends the app.
    // (Never over a broken file the learner has not been asked about.)
    effects.extend(save(app));
    effects.push(Effect::Quit);
    effects
}

fn exercise_file(app: &App, i: usize) -> Option<&std::path::PathBuf> {
    match &app.steps.get(i)?.kind {
        StepKind::Exercise {
            file,
            checkable: true,
            ..
        } => Some(file),
        _ => None,
    }
}

/// Starts checking step `i`, cancelling whatever check is running.
fn start_check(app: &mut App, i: usize) -> Vec<Effect> {
    let Some(file) = exercise_file(app, i).cloned() else {
        app.status = "this exercise is coming soon: it cannot be checked yet".to_string();
        return Vec::new();
    };
    let mut effects = Vec::new();
    if let Some(old) = app.running.take() {
        effects.push(Effect::CancelCheck {
            generation: old.generation,
        });
    }
    leave_history(app);
    app.live = Default::default();
    app.generation += 1;
    app.running = Some(Running {
        generation: app.generation,
        step: i,
        started: app.now,
    });
    effects.push(Effect::StartCheck {
        generation: app.generation,
        exercise: app.steps[i].id.clone(),
        file,
    });
    effects
}

/// Back from a history picture to its exercise: the picture belongs to a
/// verdict that a new check replaces.
fn leave_history(app: &mut App) {
    if let Screen::History(i) = app.screen {
        app.screen = Screen::Exercise(i);
        app.scroll = 0;
    }
}

fn check_done(app: &mut App, generation: u64, outcome: CheckOutcome) -> Vec<Effect> {
    let Some(running) = app.running.filter(|r| r.generation == generation) else {
        return Vec::new(); // a cancelled, older check
    };
    app.running = None;
    leave_history(app);
    match outcome {
        CheckOutcome::Report(report) => {
            // The new verdict is at the top of the lower pane: show it.
            if app.screen == Screen::Exercise(running.step) {
                app.scroll = 0;
            }
            let passed = report.passed;
            app.check_row = report
                .checks
                .iter()
                .position(|c| c.status == Status::Failed)
                .unwrap_or(0);
            app.reports[running.step] = Some(report);
            if passed {
                app.status = "all checks passed!".to_string();
                return mark_done(app, running.step);
            }
            app.status.clear();
        }
        CheckOutcome::Cancelled => {}
        CheckOutcome::Error(err) => app.status = format!("the check could not run: {err}"),
    }
    Vec::new()
}

fn save(app: &App) -> Vec<Effect> {
    if app.progress_error.is_some() {
        return Vec::new(); // never overwrite a file the learner has not seen about
    }
    vec![Effect::SaveProgress(app.progress.clone())]
}

fn mark_done(app: &mut App, i: usize) -> Vec<Effect> {
    let id = app.steps[i].id.clone();
    if app.progress.done.insert(id) {
        save(app)
    } else {
        Vec::new()
    }
}

/// Opens step `i` on its screen.
pub fn open(app: &mut App, i: usize) -> Vec<Effect> {
    if i >= app.steps.len() {
        return Vec::new();
    }
    app.selected = i;
    app.scroll = 0;
    app.confirm_reset = false;
    app.check_row = 0;
    match app.steps[i].kind {
        StepKind::Lesson { .. } => {
            app.screen = Screen::Lesson(i);
            Vec::new()
        }
        StepKind::Exercise { checkable, .. } => {
            app.screen = Screen::Exercise(i);
            let fresh = app.reports[i].is_none() && app.running.is_none_or(|r| r.step != i);
            if checkable && fresh && !app.manual_run {
                start_check(app, i)
            } else {
                Vec::new()
            }
        }
    }
}

fn scroll_by(app: &mut App, lines: i32) {
    match app.screen {
        Screen::Path => {
            let last = app.steps.len().saturating_sub(1) as i32;
            app.selected = (app.selected as i32 + lines).clamp(0, last) as usize;
        }
        _ => {
            let max = i32::from(max_scroll(app));
            app.scroll = (i32::from(app.scroll) + lines).clamp(0, max) as u16;
        }
    }
}

/// How far the current screen's body can scroll at the current size.
fn max_scroll(app: &App) -> u16 {
    match app.screen {
        Screen::Lesson(i) => {
            let (w, h) = app.viewport;
            let total = super::view::lesson_lines(app, i, w).len();
            // Title and status bars, and the rules above and below.
            total.saturating_sub(usize::from(h.saturating_sub(4))) as u16
        }
        Screen::Exercise(i) => {
            let (w, h) = app.viewport;
            super::view::exercise_max_scroll(app, i, w, h)
        }
        Screen::History(i) => {
            let (w, h) = app.viewport;
            super::view::history_scroll_limit(app, i, w, h)
        }
        Screen::Path => 0,
        _ => u16::MAX,
    }
}

fn key_event(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.status.clear(); // a message lasts until the next key
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d')) {
        return quit(app);
    }
    if app.progress_error.is_some() {
        // The dialog names these keys itself.
        return match key.code {
            KeyCode::Enter | KeyCode::Char('m') => vec![Effect::MoveProgressAside],
            KeyCode::Char('q') | KeyCode::Esc => quit(app),
            _ => Vec::new(),
        };
    }
    if app.help {
        help_key(app, key);
        return Vec::new();
    }
    if let Screen::Quiz(i) = app.screen {
        return quiz_key(app, i, key);
    }
    if app.confirm_reset {
        return confirm_reset(app, key);
    }
    // Everything else is in the screen's key table.
    let Some(action) = keys::action(app, key) else {
        return Vec::new();
    };
    if action == Action::Help {
        app.help = true;
        app.help_scroll = 0;
        return Vec::new();
    }
    match app.screen {
        Screen::Path => match action {
            Action::Open => open(app, app.selected),
            Action::Continue => open(app, app.first_unfinished()),
            Action::Quit => quit(app),
            _ => {
                if let Some(n) = movement(app, action) {
                    scroll_by(app, n);
                }
                Vec::new()
            }
        },
        Screen::Lesson(i) => lesson_action(app, i, action),
        Screen::Exercise(i) => exercise_action(app, i, action),
        Screen::Benchmark(i) => benchmark_action(app, i, action),
        Screen::History(i) => {
            if action == Action::Back {
                app.screen = Screen::Exercise(i);
                app.scroll = 0;
            } else if let Some(n) = movement(app, action) {
                scroll_by(app, n);
            }
            Vec::new()
        }
        Screen::Quiz(_) => Vec::new(),
    }
}

/// Lines a movement action moves (pages by the visible height; top and
/// bottom by more than any screen holds, clamped by the scrolling).
fn movement(app: &App, action: Action) -> Option<i32> {
    Some(match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page(app),
        Action::PageUp => -page(app),
        Action::Top => -100_000,
        Action::Bottom => 100_000,
        _ => return None,
    })
}

/// A key while the help is open: movement scrolls it (it may be taller
/// than the terminal); any other key closes it.
fn help_key(app: &mut App, key: KeyEvent) {
    let (w, h) = app.viewport;
    let max = super::view::help_max_scroll(app, w, h);
    let lines: i32 = match key.code {
        KeyCode::Down | KeyCode::Char('j') => 1,
        KeyCode::Up | KeyCode::Char('k') => -1,
        KeyCode::PageDown | KeyCode::Char(' ') => i32::from(h.saturating_sub(4).max(1)),
        KeyCode::PageUp => -i32::from(h.saturating_sub(4).max(1)),
        _ => {
            app.help = false;
            return;
        }
    };
    app.help_scroll = (i32::from(app.help_scroll) + lines).clamp(0, i32::from(max)) as u16;
}

/// The answer to "reset the file to the starter?": `y` resets.
fn confirm_reset(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.confirm_reset = false;
    if let (KeyCode::Char('y'), Screen::Exercise(i)) = (key.code, app.screen)
        && let StepKind::Exercise {
            file,
            starter: Some(starter),
            ..
        } = &app.steps[i].kind
    {
        app.status = "resetting…".to_string();
        return vec![Effect::ResetFile {
            file: file.clone(),
            starter: starter.to_string(),
        }];
    }
    app.status = "reset cancelled".to_string();
    Vec::new()
}

fn lesson_action(app: &mut App, i: usize, action: Action) -> Vec<Effect> {
    let has_quiz = matches!(&app.steps[i].kind, StepKind::Lesson { quiz, .. } if !quiz.is_empty());
    match action {
        Action::Next => {
            if has_quiz && !app.progress.quiz.contains_key(&app.steps[i].id) {
                start_quiz(app, i);
                Vec::new()
            } else {
                let mut effects = mark_done(app, i);
                effects.extend(open(app, i + 1));
                effects
            }
        }
        Action::Quiz => {
            if has_quiz {
                start_quiz(app, i);
            } else {
                app.status = "this lesson has no quiz".to_string();
            }
            Vec::new()
        }
        Action::Benchmark => {
            if app.benchmark.running.is_none() && app.benchmark.result.is_some() {
                app.screen = Screen::Benchmark(i);
                Vec::new()
            } else {
                start_benchmark(app)
            }
        }
        Action::Previous => open(app, i.saturating_sub(1)),
        Action::Continue => open(app, app.first_unfinished()),
        Action::Back => back_to_path(app),
        _ => {
            if let Some(n) = movement(app, action) {
                scroll_by(app, n);
            }
            Vec::new()
        }
    }
}

fn back_to_path(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Path;
    app.scroll = 0;
    Vec::new()
}
