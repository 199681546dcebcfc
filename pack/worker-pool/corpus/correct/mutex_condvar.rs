//! A correct pool without channels for the queue: a `VecDeque` behind a
//! `Mutex`, with one `Condvar` for "a job arrived or the pool closed" and
//! one for "there is room". Tickets are one-shot crossbeam channels.

use crossbeam_channel::{bounded, Receiver, Sender};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
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

type Reply = Sender<Result<u64, JobPanicked>>;

struct Queue {
    jobs: VecDeque<(Job, Reply)>,
    closed: bool,
    stats: PoolStats,
}

struct Shared {
    queue: Mutex<Queue>,
    arrived: Condvar,
    room: Condvar,
    capacity: usize,
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

/// Workers sharing a locked queue.
pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Spawns `workers` threads and a queue for `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Pool {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closed: false,
                stats: PoolStats::default(),
            }),
            arrived: Condvar::new(),
            room: Condvar::new(),
            capacity: queue,
        });
        let workers = (0..workers)
            .map(|_| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || work(&shared))
            })
            .collect();
        Pool { shared, workers }
    }

    fn push(&self, job: Job, wait_for_room: bool) -> Result<Ticket, Full> {
        let (reply, result) = bounded(1);
        let mut queue = self.shared.queue.lock().unwrap();
        while queue.jobs.len() >= self.shared.capacity {
            if !wait_for_room {
                return Err(Full);
            }
            queue = self.shared.room.wait(queue).unwrap();
        }
        queue.jobs.push_back((job, reply));
        self.shared.arrived.notify_one();
        Ok(Ticket { result })
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Ticket {
        match self.push(job, true) {
            Ok(ticket) => ticket,
            Err(Full) => unreachable!("a waiting push is never refused"),
        }
    }

    /// Queues `job` if there is room.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        self.push(job, false)
    }

    /// Closes the queue, lets the workers empty it, joins them.
    pub fn shutdown(self) -> PoolStats {
        self.shared.queue.lock().unwrap().closed = true;
        self.shared.arrived.notify_all();
        for worker in self.workers {
            let _ = worker.join();
        }
        let stats = self.shared.queue.lock().unwrap().stats;
        stats
    }
}

fn work(shared: &Shared) {
    loop {
        let (job, reply) = {
            let mut queue = shared.queue.lock().unwrap();
            loop {
                if let Some(next) = queue.jobs.pop_front() {
                    shared.room.notify_one();
                    break next;
                }
                if queue.closed {
                    return;
                }
                queue = shared.arrived.wait(queue).unwrap();
            }
        };
        let result = catch_unwind(AssertUnwindSafe(job)).map_err(|_| JobPanicked);
        {
            let mut queue = shared.queue.lock().unwrap();
            match result {
                Ok(_) => queue.stats.completed += 1,
                Err(_) => queue.stats.panicked += 1,
            }
        }
        let _ = reply.send(result);
    }
}
