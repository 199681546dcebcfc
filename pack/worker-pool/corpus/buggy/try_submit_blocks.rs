//! try_submit sends with a blocking send: it waits for room instead of returning Full.
//! expect: backpressure

use crossbeam_channel::{bounded, Receiver, Sender};
use std::panic::{catch_unwind, AssertUnwindSafe};
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

/// A job and where its result goes.
struct Task {
    job: Job,
    reply: Sender<Result<u64, JobPanicked>>,
}

/// The promise of one job's result.
pub struct Ticket {
    result: Receiver<Result<u64, JobPanicked>>,
}

impl Ticket {
    /// Blocks until the job ran; its value, or `Err(JobPanicked)`.
    pub fn wait(self) -> Result<u64, JobPanicked> {
        // The worker always answers before dropping the reply sender; a
        // disconnected channel could only mean the job was lost with its
        // worker, which catch_unwind rules out.
        self.result.recv().unwrap_or(Err(JobPanicked))
    }
}

/// A fixed set of worker threads sharing one bounded queue.
pub struct Pool {
    queue: Sender<Task>,
    workers: Vec<JoinHandle<PoolStats>>,
}

impl Pool {
    /// Spawns exactly `workers` worker threads and a queue for `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Pool {
        let (sender, receiver) = bounded::<Task>(queue);
        let workers = (0..workers)
            .map(|n| {
                let inbox = receiver.clone();
                std::thread::Builder::new()
                    .name(format!("pool-worker-{n}"))
                    .spawn(move || work(inbox))
                    .expect("cannot spawn a worker thread")
            })
            .collect();
        Pool {
            queue: sender,
            workers,
        }
    }

    fn task(job: Job) -> (Task, Ticket) {
        let (reply, result) = bounded(1);
        (Task { job, reply }, Ticket { result })
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Ticket {
        let (task, ticket) = Pool::task(job);
        // The receivers live as long as the workers, which live until
        // shutdown consumes the pool: this send cannot find them gone.
        self.queue
            .send(task)
            .unwrap_or_else(|_| unreachable!("the workers outlive the pool"));
        ticket
    }

    /// Queues `job` if there is room; never blocks.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        let (task, ticket) = Pool::task(job);
        match self.queue.send(task) {
            Ok(()) => Ok(ticket),
            Err(_) => Err(Full),
        }
    }

    /// Lets the workers finish every queued job, joins them, and adds up
    /// what they did.
    pub fn shutdown(self) -> PoolStats {
        let Pool { queue, workers } = self;
        // The last sender: once the queue is empty the workers' loops end.
        drop(queue);
        let mut total = PoolStats::default();
        for worker in workers {
            // A worker never panics: jobs run under catch_unwind.
            let stats = worker.join().unwrap_or_default();
            total.completed += stats.completed;
            total.panicked += stats.panicked;
        }
        total
    }
}

/// One worker: the next job, until the queue is closed and empty.
fn work(inbox: Receiver<Task>) -> PoolStats {
    let mut stats = PoolStats::default();
    for Task { job, reply } in inbox {
        let result = catch_unwind(AssertUnwindSafe(job)).map_err(|_| JobPanicked);
        match result {
            Ok(_) => stats.completed += 1,
            Err(JobPanicked) => stats.panicked += 1,
        }
        // The caller may have dropped its ticket: nobody to tell.
        let _ = reply.send(result);
    }
    stats
}
