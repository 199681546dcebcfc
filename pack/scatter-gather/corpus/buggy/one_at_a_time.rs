//! Tasks run one at a time on the calling thread: the limit is never used.
//! expect: limit

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupError {
    Failed { index: usize, error: TaskError },
    Panicked { index: usize },
}

pub type Task = Box<dyn FnOnce(&Token) -> Result<u64, TaskError> + Send + 'static>;

#[derive(Clone, Default)]
pub struct Token {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Token {
    fn cancel(&self) {
        *self.inner.0.lock().unwrap() = true;
        self.inner.1.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        *self.inner.0.lock().unwrap()
    }

    pub fn wait(&self, timeout: Duration) -> bool {
        let (flag, condvar) = &*self.inner;
        let guard = flag.lock().unwrap();
        let (guard, _) = condvar
            .wait_timeout_while(guard, timeout.min(Duration::from_secs(3600)), |c| !*c)
            .unwrap();
        *guard
    }
}

pub fn run_all(tasks: Vec<Task>, _limit: usize) -> Result<Vec<u64>, GroupError> {
    let token = Token::default();
    let mut results = Vec::new();
    for (index, task) in tasks.into_iter().enumerate() {
        match catch_unwind(AssertUnwindSafe(|| task(&token))) {
            Ok(Ok(v)) => results.push(v),
            Ok(Err(error)) => {
                token.cancel();
                return Err(GroupError::Failed { index, error });
            }
            Err(_) => {
                token.cancel();
                return Err(GroupError::Panicked { index });
            }
        }
    }
    Ok(results)
}
