//! # Exercise: scatter-gather
//!
//! Run a group of tasks on threads, at most `limit` at a time. The first
//! task to fail cancels the group: tasks not yet started never start, the
//! running ones see the token cancelled, and `run_all` returns that first
//! failure, but only after every thread it started has ended.
//!
//! Fill in the `todo!()`s. Keep the signatures exactly as they are: the tutor
//! calls `run_all` from several threads at once with tasks of its own that
//! record what they see.
//!
//! Rules of the game:
//! - Use `std` (and `crossbeam_channel` if you like) only.
//! - `limit` bounds the tasks running at once (callers pass `limit >= 1`).
//! - A task's panic is a failure (`GroupError::Panicked`), never the caller's.
//! - On success the results come in the order of `tasks`; an empty `tasks`
//!   returns `Ok(vec![])` at once.
//! - Nothing outlives the call: `std::thread::scope` makes that a fact.
//!
//! Run `threadlings check scatter-gather` to check your work.

#![allow(dead_code, unused_imports)]

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What a task returns when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError(pub String);

/// Why a group failed: the first task to fail, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupError {
    /// Task `index` returned `Err(error)`.
    Failed { index: usize, error: TaskError },
    /// Task `index` panicked.
    Panicked { index: usize },
}

/// The group's cancellation signal: cheap to clone, `Send + Sync`; every
/// clone sees the same cancellation.
#[derive(Clone)]
pub struct Token {
    // Your fields: for example a flag and something to wake sleepers with.
}

impl Token {
    /// Whether the group has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        todo!()
    }

    /// Sleeps until the group is cancelled (returns `true`, within a few
    /// milliseconds of the cancel) or `timeout` has passed (returns
    /// `false`). Must not panic for any `Duration`, `Duration::MAX` included.
    pub fn wait(&self, timeout: Duration) -> bool {
        todo!()
    }
}

/// One unit of work: it may look at the token to stop early.
pub type Task = Box<dyn FnOnce(&Token) -> Result<u64, TaskError> + Send + 'static>;

/// Runs every task, at most `limit` at a time (limit >= 1).
pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    todo!("start at most `limit` threads in a std::thread::scope and hand them the tasks")
}
