//! A correct pool on std only: `mpsc::sync_channel(queue)` is the bounded
//! queue, the workers share its receiver behind a `Mutex` held only while
//! they take a job (never while it runs), and each ticket is a one-shot
//! `mpsc` channel. Stats are atomics.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
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

type Task = (Job, mpsc::Sender<Result<u64, JobPanicked>>);

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

/// Workers on a std bounded channel.
pub struct Pool {
    queue: SyncSender<Task>,
    workers: Vec<JoinHandle<()>>,
    completed: Arc<AtomicU64>,
    panicked: Arc<AtomicU64>,
}

impl Pool {
    /// Spawns `workers` threads and a queue for `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Pool {
        let (sender, receiver) = mpsc::sync_channel::<Task>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let completed = Arc::new(AtomicU64::new(0));
        let panicked = Arc::new(AtomicU64::new(0));
        let workers = (0..workers)
            .map(|_| {
                let receiver = Arc::clone(&receiver);
                let (completed, panicked) = (Arc::clone(&completed), Arc::clone(&panicked));
                std::thread::spawn(move || loop {
                    // The guard is a temporary: dropped before the job runs.
                    let next = receiver.lock().unwrap().recv();
                    let Ok((job, reply)) = next else { return };
                    let result = catch_unwind(AssertUnwindSafe(job)).map_err(|_| JobPanicked);
                    let counter = if result.is_ok() {
                        &completed
                    } else {
                        &panicked
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = reply.send(result);
                })
            })
            .collect();
        Pool {
            queue: sender,
            workers,
            completed,
            panicked,
        }
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Ticket {
        let (reply, result) = mpsc::channel();
        self.queue.send((job, reply)).expect("workers are alive");
        Ticket { result }
    }

    /// Queues `job` if there is room.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        let (reply, result) = mpsc::channel();
        match self.queue.try_send((job, reply)) {
            Ok(()) => Ok(Ticket { result }),
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => Err(Full),
        }
    }

    /// Closes the queue, lets the workers empty it, joins them.
    pub fn shutdown(self) -> PoolStats {
        drop(self.queue);
        for worker in self.workers {
            let _ = worker.join();
        }
        PoolStats {
            completed: self.completed.load(Ordering::SeqCst),
            panicked: self.panicked.load(Ordering::SeqCst),
        }
    }
}
