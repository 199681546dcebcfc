//! `lessons/quiz.toml`: check-your-understanding questions, keyed by lesson.
//!
//! Each lesson id is an array of tables. A multiple-choice item has
//! `choices` and an `answer` (which must be one of the choices); a
//! short-answer item has a list of `accepted` answers instead:
//!
//! ```toml
//! [[one-owner]]
//! question = "Who may touch the state?"
//! choices = ["Any thread holding a lock", "Only the owner thread"]
//! answer = "Only the owner thread"
//! reason = "Everyone else sends messages."
//!
//! [[one-owner]]
//! question = "What travels inside a request so the owner can answer it?"
//! accepted = ["a reply channel", "reply channel", "a sender"]
//! reason = "The owner sends the answer on it."
//! ```

use super::error::{self, CourseError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// How a quiz item is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizKind {
    /// Pick one of `choices`; `answer` is the right one.
    Choice {
        /// The options, in display order.
        choices: Vec<String>,
        /// The correct option (always one of `choices`).
        answer: String,
    },
    /// Type a short answer; any of `accepted` counts.
    Short {
        /// Accepted answers, compared ignoring case and extra whitespace.
        accepted: Vec<String>,
    },
}

/// One quiz question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizItem {
    /// The question text.
    pub question: String,
    /// How it is answered.
    pub kind: QuizKind,
    /// One line saying why the answer is right, shown after answering.
    pub reason: String,
}

/// Lower-cases and collapses runs of whitespace, so ` Only  the OWNER `
/// and `only the owner` compare equal.
fn normalise(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', '!']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    // "an accountant", "the accountant" and "accountant" are one answer.
    let skip = match words.first().map(String::as_str) {
        Some("a" | "an" | "the") if words.len() > 1 => 1,
        _ => 0,
    };
    words[skip..].join(" ")
}

impl QuizItem {
    /// Whether `answer` is correct.
    ///
    /// Comparison ignores case, extra whitespace, a final full stop and a
    /// leading article (`a`, `an`, `the`). For a multiple-choice
    /// item the learner may give the text of the choice or its letter
    /// (`a` for the first choice, `b` for the second, ...).
    pub fn grade(&self, answer: &str) -> bool {
        let given = normalise(answer);
        match &self.kind {
            QuizKind::Choice { choices, answer } => {
                if given == normalise(answer) {
                    return true;
                }
                let position = choices.iter().position(|choice| choice == answer);
                let letter = position.and_then(|i| char::from_u32('a' as u32 + i as u32));
                letter.is_some_and(|letter| given == letter.to_string())
            }
            QuizKind::Short { accepted } => accepted.iter().any(|ok| normalise(ok) == given),
        }
    }
}

