//! Running a built program: each phase as its own supervised process, side
//! by side, and the judgement told check by check as the phases end.

use super::exercise::Exercise;
use super::judge::PhaseRun;
use super::report::Report;
use super::{
    CheckOptions, Checked, EngineError, Isolation, OUTPUT_CAP, Program, Progress, bounds,
    compiled_ok, protocol, stream, supervisor,
};
use crate::sandbox::{Policy, Protections};
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use supervisor::Limits;

/// How long one phase may run; the harness's own hang deadline is far shorter.
const PHASE_LIMIT: Duration = Duration::from_secs(30);
/// How long a phase that is still using CPU may run: on a loaded machine a
/// correct phase can need more than [`PHASE_LIMIT`], and it is not a hang.
const PHASE_WORKING_LIMIT: Duration = Duration::from_secs(90);
/// Bytes of records kept of a phase; more is an overflow.
const REPORT_CAP: usize = 64 << 20;

impl Program {
    /// Runs every check phase once and judges the result, telling each
    /// check's result as soon as the phases it reads have ended.
    pub fn run(&self, options: &CheckOptions) -> Result<Checked, EngineError> {
        let mut timings = self.timings;
        let started = Instant::now();
        let mut protections = self.protections;
        let tell = |progress| {
            if let Some(sink) = &options.progress {
                sink.tell(progress);
            }
        };
        let mut stream = stream::Stream::new(self.exercise);
        // The last phase is told with the full judgement's results.
        let mut last = None;
        run_phases(
            self.exercise,
            &self.binary,
            self.isolation.as_deref(),
            options,
            |(run, applied)| {
                if applied.is_some() {
                    protections = applied;
                }
                let (phase, ending) = (run.phase.clone(), run.ending.clone());
                let checks = stream.ended(run);
                if stream.complete() {
                    last = Some((phase, ending));
                } else {
                    tell(Progress::PhaseEnded {
                        phase,
                        ending,
                        checks,
                    });
                }
            },
        )?;
        timings.run_ms = started.elapsed().as_millis() as u64;
        let cancelled = stream.cancelled();
        let (results, untold) = if cancelled {
            (Vec::new(), Vec::new())
        } else {
            stream.judge_all()?
        };
        if let Some((phase, ending)) = last {
            tell(Progress::PhaseEnded {
                phase,
                ending,
                checks: untold,
            });
        }
        if cancelled {
            return Ok(Checked::Cancelled);
        }
        let mut checks = vec![compiled_ok()];
        checks.extend(results);
        let mut report = Report::new(self.exercise.id, &self.display, options.seed, checks);
        report.timings = timings;
        report.protections = protections;
        Ok(Checked::Done(report))
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if from_os.is_err() {
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type PhaseOutcome = (PhaseRun, Option<Protections>);

/// Runs the exercise's phases side by side, handing each one's outcome to
/// `ended` (on this thread) the moment its process has ended.
fn run_phases(
    exercise: &Exercise,
    binary: &Path,
    isolation: Option<&Isolation>,
    options: &CheckOptions,
    mut ended: impl FnMut(PhaseOutcome),
) -> Result<(), EngineError> {
    // The phases are independent processes; running them side by side
    // keeps the verdict fast. Each thread here is joined before we return.
    std::thread::scope(|scope| {
        let (done, outcomes) = std::sync::mpsc::channel();
        for &phase in &exercise.phases {
            let done = done.clone();
            scope.spawn(move || {
                // The receiver lives until every sender is gone.
                let _ = done.send(run_phase(phase, binary, isolation, options));
            });
        }
        drop(done);
        // Every phase is waited for, even after one failed to start.
        let mut failed = None;
        for outcome in outcomes {
            match outcome {
                Ok(outcome) => ended(outcome),
                Err(err) => failed = failed.or(Some(err)),
            }
        }
        failed.map_or(Ok(()), Err)
    })
}

fn run_phase(
    phase: &str,
    binary: &Path,
    isolation: Option<&Isolation>,
    options: &CheckOptions,
) -> Result<PhaseOutcome, EngineError> {
    let secret = new_secret();
    let mut cmd = Command::new(binary);
    cmd.arg(phase)
        .arg(options.seed.to_string())
        .env(
            "THREADLINGS_REPORT",
            format!("{}:{}", supervisor::REPORT_FD, supervisor::SECRET_FD),
        )
        .env("RUST_BACKTRACE", "0");
    let mut protections = None;
    let mut threads = None;
    if isolation.is_none() {
        // No sandbox (`check`, the tutor): still bound what it can start.
        bounds::apply(&mut cmd);
        threads = Some(bounds::MAX_THREADS);
    }
    if let Some(isolation) = isolation {
        let work = binary.parent().unwrap_or(Path::new("/"));
        cmd.current_dir(work);
        // The harness reads /proc/self/task and /proc/self/stat; ptrace
        // access checks still keep other processes' entries closed.
        let policy = Policy::new(work, isolation.run_limits.clone()).readable("/proc");
        let applied = isolation
            .sandbox
            .apply(&mut cmd, &policy)
            .map_err(|source| EngineError::Sandbox {
                step: phase.into(),
                source,
            })?;
        protections = Some(applied);
    }
    let limits = Limits {
        wall: PHASE_LIMIT,
        working_wall: PHASE_WORKING_LIMIT,
        output_cap: OUTPUT_CAP,
        report_cap: REPORT_CAP,
        threads,
    };
    let finished =
        supervisor::run(cmd, limits, Some(&secret), &options.cancel).map_err(|source| {
            EngineError::Io {
                what: format!("cannot run the {phase} phase"),
                source,
            }
        })?;
    let stderr = String::from_utf8_lossy(&finished.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    let run = PhaseRun {
        phase: phase.to_string(),
        records: protocol::parse(&finished.report, &secret),
        ending: finished.ending,
        stderr_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    };
    Ok((run, protections))
}
