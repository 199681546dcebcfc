//! The key tables are the one place keys are declared: every key they
//! list does what they say, the status bar and help come from them, and
//! the README's key section is theirs.

use super::{app, draw, failing_report, keys, with_report};
use crate::tui::app::{Msg, Screen};
use crate::tui::keys::{self as table, Action, SCREENS, When, key_name};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[test]
fn no_key_is_bound_twice_on_a_screen_under_one_condition() {
    for (name, bindings) in SCREENS {
        for (n, a) in bindings.iter().enumerate() {
            for b in &bindings[n + 1..] {
                let exclusive = matches!(
                    (a.when, b.when),
                    (When::QuizPending, When::QuizTaken) | (When::QuizTaken, When::QuizPending)
                );
                let shared: Vec<_> = a.codes.iter().filter(|c| b.codes.contains(c)).collect();
                assert!(
                    shared.is_empty() || exclusive,
                    "{name}: {shared:?} bound to {:?} and {:?}",
                    a.action,
                    b.action
                );
            }
        }
    }
}

#[test]
fn every_footer_names_one_of_its_own_keys() {
    for (name, bindings) in SCREENS {
        for b in bindings.iter().filter(|b| !b.footer.is_empty()) {
            let first = b.footer.split(' ').next().unwrap();
            let own = b.codes.iter().any(|&c| key_name(c) == first)
                || (first == "↑↓" && b.action == Action::Down);
            assert!(
                own,
                "{name}: footer {:?} names a key it does not bind",
                b.footer
            );
        }
    }
}

/// Presses `code` on `app`.
fn press(app: &mut crate::tui::app::App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn keys_the_old_help_promised_now_work_where_it_lists_them() {
    // `l` opens a step from the course path.
    let mut app = app();
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.screen, Screen::Lesson(0));
    // End and G reach the bottom of an exercise's lower pane.
    let mut app = with_report(failing_report());
    update(&mut app, Msg::Resize(80, 14));
    press(&mut app, KeyCode::End);
    let bottom = app.scroll;
    assert!(bottom > 0);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.scroll, 0);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.scroll, bottom);
    // And the help for that screen lists them.
    keys(&mut app, &[KeyCode::Char('?')]);
    let help = draw(&app, 80, 40);
    assert!(help.contains("End G"), "{help}");
    assert!(help.contains("keys: An exercise"), "{help}");
}

#[test]
fn the_help_and_footer_list_exactly_the_current_bindings() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Lesson(0));
    // Not the scaling lesson: no `b` anywhere.
    assert_eq!(
        table::action(&app, KeyEvent::from(KeyCode::Char('b'))),
        None
    );
    let footer = table::footer(&app, 200);
    assert!(!footer.contains("b benchmark"), "{footer}");
    assert!(footer.contains("n quiz, then next"), "{footer}");
    keys(&mut app, &[KeyCode::Char('?')]);
    let help = draw(&app, 80, 40);
    assert!(!help.contains("benchmark"), "{help}");
    assert!(help.contains("take the quiz, then the next step"), "{help}");
}

#[test]
fn a_tall_help_scrolls_on_a_small_terminal() {
    let mut app = with_report(failing_report());
    update(&mut app, Msg::Resize(40, 12));
    keys(&mut app, &[KeyCode::Char('?')]);
    assert!(!draw(&app, 40, 12).contains("Ctrl-C"));
    keys(
        &mut app,
        &[KeyCode::PageDown, KeyCode::PageDown, KeyCode::PageDown],
    );
    assert!(app.help, "scrolling keeps the help open");
    assert!(draw(&app, 40, 12).contains("Ctrl-C"));
    keys(&mut app, &[KeyCode::Char('x')]);
    assert!(!app.help);
}

#[test]
fn the_footer_always_keeps_the_help_key() {
    let app = with_report(failing_report());
    for width in [30, 40, 60, 80] {
        let footer = table::footer(&app, width);
        assert!(footer.ends_with("? keys"), "{width}: {footer}");
        assert!(footer.chars().count() <= width, "{width}: {footer}");
    }
}

#[test]
fn the_readme_key_section_is_the_generated_one() {
    let readme = include_str!("../../../README.md");
    let start = "<!-- keys: generated from src/tui/keys.rs; the test the_readme_key_section_is_the_generated_one checks it -->\n";
    let end = "<!-- /keys -->";
    let from = readme.find(start).expect("the README's key section") + start.len();
    let to = readme[from..].find(end).expect("its end") + from;
    let generated = table::markdown();
    assert!(
        readme[from..to] == generated,
        "the README's key section differs; it should read:\n{generated}"
    );
}

#[test]
fn a_long_help_line_wraps_on_a_narrow_terminal() {
    let mut app = with_report(failing_report());
    update(&mut app, Msg::Resize(60, 40));
    keys(&mut app, &[KeyCode::Char('?')]);
    let help = draw(&app, 60, 40);
    assert!(help.contains("a .bak copy is kept)"), "{help}");
    assert!(help.contains("                  applied)"), "{help}");
}
