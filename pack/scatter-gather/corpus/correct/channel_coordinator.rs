//! Workers send every outcome to the calling thread, which keeps the first
//! failure and cancels.

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
    let (done, outcomes) = crossbeam_channel::unbounded();
    let mut values = vec![0; n];
    let mut first = None;
    std::thread::scope(|s| {
        for _ in 0..limit.min(n) {
            let done = done.clone();
            let (queue, token) = (&queue, &token);
            s.spawn(move || loop {
                let next = {
                    let mut queue = queue.lock().unwrap();
                    if token.is_cancelled() { None } else { queue.next() }
                };
                let Some((index, task)) = next else { break };
                let outcome = catch_unwind(AssertUnwindSafe(|| task(token)));
                let failed = !matches!(outcome, Ok(Ok(_)));
                let _ = done.send((index, outcome));
                if failed {
                    // Wait for the caller to have seen it before taking more.
                    while !token.is_cancelled() {
                        token.wait(Duration::from_millis(50));
                    }
                }
            });
        }
        drop(done);
        for (index, outcome) in outcomes {
            let error = match outcome {
                Ok(Ok(v)) => {
                    values[index] = v;
                    continue;
                }
                Ok(Err(error)) => GroupError::Failed { index, error },
                Err(_) => GroupError::Panicked { index },
            };
            if first.is_none() {
                first = Some(error);
                token.cancel();
            }
        }
    });
    match first {
        Some(e) => Err(e),
        None => Ok(values),
    }
}
