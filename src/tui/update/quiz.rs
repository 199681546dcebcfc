//! A lesson's quiz: answering its questions and saving the score.

use super::save;
use crate::course::QuizKind;
use crate::tui::app::{App, Effect, QuizState, Screen, StepKind};
use crate::tui::progress::QuizScore;
use crossterm::event::{KeyCode, KeyEvent};

/// Opens lesson `i`'s quiz from its first question.
pub(super) fn start_quiz(app: &mut App, i: usize) {
    app.quiz = QuizState::default();
    app.screen = Screen::Quiz(i);
}

/// A key on the quiz screen of lesson `i`.
pub(super) fn quiz_key(app: &mut App, i: usize, key: KeyEvent) -> Vec<Effect> {
    let StepKind::Lesson { quiz, .. } = &app.steps[i].kind else {
        return Vec::new();
    };
    let Some(item) = quiz.get(app.quiz.question) else {
        return Vec::new();
    };
    let total = quiz.len();
    // Esc leaves; so does q, except while typing a short answer.
    let typing = matches!(item.kind, QuizKind::Short { .. }) && !app.quiz.answered;
    if key.code == KeyCode::Esc || (key.code == KeyCode::Char('q') && !typing) {
        app.screen = Screen::Lesson(i);
        app.status = "quiz left unfinished".to_string();
        return Vec::new();
    }
    if app.quiz.answered {
        if matches!(
            key.code,
            KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char(' ')
        ) {
            app.quiz.question += 1;
            app.quiz.answered = false;
            app.quiz.choice = 0;
            app.quiz.typed.clear();
            if app.quiz.question >= total {
                let correct = app.quiz.results.iter().filter(|&&ok| ok).count() as u32;
                let id = app.steps[i].id.clone();
                app.progress.quiz.insert(
                    id.clone(),
                    QuizScore {
                        correct,
                        total: total as u32,
                    },
                );
                app.progress.done.insert(id);
                app.screen = Screen::Lesson(i);
                app.status =
                    format!("quiz: {correct} of {total} right (saved); n for the next step");
                return save(app);
            }
        }
        return Vec::new();
    }
    let choices =
        item.kind
            .shown_choices(app.progress.quiz_seed, &app.steps[i].id, app.quiz.question);
    let answer = match &item.kind {
        QuizKind::Choice { .. } => match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                app.quiz.choice = (app.quiz.choice + 1).min(choices.len().saturating_sub(1));
                None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                app.quiz.choice = app.quiz.choice.saturating_sub(1);
                None
            }
            KeyCode::Char(c @ 'a'..='i') if (c as usize - 'a' as usize) < choices.len() => {
                app.quiz.choice = c as usize - 'a' as usize;
                Some(choices[app.quiz.choice].clone())
            }
            KeyCode::Enter => choices.get(app.quiz.choice).cloned(),
            _ => None,
        },
        QuizKind::Short { .. } => match key.code {
            KeyCode::Char(c) => {
                app.quiz.typed.push(c);
                None
            }
            KeyCode::Backspace => {
                app.quiz.typed.pop();
                None
            }
            KeyCode::Enter if !app.quiz.typed.trim().is_empty() => Some(app.quiz.typed.clone()),
            _ => None,
        },
    };
    if let Some(answer) = answer {
        let ok = item.grade(&answer);
        app.quiz.results.push(ok);
        app.quiz.answered = true;
    }
    Vec::new()
}
