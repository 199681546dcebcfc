//! Verdicts as data: check ids and per-check results.

use crate::accounting::Accounting;
use lincheck::{Timeline, render_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// A check, by the id teachers' scripts rely on (`lost-messages`).
///
/// Open: besides the shared ids below, an exercise declares its own
/// kebab-case ids in its `exercise.toml`. The id is an interned string, so
/// it stays `Copy` and compares in constant time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckId(&'static str);

impl CheckId {
    /// The file compiles against the exercise's API.
    pub const COMPILE: CheckId = CheckId("compile");
    /// `start()` spawned a worker thread that owns the state.
    pub const OWNER_THREAD: CheckId = CheckId("owner-thread");
    /// Single-threaded results match the contract.
    pub const CORRECTNESS: CheckId = CheckId("correctness");
    /// Concurrent results are explained by some real-time-respecting order.
    pub const LINEARIZABLE: CheckId = CheckId("linearizable");
    /// Every command sent is applied exactly once.
    pub const LOST_MESSAGES: CheckId = CheckId("lost-messages");
    /// No thread of the solution outlives `shutdown()`.
    pub const LEAKED_WORKERS: CheckId = CheckId("leaked-workers");
    /// No call blocks past the progress deadline.
    pub const HANG: CheckId = CheckId("hang");
    /// The idle worker does not burn CPU.
    pub const BUSY_LOOP: CheckId = CheckId("busy-loop");
    /// Nothing panicked, on any thread.
    pub const PANIC: CheckId = CheckId("panic");

    /// An id known when the code is written (an exercise's own check).
    /// Panics at compile time when used in a `const` with an id that is
    /// not kebab-case.
    pub const fn from_static(id: &'static str) -> CheckId {
        assert!(
            is_kebab(id),
            "a check id is kebab-case: lowercase words joined by '-'"
        );
        CheckId(id)
    }

    /// The id `text`, if it is kebab-case (`lost-messages`). Each distinct
    /// id is stored once for the life of the process.
    pub fn new(text: &str) -> Result<CheckId, BadCheckId> {
        if !is_kebab(text) {
            return Err(BadCheckId(text.to_string()));
        }
        static KNOWN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
        let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&found) = known.get(text) {
            return Ok(CheckId(found));
        }
        let stored: &'static str = Box::leak(text.to_string().into_boxed_str());
        known.insert(stored);
        Ok(CheckId(stored))
    }

    /// The id as written in reports (`lost-messages`).
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Lowercase ASCII words joined by single dashes.
const fn is_kebab(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.is_empty() || bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let ok =
            b.is_ascii_lowercase() || b.is_ascii_digit() || (b == b'-' && bytes[i - 1] != b'-');
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

/// A check id that is not kebab-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCheckId(pub String);

impl std::fmt::Display for BadCheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a check id: use lowercase words joined by '-' (lost-messages)",
            self.0
        )
    }
}

impl std::error::Error for BadCheckId {}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<CheckId, D::Error> {
        let text = String::deserialize(deserializer)?;
        CheckId::new(&text).map_err(serde::de::Error::custom)
    }
}

/// What became of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Checked, and it holds.
    Passed,
    /// Checked, and it does not hold.
    Failed,
    /// Could not be decided (the run died or hung first, or a search ran
    /// out of time). Never counts as passed.
    NotChecked,
}

/// Width of every history drawn as text in a report: one width, so that
/// reports of every exercise read alike.
pub const TIMELINE_WIDTH: usize = 78;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Which check.
    pub id: CheckId,
    /// `true` only for [`Status::Passed`].
    pub passed: bool,
    /// Passed, failed, or not checked.
    pub status: Status,
    /// One or two sentences for the learner.
    pub message: String,
    /// A longer explanation: compiler output, or a drawn history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The drawn history of a failing check, as data, so that front ends
    /// can draw it themselves instead of parsing `detail` back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// What was sent and what was applied, for a failing `lost-messages`
    /// check, as data (its text form is the detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting: Option<Accounting>,
    /// Message-level findings of a failing check (lost, duplicated or
    /// misdelivered messages), when the solution's channels were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageFinding>,
}

/// One message that went wrong, followed through the recording
/// `crossbeam_channel`: the data behind a message-level failure, for front
/// ends that draw what happened to each message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFinding {
    /// The trial it was sent in (0 in one-thread phases).
    pub trial: usize,
    /// The tutor's thread (lane) whose call sent it, as in the history.
    pub thread: usize,
    /// That call, as the learner would write it (`submit(Pay(17))`).
    pub call: String,
    /// The call's start and return ticks on the history's clock.
    pub call_span: (u64, u64),
    /// The channel, numbered in order of creation.
    pub channel: u64,
    /// The message's number on its channel.
    pub seq: u64,
    /// The clock tick of the send.
    pub sent_at: u64,
    /// The clock tick of the (first) receive, if there was one.
    pub received_at: Option<u64>,
    /// What went wrong.
    pub outcome: MessageOutcome,
}

/// What went wrong with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageOutcome {
    /// Sent by a call that succeeded, and never received.
    Lost,
    /// Received more than once.
    Duplicated,
    /// Received by one of the tutor's threads (the caller itself or another
    /// client) instead of the worker.
    WrongReceiver,
}

impl CheckResult {
    /// A passing check.
    pub fn pass(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::Passed, message)
    }
    /// A failing check.
    pub fn fail(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::Failed, message)
    }
    /// A check that could not be decided.
    pub fn not_checked(id: CheckId, message: impl Into<String>) -> CheckResult {
        CheckResult::new(id, Status::NotChecked, message)
    }
    fn new(id: CheckId, status: Status, message: impl Into<String>) -> CheckResult {
        CheckResult {
            id,
            passed: status == Status::Passed,
            status,
            message: message.into(),
            detail: None,
            timeline: None,
            accounting: None,
            messages: Vec::new(),
        }
    }
    /// Adds a longer explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> CheckResult {
        self.detail = Some(detail.into());
        self
    }
    /// Attaches message-level findings.
    pub fn with_messages(mut self, messages: Vec<MessageFinding>) -> CheckResult {
        self.messages = messages;
        self
    }
    /// Attaches a drawn history: the data for front ends that draw it, and
    /// its text form (at [`TIMELINE_WIDTH`]) as the detail for plain
    /// terminals and JSON readers.
    pub fn with_timeline(mut self, timeline: Timeline) -> CheckResult {
        self.detail = Some(render_text(&timeline, TIMELINE_WIDTH));
        self.timeline = Some(timeline);
        self
    }

    /// Attaches the accounting of what was sent and applied: the data for
    /// front ends, and its text form (at [`TIMELINE_WIDTH`]) as the detail.
    pub fn with_accounting(mut self, accounting: Accounting) -> CheckResult {
        self.detail = Some(accounting.to_text(TIMELINE_WIDTH));
        self.accounting = Some(accounting);
        self
    }
}
