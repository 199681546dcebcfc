//! With `NO_COLOR` (or a monochrome terminal) every state that colour or
//! reverse video shows must still be readable: these tests draw screens,
//! throw every style away and find the state in the text alone.

use super::{app, failing_report, keys, with_report};
use crate::tui::app::App;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Style;

/// The screen's text at 80×24 with every colour and modifier removed.
fn draw_plain(app: &App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    let mut buffer = terminal.backend().buffer().clone();
    let area = buffer.area;
    buffer.set_style(area, Style::reset());
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The one line containing `text`.
fn line_with<'a>(screen: &'a [String], text: &str) -> &'a str {
    let found: Vec<&String> = screen.iter().filter(|l| l.contains(text)).collect();
    assert_eq!(
        found.len(),
        1,
        "one line with {text:?}:\n{}",
        screen.join("\n")
    );
    found[0]
}

#[test]
fn the_selected_step_on_the_path_has_a_pointer() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Char('j')]);
    let screen = draw_plain(&app);
    assert!(line_with(&screen, "Counter").contains("│›"), "{screen:#?}");
    assert!(!line_with(&screen, "One thread owns").contains('›'));
}

#[test]
fn the_selected_check_has_a_pointer() {
    let mut app = with_report(failing_report());
    let screen = draw_plain(&app);
    assert!(line_with(&screen, "FAIL  linearizable").contains("›FAIL"));
    keys(&mut app, &[KeyCode::Char('k')]);
    let screen = draw_plain(&app);
    assert!(line_with(&screen, "owner-thread   one").contains("›pass"));
    assert!(!line_with(&screen, "FAIL  linearizable").contains('›'));
}

#[test]
fn the_quiz_says_which_answer_is_chosen_and_which_is_right() {
    let mut app = app();
    keys(&mut app, &[KeyCode::Enter, KeyCode::Char('t')]);
    let screen = draw_plain(&app);
    assert!(
        line_with(&screen, "a) Any thread").starts_with("│›a)"),
        "{screen:#?}"
    );
    // A wrong answer: the chosen one and the right one are both named.
    keys(&mut app, &[KeyCode::Enter]);
    let screen = draw_plain(&app);
    let chosen = line_with(&screen, "a) Any thread");
    assert!(
        chosen.contains("✗a)") && chosen.contains("← your answer"),
        "{chosen}"
    );
    let right = line_with(&screen, "b) Only the owner");
    assert!(
        right.contains("✓b)") && right.contains("← the answer"),
        "{right}"
    );
}

#[test]
fn a_right_quiz_answer_is_marked_as_yours() {
    let mut app = app();
    keys(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('t'), KeyCode::Char('b')],
    );
    let screen = draw_plain(&app);
    let right = line_with(&screen, "b) Only the owner");
    assert!(
        right.contains("✓b)") && right.contains("← your answer"),
        "{right}"
    );
    assert!(!line_with(&screen, "a) Any thread").contains('✗'));
}
