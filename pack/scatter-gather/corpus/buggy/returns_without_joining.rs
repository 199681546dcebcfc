//! On the first error run_all returns at once: detached threads are left running.
//! expect: leaked-workers

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
    let queue = Arc::new(Mutex::new(tasks.into_iter().enumerate()));
    let (done, results) = std::sync::mpsc::channel();
    let mut workers = Vec::new();
    for _ in 0..limit.min(n) {
        let (queue, token, done) = (Arc::clone(&queue), token.clone(), done.clone());
        workers.push(std::thread::spawn(move || loop {
            let next = {
                let mut queue = queue.lock().unwrap();
                if token.is_cancelled() { None } else { queue.next() }
            };
            let Some((index, task)) = next else { break };
            let outcome = catch_unwind(AssertUnwindSafe(|| task(&token)));
            let _ = done.send((index, outcome));
        }));
    }
    drop(done);
    let mut values = vec![0; n];
    for (index, outcome) in results {
        match outcome {
            Ok(Ok(v)) => values[index] = v,
            // Returns here, without joining the workers.
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
    for worker in workers {
        let _ = worker.join();
    }
    Ok(values)
}
