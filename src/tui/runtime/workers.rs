//! The threads that do the work the loop asks for: the check worker and
//! the owners benchmark.

use crate::course::scaling;
use crate::engine::programs::ProgramCache;
use crate::engine::supervisor::Cancel;
use crate::engine::{self, CheckOptions, Checked, ProgressSink, toolchain};
use crate::exercise;
use crate::tui::app::{BenchmarkPlan, BenchmarkResult, CheckOutcome, Msg};
use crossbeam_channel::{Sender, unbounded};
use std::collections::HashMap;
use std::path::PathBuf;
use std::thread::JoinHandle;

struct Job {
    generation: u64,
    exercise: String,
    /// The exercise file as the project names it (`exercises/counter.rs`).
    rel: PathBuf,
    file: PathBuf,
    options: CheckOptions,
}

/// The check worker: owns the checks it runs; the loop talks to it over
/// a channel and cancels through each job's [`Cancel`].
///
/// Before its first job it builds what checks link against (the harness,
/// every pack's drivers), reporting each step as [`Msg::Preparing`]: a
/// check asked for meanwhile waits in the queue for that build.
pub(super) struct Worker {
    jobs: Sender<Job>,
    /// The cancel of each job not yet reported done, by generation.
    pub(super) cancels: HashMap<u64, Cancel>,
    /// Stops the start-up build when the tutor closes during it.
    preparing: Cancel,
    /// The latest compiled programs: a re-run of unchanged content (`r`)
    /// runs them without compiling again.
    programs: ProgramCache,
    /// The loop's channel, for the checks' progress.
    tx: Sender<Msg>,
    thread: JoinHandle<()>,
}

impl Worker {
    pub(super) fn spawn(tx: Sender<Msg>) -> Worker {
        let (jobs, jobs_rx) = unbounded::<Job>();
        let preparing = Cancel::new();
        let progress_tx = tx.clone();
        let stop_preparing = preparing.clone();
        let thread = std::thread::Builder::new()
            .name("tui-checker".into())
            .spawn(move || {
                if !prepare(&tx, &stop_preparing) {
                    return;
                }
                for job in jobs_rx {
                    let before = super::content_hash(&job.file);
                    let outcome = run_job(&job);
                    // A save the watcher missed (it was not watching yet,
                    // or the filesystem sends no events) still gets checked.
                    // Sent first, so the stale result is never shown.
                    let after = super::content_hash(&job.file);
                    if after != before && tx.send(Msg::FileChanged(job.rel.clone(), after)).is_err()
                    {
                        return;
                    }
                    let done = Msg::CheckDone {
                        generation: job.generation,
                        outcome,
                    };
                    if tx.send(done).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn the checker thread");
        Worker {
            jobs,
            cancels: HashMap::new(),
            preparing,
            programs: ProgramCache::new(),
            tx: progress_tx,
            thread,
        }
    }

    /// Queues a check of `file` (named `rel` in the project).
    pub(super) fn start(&mut self, generation: u64, exercise: String, rel: PathBuf, file: PathBuf) {
        let tx = self.tx.clone();
        let options = CheckOptions {
            programs: Some(self.programs.clone()),
            // Each step reaches the loop the moment it happens.
            progress: Some(ProgressSink::new(move |progress| {
                let _ = tx.send(Msg::CheckProgress {
                    generation,
                    progress,
                });
            })),
            ..CheckOptions::new()
        };
        self.cancels.insert(generation, options.cancel.clone());
        let _ = self.jobs.send(Job {
            generation,
            exercise,
            rel,
            file,
            options,
        });
    }

    /// Cancels the check of that generation, if it is still running.
    pub(super) fn cancel(&mut self, generation: u64) {
        if let Some(cancel) = self.cancels.remove(&generation) {
            cancel.cancel();
        }
    }

    /// Cancels every check and joins the thread.
    pub(super) fn stop(self) {
        self.preparing.cancel();
        for cancel in self.cancels.values() {
            cancel.cancel();
        }
        drop(self.jobs);
        let _ = self.thread.join();
    }
}

/// Builds the cache, telling the loop each step; `false` when the loop is
/// gone or the build was cancelled (the tutor is closing).
fn prepare(tx: &Sender<Msg>, cancel: &Cancel) -> bool {
    let result = toolchain::prepare(exercise::all(), cancel, |what| {
        let _ = tx.send(Msg::Preparing(what.to_string()));
    });
    if matches!(result, Err(toolchain::ToolchainError::Cancelled)) {
        return false;
    }
    // A failure is shown, and every check then reports it in full.
    tx.send(Msg::Prepared(result.map_err(|e| e.to_string())))
        .is_ok()
}

fn run_job(job: &Job) -> CheckOutcome {
    if job.options.cancel.is_cancelled() {
        return CheckOutcome::Cancelled;
    }
    let Some(exercise) = exercise::find(&job.exercise) else {
        return CheckOutcome::Error(format!("no exercise called {}", job.exercise));
    };
    match engine::check(exercise, &job.file, &job.options) {
        Ok(Checked::Done(report)) => CheckOutcome::Report(report),
        Ok(Checked::Cancelled) => CheckOutcome::Cancelled,
        Err(err) => CheckOutcome::Error(err.to_string()),
    }
}

/// Runs the owners benchmark on a thread of its own, so the loop stays
/// responsive. The runtime owns that thread and joins it on exit; a run
/// cannot be cancelled, which is why the plan keeps it short.
pub(super) struct Bench {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Bench {
    pub(super) fn new(tx: Sender<Msg>) -> Bench {
        Bench { tx, thread: None }
    }

    /// Starts a run; its result comes back as [`Msg::BenchmarkDone`]. The
    /// returned message reports a thread that could not be started.
    pub(super) fn start(&mut self, plan: BenchmarkPlan) -> Option<Msg> {
        // The app asks again only after the previous run's result arrived,
        // so that thread has sent its message and is at most exiting.
        if let Some(done) = self.thread.take() {
            let _ = done.join();
        }
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("tui-benchmark".into())
            .spawn(move || {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let result = std::panic::catch_unwind(|| scaling::run(&plan.threads, plan.ops))
                    .map(|rows| BenchmarkResult {
                        rows,
                        cores,
                        optimised: !cfg!(debug_assertions),
                    })
                    .map_err(|_| "the benchmark thread panicked".to_string());
                let _ = tx.send(Msg::BenchmarkDone(result));
            });
        match spawned {
            Ok(thread) => {
                self.thread = Some(thread);
                None
            }
            Err(err) => Some(Msg::BenchmarkDone(Err(format!(
                "cannot start the benchmark thread: {err}"
            )))),
        }
    }

    /// Waits for a running benchmark to finish.
    pub(super) fn stop(self) {
        drop(self.tx);
        if let Some(thread) = self.thread {
            let _ = thread.join();
        }
    }
}
