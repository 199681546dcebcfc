//! # Exercise: scatter-gather (reference solution)
//!
//! `run_all` opens a `std::thread::scope`: every thread it starts is joined
//! before the scope ends, so nothing can outlive the call. `limit` workers
//! take tasks from one shared iterator, checking the token before each; the
//! first failure is recorded and cancels the token, which wakes every
//! `wait` through a condition variable.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

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

/// The group's cancellation signal: a flag and the condition variable that
/// wakes whoever waits for it.
#[derive(Clone, Default)]
pub struct Token {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Token {
    fn flag(&self) -> MutexGuard<'_, bool> {
        // Only this file locks the flag, and never panics while holding it.
        self.inner.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cancel(&self) {
        *self.flag() = true;
        self.inner.1.notify_all();
    }

    /// Whether the group has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.flag()
    }

    /// Sleeps until the group is cancelled (`true`) or `timeout` has passed
    /// (`false`).
    pub fn wait(&self, timeout: Duration) -> bool {
        let condvar = &self.inner.1;
        let mut cancelled = self.flag();
        // A timeout too long to add to now is as good as none.
        let deadline = Instant::now().checked_add(timeout);
        while !*cancelled {
            match deadline {
                None => cancelled = condvar.wait(cancelled).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    cancelled = condvar
                        .wait_timeout(cancelled, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        true
    }
}

/// One unit of work: it may look at the token to stop early.
pub type Task = Box<dyn FnOnce(&Token) -> Result<u64, TaskError> + Send + 'static>;

/// Runs every task, at most `limit` at a time (limit >= 1).
pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    let n = tasks.len();
    let token = Token::default();
    let queue = Mutex::new(tasks.into_iter().enumerate());
    let results = Mutex::new(vec![None; n]);
    let first: Mutex<Option<GroupError>> = Mutex::new(None);
    let fail = |error: GroupError| {
        first
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(error);
        token.cancel();
    };
    std::thread::scope(|scope| {
        for _ in 0..limit.min(n) {
            scope.spawn(|| loop {
                let next = {
                    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                    if token.is_cancelled() {
                        None
                    } else {
                        queue.next()
                    }
                };
                let Some((index, task)) = next else { break };
                match catch_unwind(AssertUnwindSafe(|| task(&token))) {
                    Ok(Ok(value)) => {
                        results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(value)
                    }
                    Ok(Err(error)) => fail(GroupError::Failed { index, error }),
                    Err(_) => fail(GroupError::Panicked { index }),
                }
            });
        }
    });
    if let Some(error) = first.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(error);
    }
    Ok(results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|v| v.expect("every task ran, as none failed"))
        .collect())
}
