//! Turning the deepest point of a failed search into words.
//!
//! The explanation names the longest order of calls the search could make
//! sense of, the state the model is in after it, and the call that then had
//! to happen but returned something the model cannot produce, e.g. "After
//! these 5 calls the count is 15, so thread 2's get() must return 15, but it
//! returned 11."

use super::search::Deepest;
use super::{History, Model};

/// Where a non-linearizable history goes wrong, as plain data.
///
/// Strings rather than model values keep the type independent of the model,
/// so it can travel through the engine and into the user interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The longest linearizable prefix found, as indices into the original
    /// history, in the order the calls would have taken effect.
    pub prefix: Vec<usize>,
    /// Index into the original history of the call that could not be placed.
    pub blocked: usize,
    /// The thread that made the blocked call.
    pub blocked_thread: usize,
    /// The blocked call without its result, e.g. `get()`.
    pub blocked_call: String,
    /// What the blocked call actually returned; `None` when its result
    /// carries no information (or it never returned).
    pub actual: Option<String>,
    /// What the model says the blocked call must return after `prefix`;
    /// `None` when the result carries no information.
    pub expected: Option<String>,
    /// [`Model::describe`] of the state after `prefix`, e.g. "the count is 15".
    pub state: String,
}

impl Explanation {
    /// Builds the explanation from the search's deepest point.
    pub fn from_deepest<M: Model>(history: &History<M>, deepest: &Deepest<M>) -> Self {
        let op = &history[deepest.blocked];
        let (_, expected) = deepest.state.step(&op.input);
        Explanation {
            prefix: deepest.prefix.clone(),
            blocked: deepest.blocked,
            blocked_thread: op.thread,
            blocked_call: M::call_label(&op.input),
            actual: op.output.as_ref().and_then(M::result_label),
            // A nondeterministic model has no one result a call "must"
            // return; the sentence then says what cannot happen instead.
            expected: if M::DETERMINISTIC {
                M::result_label(&expected)
            } else {
                None
            },
            state: deepest.state.describe(),
        }
    }

    /// One sentence for the learner, e.g. "After these 5 calls the count is
    /// 15, so thread 2's get() must return 15, but it returned 11."
    pub fn sentence(&self) -> String {
        let context = match self.prefix.len() {
            0 => format!("At the start {}", self.state),
            1 => format!("After the first call {}", self.state),
            n => format!("After these {n} calls {}", self.state),
        };
        let who = format!("thread {}'s {}", self.blocked_thread, self.blocked_call);
        match (&self.expected, &self.actual) {
            (Some(expected), Some(actual)) if expected != actual => {
                format!("{context}, so {who} must return {expected}, but it returned {actual}.")
            }
            // The call's own result fits here, yet placing it leaves a later
            // result impossible; say so rather than invent a mismatch.
            _ => format!(
                "{context}; {who} cannot take effect here without contradicting another result."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explanation(prefix: usize, expected: Option<&str>, actual: Option<&str>) -> Explanation {
        Explanation {
            prefix: (0..prefix).collect(),
            blocked: prefix,
            blocked_thread: 2,
            blocked_call: "get()".into(),
            actual: actual.map(String::from),
            expected: expected.map(String::from),
            state: "the count is 15".into(),
        }
    }

    #[test]
    fn mismatch_sentence_names_both_results() {
        assert_eq!(
            explanation(5, Some("15"), Some("11")).sentence(),
            "After these 5 calls the count is 15, so thread 2's get() must return 15, but it returned 11."
        );
    }

    #[test]
    fn sentence_at_the_start_and_after_one_call() {
        assert_eq!(
            explanation(0, Some("0"), Some("1")).sentence(),
            "At the start the count is 15, so thread 2's get() must return 0, but it returned 1."
        );
        assert!(
            explanation(1, Some("0"), Some("1"))
                .sentence()
                .starts_with("After the first call")
        );
    }

    #[test]
    fn matching_result_gets_the_contradiction_sentence() {
        assert_eq!(
            explanation(2, Some("15"), Some("15")).sentence(),
            "After these 2 calls the count is 15; thread 2's get() cannot take effect here without contradicting another result."
        );
    }
}
