//! Enter on a failing check opens whatever picture its result carries:
//! the accounting of a `lost-messages` failure, drawn and scrollable.

use super::{draw, keys, with_report};
use crate::engine::report::{Accounting, CheckId, CheckResult, Fate, Message, Report, Tally};
use crate::tui::app::{Msg, Screen};
use crate::tui::update::update;
use crossterm::event::KeyCode;

/// A graceful-shutdown-like accounting: per-thread rows, a wrong total and
/// one command named as lost.
fn accounting() -> Accounting {
    Accounting {
        place: "trial 3".into(),
        tallies: vec![
            Tally::sent("thread 0", "14 accepted"),
            Tally::sent("thread 1", "12 accepted"),
            Tally {
                label: "total".into(),
                sent: "26 accepted".into(),
                applied: Some("25 counted (20 applied, 5 rejected)".into()),
                wrong: true,
            },
        ],
        messages: vec![Message {
            thread: 1,
            call: "submit(Ship(7))".into(),
            seq: 13,
            at: Some(812),
            fate: Fate::Lost,
        }],
        note: "Sent: the submit() calls that returned Ok(()); applied: the commands \
               shutdown()'s summary counts."
            .into(),
    }
}

fn lost_report(id: CheckId) -> Report {
    Report::new(
        "counter",
        "exercises/counter.rs",
        7,
        vec![
            CheckResult::pass(CheckId::COMPILE, "the file compiles against the API"),
            CheckResult::fail(id, "in trial 3, 26 submit() calls returned Ok(()), but the summary counts only 25 commands")
                .with_accounting(accounting()),
            CheckResult::fail(CheckId::BUSY_LOOP, "the worker spins"),
        ],
    )
}

#[test]
fn enter_on_lost_messages_shows_what_was_sent_and_applied() {
    let mut app = with_report(lost_report(CheckId::LOST_MESSAGES));
    let screen = draw(&app, 80, 24);
    assert!(
        screen.contains("Enter shows what was sent and what was applied"),
        "{screen}"
    );
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    let screen = draw(&app, 80, 24);
    assert!(
        screen.contains("✗ total     26 accepted  25 counted"),
        "{screen}"
    );
    assert!(
        screen.contains("✗ lost: thread 1's call 13, submit(Ship(7))"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Exercise(1));
}

#[test]
fn the_picture_a_result_carries_decides_not_the_check_id() {
    // Any check with an accounting opens it...
    let mut app = with_report(lost_report(CheckId::new("shutdown").unwrap()));
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::History(1));
    // ...and a failing check without a picture does not.
    keys(
        &mut app,
        &[KeyCode::Esc, KeyCode::Char('j'), KeyCode::Enter],
    );
    assert_eq!(app.check_row, 2);
    assert_eq!(app.screen, Screen::Exercise(1));
}

#[test]
fn a_long_accounting_scrolls_on_a_small_terminal() {
    let mut app = with_report(lost_report(CheckId::LOST_MESSAGES));
    update(&mut app, Msg::Resize(40, 12));
    keys(&mut app, &[KeyCode::Enter]);
    let top = draw(&app, 40, 12);
    assert!(top.contains("In trial 3:"), "{top}");
    assert!(!top.contains("summary"), "the note is further down:\n{top}");
    keys(&mut app, &[KeyCode::End]);
    let bottom = draw(&app, 40, 12);
    assert!(bottom.contains("shutdown()'s summary"), "{bottom}");
    assert!(!bottom.contains("In trial 3:"), "{bottom}");
}
