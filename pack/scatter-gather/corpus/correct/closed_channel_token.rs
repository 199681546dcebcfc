//! Workers pull tasks from a crossbeam channel; the token is a channel that is
//! closed to cancel, so wait() is a recv_timeout.

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
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};

#[derive(Clone)]
pub struct Token {
    closed: Receiver<()>,
    stop: Arc<Mutex<Option<Sender<()>>>>,
}

impl Token {
    fn new() -> Token {
        let (stop, closed) = bounded(0);
        Token { closed, stop: Arc::new(Mutex::new(Some(stop))) }
    }

    fn cancel(&self) {
        // Dropping the only sender disconnects every receiver at once.
        self.stop.lock().unwrap().take();
    }

    pub fn is_cancelled(&self) -> bool {
        self.stop.lock().unwrap().is_none()
    }

    pub fn wait(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => match self.closed.recv_deadline(deadline) {
                Err(RecvTimeoutError::Timeout) => false,
                _ => true,
            },
            None => {
                let _ = self.closed.recv();
                true
            }
        }
    }
}

pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    let n = tasks.len();
    let token = Token::new();
    let (feed, jobs) = crossbeam_channel::unbounded();
    for job in tasks.into_iter().enumerate() {
        feed.send(job).expect("the receiver is here");
    }
    drop(feed);
    let results = Mutex::new(vec![0; n]);
    let first = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..limit.min(n) {
            let (jobs, token, results, first) = (jobs.clone(), &token, &results, &first);
            s.spawn(move || {
                while !token.is_cancelled() {
                    let Ok((index, task)) = jobs.try_recv() else { break };
                    if token.is_cancelled() {
                        break;
                    }
                    let task: Task = task;
                    let error = match catch_unwind(AssertUnwindSafe(|| task(token))) {
                        Ok(Ok(v)) => {
                            results.lock().unwrap()[index] = v;
                            continue;
                        }
                        Ok(Err(error)) => GroupError::Failed { index, error },
                        Err(_) => GroupError::Panicked { index },
                    };
                    first.lock().unwrap().get_or_insert(error);
                    token.cancel();
                }
            });
        }
    });
    match first.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(results.into_inner().unwrap()),
    }
}
