//! A thread per task, but each holds one of `limit` permits while its task
//! runs, and checks the token after getting it.

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
        let mut cancelled = flag.lock().unwrap();
        let Some(deadline) = Instant::now().checked_add(timeout) else {
            while !*cancelled {
                cancelled = condvar.wait(cancelled).unwrap();
            }
            return true;
        };
        while !*cancelled {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            cancelled = condvar.wait_timeout(cancelled, deadline - now).unwrap().0;
        }
        true
    }
}

struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    let n = tasks.len();
    let token = Token::default();
    let permits = Permits { free: Mutex::new(limit), freed: Condvar::new() };
    let results = Mutex::new(vec![0; n]);
    let first = Mutex::new(None);
    std::thread::scope(|s| {
        for (index, task) in tasks.into_iter().enumerate() {
            let (token, permits, results, first) = (&token, &permits, &results, &first);
            s.spawn(move || {
                {
                    let mut free = permits.free.lock().unwrap();
                    while *free == 0 {
                        free = permits.freed.wait(free).unwrap();
                    }
                    *free -= 1;
                }
                if !token.is_cancelled() {
                    let error = match catch_unwind(AssertUnwindSafe(|| task(token))) {
                        Ok(Ok(v)) => {
                            results.lock().unwrap()[index] = v;
                            None
                        }
                        Ok(Err(error)) => Some(GroupError::Failed { index, error }),
                        Err(_) => Some(GroupError::Panicked { index }),
                    };
                    if let Some(error) = error {
                        first.lock().unwrap().get_or_insert(error);
                        token.cancel();
                    }
                }
                *permits.free.lock().unwrap() += 1;
                permits.freed.notify_one();
            });
        }
    });
    match first.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(results.into_inner().unwrap()),
    }
}
