//! The exercise screen's actions: the check panel, scrolling the message,
//! editing, checking, hints and reset.

use super::{back_to_path, exercise_file, max_scroll, open, page, save, scroll_by, start_check};
use crate::engine::report::Status;
use crate::tui::app::{App, Effect, Screen, StepKind};
use crate::tui::history::Drawing;
use crate::tui::keys::Action;

pub(super) fn exercise_action(app: &mut App, i: usize, action: Action) -> Vec<Effect> {
    let rows = app.reports[i].as_ref().map_or(0, |r| r.checks.len());
    match action {
        Action::Down => app.check_row = (app.check_row + 1).min(rows.saturating_sub(1)),
        Action::Up => app.check_row = app.check_row.saturating_sub(1),
        Action::PageDown => scroll_by(app, page(app)),
        Action::PageUp => scroll_by(app, -page(app)),
        Action::Top => app.scroll = 0,
        Action::Bottom => app.scroll = max_scroll(app),
        Action::Open => {
            let check = app.reports[i]
                .as_ref()
                .and_then(|r| r.checks.get(app.check_row));
            match check {
                // Whatever picture the result carries, not which check it is.
                Some(c) if c.status == Status::Failed && Drawing::of(c).is_some() => {
                    app.screen = Screen::History(i);
                    app.scroll = 0;
                }
                Some(c) if c.detail.is_some() => {
                    app.status = "the details are shown below the checks".to_string();
                }
                _ => {}
            }
        }
        Action::Edit => {
            if let Some(file) = exercise_file(app, i) {
                return vec![Effect::OpenEditor(file.clone())];
            }
        }
        Action::Check => return start_check(app, i),
        Action::Hint => return hint(app, i),
        Action::Reset => {
            if matches!(
                &app.steps[i].kind,
                StepKind::Exercise {
                    starter: Some(_),
                    ..
                }
            ) {
                app.confirm_reset = true;
                app.status = "reset the file to the starter? y to confirm (a .bak copy is kept), any other key to keep it".to_string();
            }
        }
        Action::Next => return open(app, i + 1),
        Action::Previous => return open(app, i.saturating_sub(1)),
        Action::Continue => return open(app, app.first_unfinished()),
        Action::Back => return back_to_path(app),
        _ => {}
    }
    Vec::new()
}

/// Reveals exercise `i`'s next hint, if any is left.
fn hint(app: &mut App, i: usize) -> Vec<Effect> {
    let total = match &app.steps[i].kind {
        StepKind::Exercise {
            info: Some(info), ..
        } => info.hints.len(),
        _ => 0,
    };
    let shown = app.hints_shown(i);
    if shown < total {
        app.progress
            .hints
            .insert(app.steps[i].id.clone(), (shown + 1) as u32);
        app.status = format!("hint {} of {total}", shown + 1);
        save(app)
    } else {
        app.status = if total == 0 {
            "no hints for this exercise".to_string()
        } else {
            "that was the last hint".to_string()
        };
        Vec::new()
    }
}
