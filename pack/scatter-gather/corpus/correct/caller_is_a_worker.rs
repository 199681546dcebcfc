//! Workers claim the next index from an atomic counter; the calling thread is
//! one of the `limit` workers itself.

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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Clone, Default)]
pub struct Token {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

impl Token {
    fn cancel(&self) {
        let _held = self.inner.lock.lock().unwrap();
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.wake.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    pub fn wait(&self, timeout: Duration) -> bool {
        let began = Instant::now();
        let mut held = self.inner.lock.lock().unwrap();
        loop {
            if self.is_cancelled() {
                return true;
            }
            let left = timeout.saturating_sub(began.elapsed());
            if left.is_zero() {
                return false;
            }
            // A day at a time: Duration::MAX must not overflow anything.
            let step = left.min(Duration::from_secs(86_400));
            held = self.inner.wake.wait_timeout(held, step).unwrap().0;
        }
    }
}

pub fn run_all(tasks: Vec<Task>, limit: usize) -> Result<Vec<u64>, GroupError> {
    let n = tasks.len();
    let token = Token::default();
    let slots: Vec<Mutex<Option<Task>>> = tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<u64>> = (0..n).map(|_| Mutex::new(0)).collect();
    let first = Mutex::new(None);
    let work = || loop {
        if token.is_cancelled() {
            break;
        }
        let index = next.fetch_add(1, Ordering::SeqCst);
        if index >= n {
            break;
        }
        let task = slots[index].lock().unwrap().take().expect("claimed once");
        let error = match catch_unwind(AssertUnwindSafe(|| task(&token))) {
            Ok(Ok(v)) => {
                *results[index].lock().unwrap() = v;
                continue;
            }
            Ok(Err(error)) => GroupError::Failed { index, error },
            Err(_) => GroupError::Panicked { index },
        };
        first.lock().unwrap().get_or_insert(error);
        token.cancel();
    };
    std::thread::scope(|s| {
        for _ in 1..limit.min(n) {
            s.spawn(work);
        }
        if n > 0 {
            work();
        }
    });
    match first.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(results.into_iter().map(|r| r.into_inner().unwrap()).collect()),
    }
}
