//! run_all waits for the results by polling a channel in a loop.
//! expect: busy-loop

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
    let (done, results) = std::sync::mpsc::channel();
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
                let _ = done.send((index, outcome));
            });
        }
        drop(done);
        loop {
            match results.try_recv() {
                Ok((index, outcome)) => {
                    let error = match outcome {
                        Ok(Ok(v)) => {
                            values[index] = v;
                            continue;
                        }
                        Ok(Err(error)) => GroupError::Failed { index, error },
                        Err(_) => GroupError::Panicked { index },
                    };
                    first.get_or_insert(error);
                    token.cancel();
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => std::hint::spin_loop(),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
            }
        }
    });
    match first {
        Some(e) => Err(e),
        None => Ok(values),
    }
}
