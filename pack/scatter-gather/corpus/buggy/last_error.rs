//! Every failure overwrites the one before: the last error is returned, not the first.
//! expect: first-error

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

pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    let n = tasks.len();
    let token = Token::default();
    let queue = Mutex::new(tasks.into_iter().enumerate());
    let results = Mutex::new(vec![None; n]);
    let first: Mutex<Option<GroupError>> = Mutex::new(None);
    let fail = |error: GroupError| {
        *first.lock().unwrap() = Some(error);
        token.cancel();
    };
    std::thread::scope(|scope| {
        for _ in 0..limit.min(n) {
            scope.spawn(|| loop {
                let next = {
                    let mut queue = queue.lock().unwrap();
                    if token.is_cancelled() { None } else { queue.next() }
                };
                let Some((index, task)) = next else { break };
                match catch_unwind(AssertUnwindSafe(|| task(&token))) {
                    Ok(Ok(value)) => results.lock().unwrap()[index] = Some(value),
                    Ok(Err(error)) => fail(GroupError::Failed { index, error }),
                    Err(_) => fail(GroupError::Panicked { index }),
                }
            });
        }
    });
    if let Some(error) = first.into_inner().unwrap() {
        return Err(error);
    }
    Ok(results.into_inner().unwrap().into_iter().map(|v| v.unwrap()).collect())
}
