//! A correct pool that lets a job's panic end its worker and starts a
//! replacement: the dying worker's guard, dropped while unwinding, spawns
//! the new thread and records its handle. Never more than `workers` serve
//! at once; shutdown joins every handle, replacements included.

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};
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

type Task = (Job, Sender<Result<u64, JobPanicked>>);

struct Crew {
    inbox: Receiver<Task>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    completed: AtomicU64,
    panicked: AtomicU64,
}

/// Replaces its worker if the worker dies by a job's panic.
struct Respawn(Arc<Crew>);

impl Drop for Respawn {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.panicked.fetch_add(1, Ordering::SeqCst);
            hire(&self.0);
        }
    }
}

fn hire(crew: &Arc<Crew>) {
    let mine = Arc::clone(crew);
    let handle = std::thread::spawn(move || {
        let guard = Respawn(mine);
        for (job, reply) in guard.0.inbox.clone() {
            // A panic here unwinds through `guard`: the ticket's sender is
            // dropped unanswered, which the ticket reads as JobPanicked.
            let value = job();
            guard.0.completed.fetch_add(1, Ordering::SeqCst);
            let _ = reply.send(Ok(value));
        }
    });
    crew.handles.lock().unwrap().push(handle);
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

/// Workers that are replaced when a job kills them.
pub struct Pool {
    queue: Sender<Task>,
    crew: Arc<Crew>,
}

impl Pool {
    /// Spawns `workers` threads and a queue for `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Pool {
        let (sender, receiver) = bounded(queue);
        let crew = Arc::new(Crew {
            inbox: receiver,
            handles: Mutex::new(Vec::new()),
            completed: AtomicU64::new(0),
            panicked: AtomicU64::new(0),
        });
        for _ in 0..workers {
            hire(&crew);
        }
        Pool {
            queue: sender,
            crew,
        }
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Ticket {
        let (reply, result) = bounded(1);
        self.queue
            .send((job, reply))
            .expect("the crew keeps a receiver");
        Ticket { result }
    }

    /// Queues `job` if there is room.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        let (reply, result) = bounded(1);
        match self.queue.try_send((job, reply)) {
            Ok(()) => Ok(Ticket { result }),
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => Err(Full),
        }
    }

    /// Closes the queue and joins every worker, replacements included.
    pub fn shutdown(self) -> PoolStats {
        drop(self.queue);
        loop {
            let next = self.crew.handles.lock().unwrap().pop();
            let Some(handle) = next else { break };
            let _ = handle.join();
        }
        PoolStats {
            completed: self.crew.completed.load(Ordering::SeqCst),
            panicked: self.crew.panicked.load(Ordering::SeqCst),
        }
    }
}
