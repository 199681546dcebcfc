//! Exercise `worker-pool`: a fixed set of worker threads that run jobs from
//! one bounded queue.
//!
//! Implement the API below (keep every signature exactly as it is; the
//! tutor's checks call it):
//!
//! * `Pool::start(workers, queue)` spawns exactly `workers` worker threads
//!   and makes room for `queue` waiting jobs (callers always pass at least 1
//!   for both).
//! * `submit(job)` hands a job to the pool and returns a `Ticket` at once,
//!   unless `queue` jobs are already waiting: then it blocks until there is
//!   room (backpressure). Jobs start in the order they were accepted.
//! * `try_submit(job)` never blocks: `Err(Full)` when `queue` jobs are
//!   waiting, and only then.
//! * `Ticket::wait()` blocks until the job ran: `Ok(value)`, or
//!   `Err(JobPanicked)` if the job panicked. A ticket may be waited after
//!   `shutdown` returned, or dropped without waiting.
//! * A job that panics must not take its worker with it: the pool still
//!   runs `workers` jobs at once afterwards.
//! * `shutdown()` lets every accepted job run to completion, joins every
//!   worker and returns how many jobs returned (`completed`) and how many
//!   panicked (`panicked`).
//!
//! `Pool` is shared by many threads (`&Pool`), so it must be `Sync`; `Pool`
//! and `Ticket` must be `Send`. Idle workers must sleep, not spin.
//! `crossbeam_channel` is available.

#![allow(dead_code, unused_variables)]

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
    // TODO: how will this ticket receive its job's result?
}

impl Ticket {
    /// Blocks until the job ran; its value, or `Err(JobPanicked)`.
    pub fn wait(self) -> Result<u64, JobPanicked> {
        todo!("wait for the job's result")
    }
}

/// A fixed set of worker threads sharing one bounded queue.
pub struct Pool {
    // TODO: the queue's sending side and the workers' JoinHandles.
}

impl Pool {
    /// Spawns exactly `workers` worker threads and a queue for `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Pool {
        todo!("spawn the workers and create the bounded queue")
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Ticket {
        todo!("send the job with a reply channel; return the ticket")
    }

    /// Queues `job` if there is room; never blocks.
    pub fn try_submit(&self, job: Job) -> Result<Ticket, Full> {
        todo!("like submit, but Err(Full) instead of waiting")
    }

    /// Lets the workers finish every queued job, joins them, and adds up
    /// what they did.
    pub fn shutdown(self) -> PoolStats {
        todo!("close the queue, join the workers, add up their stats")
    }
}
