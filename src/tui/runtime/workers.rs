//! The threads that do the work the loop asks for: the check worker and
//! the owners benchmark.

use crate::course::scaling;
use crate::engine::programs::ProgramCache;
use crate::engine::supervisor::Cancel;
use crate::engine::{self, CheckOptions, Checked, ProgressSink, toolchain};
use crate::exercise;
use crate::tui::app::{BenchmarkPlan, BenchmarkResult, CheckOutcome, Msg};
use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// An exercise file to compile ahead of its first check.
pub(super) struct AheadFile {
    /// The exercise id.
    pub(super) exercise: String,
    /// The file as the project names it (`exercises/counter.rs`).
    pub(super) rel: PathBuf,
    /// The file.
    pub(super) file: PathBuf,
}

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
/// check asked for meanwhile waits in the queue for that build. Then,
/// between checks, it compiles the exercise files ahead of their first
/// check ([`Msg::CompilingAhead`]); a check asked for stops that compile
/// and runs first.
pub(super) struct Worker {
    jobs: Sender<Job>,
    /// The cancel of each job not yet reported done, by generation.
    pub(super) cancels: HashMap<u64, Cancel>,
    /// Stops the start-up build when the tutor closes during it.
    preparing: Cancel,
    /// Stops the compile ahead running now (or the next, if none runs).
    ahead: Arc<Mutex<Cancel>>,
    /// The latest compiled programs: a re-run of unchanged content (`r`)
    /// runs them without compiling again.
    programs: ProgramCache,
    /// The loop's channel, for the checks' progress.
    tx: Sender<Msg>,
    thread: JoinHandle<()>,
}

impl Worker {
    /// Starts the worker; `ahead` are the files to compile ahead of their
    /// first check, most wanted first.
    pub(super) fn spawn(tx: Sender<Msg>, ahead: Vec<AheadFile>) -> Worker {
        let (jobs, jobs_rx) = unbounded::<Job>();
        let preparing = Cancel::new();
        let progress_tx = tx.clone();
        let stop_preparing = preparing.clone();
        let programs = ProgramCache::new();
        let stop_ahead = Arc::new(Mutex::new(Cancel::new()));
        let worker = Ahead {
            files: ahead.into(),
            cancel: Arc::clone(&stop_ahead),
            closing: preparing.clone(),
            programs: programs.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("tui-checker".into())
            .spawn(move || {
                if !prepare(&tx, &stop_preparing) {
                    return;
                }
                let Some(jobs_rx) = worker.run(&tx, jobs_rx) else {
                    return;
                };
                for job in jobs_rx {
                    if !run_and_tell(&tx, &job) {
                        return;
                    }
                }
            })
            .expect("spawn the checker thread");
        Worker {
            jobs,
            cancels: HashMap::new(),
            preparing,
            ahead: stop_ahead,
            programs,
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
        // After the send: the worker looks for jobs before each compile
        // ahead, with that compile's switch already in place.
        self.ahead
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .cancel();
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
        self.ahead
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .cancel();
        for cancel in self.cancels.values() {
            cancel.cancel();
        }
        drop(self.jobs);
        let _ = self.thread.join();
    }
}

/// Runs `job` and tells the loop its outcome; `false` when the loop is
/// gone.
fn run_and_tell(tx: &Sender<Msg>, job: &Job) -> bool {
    let before = super::content_hash(&job.file);
    let outcome = run_job(job);
    // A save the watcher missed (it was not watching yet, or the filesystem
    // sends no events) still gets checked. Sent first, so the stale result
    // is never shown.
    let after = super::content_hash(&job.file);
    if after != before && tx.send(Msg::FileChanged(job.rel.clone(), after)).is_err() {
        return false;
    }
    tx.send(Msg::CheckDone {
        generation: job.generation,
        outcome,
    })
    .is_ok()
}

/// The compiles ahead of the exercise files' first checks, done between
/// checks.
struct Ahead {
    files: VecDeque<AheadFile>,
    /// The switch of the compile running now.
    cancel: Arc<Mutex<Cancel>>,
    /// Flipped when the tutor closes.
    closing: Cancel,
    programs: ProgramCache,
}

impl Ahead {
    /// Compiles each file in turn, running any check asked for first;
    /// hands the queue back once all are compiled, or `None` when the
    /// tutor is closing.
    fn run(mut self, tx: &Sender<Msg>, jobs: Receiver<Job>) -> Option<Receiver<Job>> {
        let total = self.files.len();
        let mut shown = false;
        loop {
            // In place before the look for jobs: a job queued after it
            // cancels this compile.
            let cancel = Cancel::new();
            *self.cancel.lock().unwrap_or_else(|e| e.into_inner()) = cancel.clone();
            // After the switch is in place: closing cancels it, or is seen here.
            if self.closing.is_cancelled() {
                return None;
            }
            match jobs.try_recv() {
                Ok(job) => {
                    if shown {
                        shown = false;
                        tx.send(Msg::CompilingAhead(None)).ok()?;
                    }
                    run_and_tell(tx, &job).then_some(())?;
                    continue;
                }
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            let Some(next) = self.files.pop_front() else {
                if shown {
                    tx.send(Msg::CompilingAhead(None)).ok()?;
                }
                return Some(jobs);
            };
            let n = total - self.files.len();
            let what = format!("{} ({n} of {total})", next.rel.display());
            tx.send(Msg::CompilingAhead(Some(what))).ok()?;
            shown = true;
            let compiled = exercise::find(&next.exercise)
                .map(|ex| engine::compile_ahead(ex, &next.file, &self.programs, &cancel));
            // Stopped for a check: compiled after it (often at once, from
            // the program the check kept). A tool error is the check's to
            // tell.
            if let Some(Ok(engine::Ahead::Cancelled)) = compiled {
                self.files.push_back(next);
            }
        }
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
