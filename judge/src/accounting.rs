//! The accounting picture of a `lost-messages` failure: what the clients
//! sent, what the owner applied, and which commands were lost or applied
//! twice where they can be named. Each exercise's judge fills it from the
//! tallies it already has; front ends draw it, and [`Accounting::to_text`]
//! is its plain form for terminals and JSON readers.

use lincheck::timeline::wrap;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What was sent and what was applied in one run that lost or doubled
/// commands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accounting {
    /// Which run: `trial 3 (mixed)`, `the one-thread run`.
    pub place: String,
    /// One row per thread, account or order, then the totals.
    pub tallies: Vec<Tally>,
    /// The commands that can be named one by one, in the order they were
    /// sent. Empty when the tallies are all the run can tell.
    pub messages: Vec<Message>,
    /// What the difference means, in a sentence or two.
    pub note: String,
}

/// One row of the accounting: what the calls that returned success sent
/// (or predict), and what `shutdown()` says was applied, where known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// What the row counts: `thread 2`, `account 3`, `order 17`, `total`.
    pub label: String,
    /// What was sent, in the exercise's terms (`120 inc, 80 dec`, `+40`).
    pub sent: String,
    /// What was applied, when the run tells it for this row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
    /// Sent and applied disagree on this row.
    pub wrong: bool,
}

/// One command that can be named, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The client thread (lane) that sent it.
    pub thread: usize,
    /// The call as written (`inc()`, `submit(Pay(7))`).
    pub call: String,
    /// Its number: its place among its thread's calls in the run, from 1,
    /// or, when the recording channels followed it, its number on its
    /// channel.
    pub seq: u64,
    /// The harness clock tick when it was sent, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// What became of it.
    pub fate: Fate,
}

/// What became of a sent command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    /// It was accepted but never applied.
    Lost,
    /// It was applied (received) twice.
    ReceivedTwice,
    /// A thread other than the owner received it.
    ReceivedByWrongThread,
}

impl Fate {
    /// The fate in a few words, for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Lost => "lost",
            Fate::ReceivedTwice => "received twice",
            Fate::ReceivedByWrongThread => "received by the wrong thread",
        }
    }
}

impl Tally {
    /// A row whose applied side the run does not tell.
    pub fn sent(label: impl Into<String>, sent: impl Into<String>) -> Tally {
        Tally {
            label: label.into(),
            sent: sent.into(),
            applied: None,
            wrong: false,
        }
    }

    /// A row with both sides; wrong when they differ.
    pub fn both(
        label: impl Into<String>,
        sent: impl Into<String>,
        applied: impl Into<String>,
    ) -> Tally {
        let (sent, applied) = (sent.into(), applied.into());
        Tally {
            label: label.into(),
            wrong: sent != applied,
            sent,
            applied: Some(applied),
        }
    }
}

impl Accounting {
    /// The widths of the label and sent columns of the tallies' table, in
    /// characters (the sent column at least as wide as its head, `sent`).
    pub fn column_widths(&self) -> (usize, usize) {
        let widest = |f: fn(&Tally) -> &str| {
            self.tallies
                .iter()
                .map(|t| f(t).chars().count())
                .max()
                .unwrap_or(0)
        };
        (widest(|t| &t.label), widest(|t| &t.sent).max("sent".len()))
    }

    /// The accounting as text at most about `width` columns wide: a table
    /// of the tallies (wrong rows marked `✗`), the named commands, the note.
    pub fn to_text(&self, width: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "What was sent and what was applied, {}:", self.place);
        let (label_w, sent_w) = self.column_widths();
        let _ = writeln!(out, "  {:label_w$}  {:sent_w$}  applied", "", "sent");
        for t in &self.tallies {
            let applied = t.applied.as_deref().unwrap_or("-");
            let mark = if t.wrong { "  ✗" } else { "" };
            let _ = writeln!(
                out,
                "  {:label_w$}  {:sent_w$}  {applied}{mark}",
                t.label, t.sent
            );
        }
        for m in &self.messages {
            let at = m.at.map(|t| format!(" at tick {t}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: thread {}'s call {}, {}{at}",
                m.fate.as_str(),
                m.thread,
                m.seq,
                m.call
            );
        }
        if !self.note.is_empty() {
            for line in wrap(&self.note, width) {
                let _ = writeln!(out, "{line}");
            }
        }
        out.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> Accounting {
        Accounting {
            place: "trial 2 (mixed)".into(),
            tallies: vec![
                Tally::sent("thread 0", "12 inc, 3 dec"),
                Tally::sent("thread 1", "7 inc, 0 dec"),
                Tally::both("total", "+16", "+14"),
            ],
            messages: vec![Message {
                thread: 1,
                call: "inc()".into(),
                seq: 7,
                at: Some(410),
                fate: Fate::Lost,
            }],
            note: "two commands are missing".into(),
        }
    }

    #[test]
    fn text_lines_up_the_tallies_and_marks_the_wrong_row() {
        let text = counter().to_text(78);
        assert_eq!(
            text,
            "What was sent and what was applied, trial 2 (mixed):\n\
             \x20           sent           applied\n\
             \x20 thread 0  12 inc, 3 dec  -\n\
             \x20 thread 1  7 inc, 0 dec   -\n\
             \x20 total     +16            +14  ✗\n\
             \x20 lost: thread 1's call 7, inc() at tick 410\n\
             two commands are missing"
        );
    }

    #[test]
    fn json_carries_rows_and_named_messages() {
        let json = serde_json::to_value(counter()).unwrap();
        assert_eq!(json["tallies"][2]["wrong"], true);
        assert_eq!(json["tallies"][0].get("applied"), None);
        assert_eq!(json["messages"][0]["fate"], "lost");
        assert_eq!(json["messages"][0]["seq"], 7);
    }
}
