//! Key sequences through `update`: navigation, checks, hints, reset, quiz.

use super::{app, chars, failing_report, keys, passing_report, steps, with_report};
use crate::tui::app::{App, CheckOutcome, Effect, Msg, Screen};
use crate::tui::progress::Progress;
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::time::Duration;

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
    let progress = app.progress.clone();
    assert_eq!(
        keys(&mut app, &[KeyCode::Char('q')]),
        vec![
            Effect::CancelCheck { generation: 1 },
            Effect::SaveProgress(progress),
            Effect::Quit
        ]
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
        vec![
            Effect::CancelCheck { generation: 1 },
            Effect::SaveProgress(app.progress.clone()),
            Effect::Quit
        ]
    );
    for msg in [Msg::Signal, Msg::TerminalGone] {
        let mut app = self::app();
        assert_eq!(
            update(&mut app, msg),
            vec![Effect::SaveProgress(app.progress.clone()), Effect::Quit]
        );
    }
}

#[test]
fn quitting_never_saves_over_a_progress_file_the_learner_was_not_asked_about() {
    let mut app = app();
    app.progress_error = Some("bad TOML".into());
    assert_eq!(update(&mut app, Msg::TerminalGone), vec![Effect::Quit]);
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
        Msg::FileChanged(PathBuf::from("exercises/counter.rs"), None),
    );
    assert_eq!(effects[0], Effect::CancelCheck { generation: 1 });
    assert!(
        matches!(&effects[1], Effect::StartCheck { generation: 2, exercise, .. } if exercise == "counter")
    );
    // Other files are ignored.
    assert!(
        update(
            &mut app,
            Msg::FileChanged(PathBuf::from("exercises/other.rs"), None)
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
            Msg::FileChanged(PathBuf::from("exercises/counter.rs"), None)
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

#[test]
fn a_new_check_closes_the_history_picture() {
    let mut app = with_report(failing_report());
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    // Saving starts a new check: the picture is of the old verdict.
    let effects = update(
        &mut app,
        Msg::FileChanged(PathBuf::from("exercises/counter.rs"), None),
    );
    assert!(matches!(
        effects[..],
        [Effect::StartCheck { generation: 2, .. }]
    ));
    assert_eq!(app.screen, Screen::Exercise(1));
    // The old report is still there while checking: the picture reopens,
    // and closes again when the new verdict arrives.
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    update(
        &mut app,
        Msg::CheckDone {
            generation: 2,
            outcome: CheckOutcome::Report(passing_report()),
        },
    );
    assert_eq!(app.screen, Screen::Exercise(1));
}

#[test]
fn a_new_verdict_scrolls_the_lower_pane_to_the_top() {
    let mut app = with_report(failing_report());
    // Small enough that the lower pane scrolls.
    update(&mut app, Msg::Resize(80, 14));
    keys(&mut app, &[KeyCode::Char('J')]);
    assert!(app.scroll > 0);
    update(
        &mut app,
        Msg::FileChanged(PathBuf::from("exercises/counter.rs"), None),
    );
    update(
        &mut app,
        Msg::CheckDone {
            generation: 2,
            outcome: CheckOutcome::Report(failing_report()),
        },
    );
    assert_eq!(app.scroll, 0);
}

#[test]
fn a_page_is_the_visible_height_less_two_lines() {
    let mut steps = steps();
    let long: String = (1..=100).map(|n| format!("Line {n}.\n\n")).collect();
    steps[3].kind = crate::tui::app::StepKind::Lesson {
        markdown: long,
        quiz: Vec::new(),
    };
    let mut app = App::new(steps, Progress::default(), false);
    update(&mut app, Msg::Resize(80, 30));
    crate::tui::update::open(&mut app, 3);
    // 30 rows less the title and status bars and two rules: 26 visible.
    keys(&mut app, &[KeyCode::PageDown]);
    assert_eq!(app.scroll, 24);
    keys(&mut app, &[KeyCode::Char(' '), KeyCode::PageUp]);
    assert_eq!(app.scroll, 24);

    // On an exercise a page is the lower pane's height less two.
    let mut report = failing_report();
    let long: String = (1..=60).map(|n| format!("detail line {n}\n")).collect();
    report.checks[2].detail = Some(long);
    let mut app = with_report(report);
    update(&mut app, Msg::Resize(80, 30));
    let pane = crate::tui::view::exercise_pane_height(&app, 1, 80, 30);
    assert!(pane > 10, "{pane}");
    keys(&mut app, &[KeyCode::PageDown]);
    assert_eq!(app.scroll, pane - 2);
}

/// The background build: each step is shown, the clock keeps running from
/// the first one, the loop ticks meanwhile, and the end is announced only
/// when something was built.
#[test]
fn the_start_up_build_is_shown_until_it_ends() {
    use crate::engine::toolchain::Prepared;
    use crate::tui::app::Preparing;
    let mut a = app();
    assert!(!a.busy());
    update(&mut a, Msg::Tick(Duration::from_secs(1)));
    update(&mut a, Msg::Preparing("the check harness".into()));
    assert!(a.busy(), "the spinner ticks while building");
    update(&mut a, Msg::Tick(Duration::from_secs(40)));
    update(&mut a, Msg::Preparing("the drivers of counter".into()));
    assert_eq!(
        a.preparing,
        Preparing::Building {
            what: "the drivers of counter".into(),
            since: Duration::from_secs(1)
        }
    );
    update(&mut a, Msg::Tick(Duration::from_secs(53)));
    let built = Prepared {
        what: "the check harness".into(),
        built: true,
        took: Duration::from_secs(39),
    };
    update(&mut a, Msg::Prepared(Ok(vec![built.clone()])));
    assert_eq!(a.preparing, Preparing::Ready);
    assert!(!a.busy());
    assert!(a.status.contains("built (52 s)"), "{}", a.status);

    // Warm: nothing built, nothing to announce.
    let mut warm = app();
    update(&mut warm, Msg::Preparing("the check harness".into()));
    let found = Prepared {
        built: false,
        ..built
    };
    update(&mut warm, Msg::Prepared(Ok(vec![found])));
    assert_eq!(warm.preparing, Preparing::Ready);
    assert!(warm.status.is_empty(), "{}", warm.status);

    let mut failed = app();
    update(&mut failed, Msg::Preparing("the check harness".into()));
    update(
        &mut failed,
        Msg::Prepared(Err("building the check harness failed:\nno cargo".into())),
    );
    assert!(matches!(failed.preparing, Preparing::Failed(_)));
    assert_eq!(
        failed.status,
        "could not build the checker: building the check harness failed:"
    );
}

/// A save that leaves the file as it was checked does not check again; a
/// save that changes it does, and so does `r`.
#[test]
fn a_save_without_changes_does_not_check_again() {
    let mut a = app();
    let effects = keys(&mut a, &[KeyCode::Char('j'), KeyCode::Enter]);
    let Some(Effect::StartCheck { generation, .. }) = effects.last().cloned() else {
        panic!("opening the exercise checks it: {effects:?}");
    };
    let file = PathBuf::from("exercises/counter.rs");
    update(&mut a, Msg::CheckStarted(file.clone(), Some(7)));
    update(
        &mut a,
        Msg::CheckDone {
            generation,
            outcome: CheckOutcome::Report(failing_report()),
        },
    );
    let same = update(&mut a, Msg::FileChanged(file.clone(), Some(7)));
    assert!(same.is_empty(), "{same:?}");
    assert!(a.status.contains("without changes"), "{}", a.status);

    let changed = update(&mut a, Msg::FileChanged(file.clone(), Some(8)));
    assert!(
        matches!(changed.last(), Some(Effect::StartCheck { .. })),
        "{changed:?}"
    );
    // Saved again as it is now being checked: nothing new to check.
    let again = update(&mut a, Msg::FileChanged(file.clone(), Some(8)));
    assert!(again.is_empty(), "{again:?}");
    // Unreadable: checked, and the check says why.
    let gone = update(&mut a, Msg::FileChanged(file, None));
    assert!(
        matches!(gone.last(), Some(Effect::StartCheck { .. })),
        "{gone:?}"
    );
}

/// Compiling an exercise file ahead of its first check is shown in the
/// title bar (the loop ticks meanwhile) until the worker says it stopped.
#[test]
fn a_compile_ahead_is_shown_while_it_runs() {
    let mut a = app();
    update(&mut a, Msg::Tick(Duration::from_secs(2)));
    update(
        &mut a,
        Msg::CompilingAhead(Some("exercises/counter.rs (1 of 6)".into())),
    );
    assert!(a.busy(), "the spinner ticks");
    assert_eq!(
        a.ahead,
        Some((
            "exercises/counter.rs (1 of 6)".into(),
            Duration::from_secs(2)
        ))
    );
    let screen = super::draw(&a, 100, 24);
    assert!(
        screen.contains("compiling exercises/counter.rs (1 of 6) ahead"),
        "{screen}"
    );
    update(&mut a, Msg::CompilingAhead(None));
    assert!(!a.busy());
    let screen = super::draw(&a, 100, 24);
    assert!(!screen.contains("ahead"), "{screen}");
}