/// The order to show `n` choices of question `question` of lesson
/// `lesson` in: a permutation fixed by the learner's `seed`, so that a
/// review shows the same order while a letter says nothing about which
/// choice is right. `None` keeps the file's order.
///
/// Its own mixing (splitmix64 and FNV-1a), not a library generator's, so
/// that a seed stored in a progress file means the same order in every
/// later version.
pub fn choice_order(seed: Option<u64>, lesson: &str, question: usize, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let Some(seed) = seed else {
        return order;
    };
    let fnv = lesson.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut state = seed ^ fnv ^ (question as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    // Fisher-Yates; the modulo bias is below 2^-58 for a handful of choices.
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

impl QuizKind {
    /// This question's choices in the order the learner sees them (see
    /// [`choice_order`]); empty for a short answer.
    pub fn shown_choices(&self, seed: Option<u64>, lesson: &str, question: usize) -> Vec<String> {
        match self {
            QuizKind::Choice { choices, .. } => choice_order(seed, lesson, question, choices.len())
                .into_iter()
                .map(|i| choices[i].clone())
                .collect(),
            QuizKind::Short { .. } => Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    question: String,
    choices: Option<Vec<String>>,
    answer: Option<String>,
    accepted: Option<Vec<String>>,
    reason: String,
}

/// Parses the quiz found at `path` (whose contents are `text`). Every key
/// must be one of `lesson_ids`.
pub(crate) fn parse(
    path: &Path,
    text: &str,
    lesson_ids: &[&str],
) -> Result<BTreeMap<String, Vec<QuizItem>>, CourseError> {
    parse_keyed(path, text, |key| {
        (!lesson_ids.contains(&key))
            .then(|| format!("`{key}` is not a lesson id in lessons/index.toml"))
    })
}

/// Parses an exercise's `quiz.toml`: `[[question]]` items in the format
/// of `lessons/quiz.toml`, asked with the quiz of the lesson the exercise
/// follows.
pub(crate) fn parse_exercise_quiz(path: &Path, text: &str) -> Result<Vec<QuizItem>, CourseError> {
    let mut quiz = parse_keyed(path, text, |key| {
        (key != EXERCISE_QUIZ_KEY).then(|| {
            format!("an exercise's quiz holds `[[{EXERCISE_QUIZ_KEY}]]` items, not `[[{key}]]`")
        })
    })?;
    Ok(quiz.remove(EXERCISE_QUIZ_KEY).unwrap_or_default())
}

/// The one table-array name of an exercise's `quiz.toml`.
const EXERCISE_QUIZ_KEY: &str = "question";

/// Parses quiz items keyed by name; `refuse` says why a key is not
/// allowed (or `None` when it is).
fn parse_keyed(
    path: &Path,
    text: &str,
    refuse: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, Vec<QuizItem>>, CourseError> {
    let raw: BTreeMap<Spanned<String>, Vec<Spanned<RawQuiz>>> = error::parse(path, text)?;
    let mut quiz = BTreeMap::new();
    for (lesson, items) in raw {
        if let Some(message) = refuse(lesson.get_ref()) {
            return Err(error::invalid(path, text, lesson.span(), message));
        }
        let mut parsed = Vec::with_capacity(items.len());
        for spanned in items {
            let span = spanned.span();
            let raw = spanned.into_inner();
            let bad = |message: &str| error::invalid(path, text, span.clone(), message);
            let kind = match (raw.choices, raw.answer, raw.accepted) {
                (Some(choices), Some(answer), None) => {
                    if choices.len() < 2 {
                        return Err(bad("a multiple-choice item needs at least two choices"));
                    }
                    if !choices.contains(&answer) {
                        return Err(bad("the `answer` is not one of the `choices`"));
                    }
                    QuizKind::Choice { choices, answer }
                }
                (None, None, Some(accepted)) if !accepted.is_empty() => {
                    QuizKind::Short { accepted }
                }
                _ => {
                    return Err(bad(
                        "give either `choices` + `answer` or a non-empty `accepted` list",
                    ));
                }
            };
            parsed.push(QuizItem {
                question: raw.question,
                kind,
                reason: raw.reason,
            });
        }
        quiz.insert(lesson.into_inner(), parsed);
    }
    Ok(quiz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice() -> QuizItem {
        QuizItem {
            question: "q".into(),
            kind: QuizKind::Choice {
                choices: vec!["A lock".into(), "Only the owner".into()],
                answer: "Only the owner".into(),
            },
            reason: "r".into(),
        }
    }

    #[test]
    fn an_exercise_quiz_holds_question_items_only() {
        let item = "question = \"q\"\naccepted = [\"a\"]\nreason = \"r\"\n";
        let path = Path::new("pack/x/quiz.toml");
        let good = parse_exercise_quiz(path, &format!("[[question]]\n{item}")).unwrap();
        assert_eq!(good.len(), 1);
        let err = parse_exercise_quiz(path, &format!("[[quiz]]\n{item}")).unwrap_err();
        assert!(
            err.to_string()
                .contains("holds `[[question]]` items, not `[[quiz]]`"),
            "{err}"
        );
    }

    #[test]
    fn choices_accept_text_or_letter() {
        let item = choice();
        assert!(item.grade("only the owner"));
        assert!(item.grade("  Only   THE owner "));
        assert!(item.grade("b"));
        assert!(item.grade(" B "));
        assert!(!item.grade("a"));
        assert!(!item.grade("A lock"));
        assert!(!item.grade(""));
    }

    #[test]
    fn short_answers_ignore_case_and_spacing() {
        let item = QuizItem {
            question: "q".into(),
            kind: QuizKind::Short {
                accepted: vec!["the sender".into(), "sender".into()],
            },
            reason: "r".into(),
        };
        assert!(item.grade("The   Sender"));
        assert!(item.grade("SENDER\n"));
        assert!(!item.grade("the receiver"));
    }

    #[test]
    fn short_answers_ignore_a_leading_article_and_a_full_stop() {
        let item = QuizItem {
            question: "In the ledger analogy, the owner thread plays which role?".into(),
            kind: QuizKind::Short {
                accepted: vec!["accountant".into()],
            },
            reason: "r".into(),
        };
        for answer in [
            "an accountant",
            "The accountant.",
            "accountant",
            "a  Accountant",
        ] {
            assert!(item.grade(answer), "{answer}");
        }
        assert!(!item.grade("an auditor"));
        assert!(!item.grade("the"), "an article alone is not an answer");
    }

    #[test]
    fn an_answer_outside_the_choices_is_rejected_with_its_line() {
        let text = "[[x]]\nquestion = \"q\"\naccepted = [\"a\"]\nreason = \"r\"\n\n[[x]]\nquestion = \"q\"\nchoices = [\"a\", \"b\"]\nanswer = \"c\"\nreason = \"r\"\n";
        let err = parse(Path::new("quiz.toml"), text, &["x"]).unwrap_err();
        assert!(
            err.to_string().contains("not one of the `choices`"),
            "{err}"
        );
        match err {
            CourseError::Invalid { line, .. } => assert!((6..=10).contains(&line), "line {line}"),
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn an_item_needs_choices_or_accepted_answers() {
        let text = "[[x]]\nquestion = \"q\"\nreason = \"r\"\n";
        let err = parse(Path::new("quiz.toml"), text, &["x"]).unwrap_err();
        assert!(err.to_string().contains("non-empty `accepted`"), "{err}");
    }

    #[test]
    fn unknown_lessons_are_rejected() {
        let text = "[[nope]]\nquestion = \"q\"\naccepted = [\"a\"]\nreason = \"r\"\n";
        let err = parse(Path::new("quiz.toml"), text, &["x"]).unwrap_err();
        assert!(err.to_string().contains("not a lesson id"), "{err}");
    }
}
