//! A thread per job: no pool at all, so nothing limits how many jobs run at
//! once (and start() starts no thread).
//! expect: parallelism

use crossbeam_channel::{bounded, Receiver};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A unit of work: runs once on some worker and produces a number.
pub type Job = Box<dyn FnOnce() -> u64 + Send + 'static>;

/// `try_submit` found `queue` jobs already waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// The job panicked instead of returning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobPanicked;

/// What the pool did over its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Jobs that returned.
    pub completed: u64,
    /// Jobs that panicked.
    pub panicked: u64,
}

/// The promise of one job's result.
pub struct Ticket {
    result: Receiver<Result<u64, JobPanicked>>,
}

impl Ticket {
    /// Blocks until the job ran.
    pub fn wait(self) -> Result<u64, JobPanicked> {
        self.result.recv().unwrap_or(Err(JobPanicked))
    }
}

/// Not a pool: every job gets a thread of its own.
pub struct Pool {
    threads: Mutex<Vec<JoinHandle<()>>>,
    completed: Arc<AtomicU64>,
    panicked: Arc<AtomicU64>,
}

impl Pool {
    /// Starts nothing: threads come with the jobs.
    pub fn start(_workers: usize, _queue: usize) -> Pool {
        Pool {
            threads: Mutex::new(Vec::new()),
            completed: Arc::new(AtomicU64::new(0)),
            panicked: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Runs `job` on a new thread.
    pub fn submit(&self, job: Job) -> Ticket {
        let (reply, result) = bounded(1);
        let (completed, panicked) = (Arc::clone(&self.completed), Arc::clone(&self.panicked));
        let thread = std::thread::spawn(move || {
            let out = catch_unwind(AssertUnwindSafe(job)).map_err(|_| JobPanicked);
            match out {
                Ok(_) => completed.fetch_add(1, Ordering::SeqCst),
                Err(_) => panicked.fetch_add(1, Ordering::SeqCst),
            };
            let _ = reply.send(out);
        });
        self.threads.lock().unwrap().push(thread);
        Ticket { result }
    }

    /// Never full: there is no queue.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        Ok(self.submit(job))
    }

    /// Joins every job's thread.
    pub fn shutdown(self) -> PoolStats {
        for thread in self.threads.into_inner().unwrap() {
            let _ = thread.join();
        }
        PoolStats {
            completed: self.completed.load(Ordering::SeqCst),
            panicked: self.panicked.load(Ordering::SeqCst),
        }
    }
}
