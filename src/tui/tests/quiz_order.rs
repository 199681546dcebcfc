//! Quiz choices are shown in an order fixed by the learner's seed, kept
//! in the progress file: a letter says nothing about the answer, and a
//! review shows the same order.

use super::{app, draw, keys};
use crate::course::choice_order;
use crate::tui::app::Screen;
use crate::tui::load_app;
use crate::tui::progress::Progress;
use crossterm::event::KeyCode;

/// The first seed that shows the first question's two choices swapped.
fn swapping_seed() -> u64 {
    (0..)
        .find(|&seed| choice_order(Some(seed), "one-owner", 0, 2) == [1, 0])
        .unwrap()
}

#[test]
fn choices_follow_the_seed_and_a_review_shows_the_same_order() {
    let mut app = app();
    app.progress.quiz_seed = Some(swapping_seed());
    keys(&mut app, &[KeyCode::Enter, KeyCode::Char('t')]);
    let screen = draw(&app, 80, 24);
    let a = screen.find("a) Only the owner thread").expect(&screen);
    let b = screen.find("b) Any thread with a lock").expect(&screen);
    assert!(a < b, "{screen}");
    // `a` is now the right answer.
    keys(&mut app, &[KeyCode::Char('a')]);
    assert_eq!(app.quiz.results, vec![true]);
    keys(&mut app, &[KeyCode::Enter]);
    super::chars(&mut app, "reply channel");
    keys(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Lesson(0));
    // The review, like the first time.
    keys(&mut app, &[KeyCode::Char('t')]);
    let review = draw(&app, 80, 24);
    assert!(review.contains("a) Only the owner thread"), "{review}");
}

#[test]
fn an_old_progress_file_gets_a_seed_once_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = Progress::path(dir.path());
    // Written before the seed existed.
    std::fs::write(&path, "threadlings_progress = 1\ndone = [\"one-owner\"]\n").unwrap();
    let first = load_app(dir.path(), true);
    assert_eq!(first.progress_error, None, "no corrupt-file dialog");
    assert!(first.progress.done.contains("one-owner"));
    let seed = first.progress.quiz_seed.expect("a seed was added");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("quiz_seed")
    );
    let again = load_app(dir.path(), true);
    assert_eq!(
        again.progress.quiz_seed,
        Some(seed),
        "the stored seed is kept"
    );
}
