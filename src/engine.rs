//! The checking engine: build a learner's file against the pristine
//! harness, run it supervised on real threads, collect what the harness
//! observed and judge it.
//!
//! No terminal code lives here. Outcomes (the file does not compile, a check
//! failed, a call hung) are data in the [`report::Report`]; only failures of
//! the tool itself (no compiler, an unwritable cache) are errors.

mod ahead;
mod bounds;
mod compile;
pub mod diagnostics;
pub mod exercise;
pub mod forbid;
pub mod programs;
/// The contract crate: what a judge sees and returns, and the shared
/// judgements.
pub use threadlings_judge as judge;
pub use threadlings_judge::protocol;
pub mod report;
mod run;
mod stream;
pub mod supervisor;
pub mod toolchain;

pub use ahead::{Ahead, compile_ahead};

use crate::sandbox::{self, Protections, Sandbox};
use compile::{Compiled, Libraries, copy_readable};
use exercise::Exercise;
use report::{CheckId, CheckResult, Report, Timings};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use supervisor::{Cancel, Ending};
use toolchain::Compiler;

/// Failures of the tool itself, never of the learner's code.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The file to check does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    MissingFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The harness or compiler could not be prepared.
    #[error(transparent)]
    Toolchain(#[from] toolchain::ToolchainError),
    /// The sandbox could not be prepared for a step.
    #[error("cannot isolate the {step} step: {source}")]
    Sandbox {
        /// `compile` or the phase's name.
        step: String,
        /// Why.
        source: sandbox::SandboxError,
    },
    /// The exercise's judge broke its contract or could not run.
    #[error(transparent)]
    Judge(#[from] exercise::JudgeError),
    /// A working directory or child process could not be created.
    #[error("{what}: {source}")]
    Io {
        /// What the tool was doing.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

/// How to run a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The workload seed.
    pub seed: u64,
    /// Flipping this kills the running check and returns [`Checked::Cancelled`].
    pub cancel: Cancel,
    /// Compile and run inside the sandbox (grading); `None` (the default,
    /// `threadlings check`) runs them as plain supervised children.
    pub isolation: Option<Isolation>,
    /// Programs compiled earlier, reused when neither the file's content
    /// nor the tool changed (the tutor's re-runs); never with isolation.
    pub programs: Option<programs::ProgramCache>,
    /// Told how far the check has come while it runs.
    pub progress: Option<ProgressSink>,
}

/// How far a running check has come, as data: the tutor and the CLI show
/// each step the moment it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// `rustc` finished (or its program was reused): the `compile` check's
    /// result. A failed compile is also the whole verdict.
    Compiled(Box<CheckResult>),
    /// One phase's process ended, and the checks it completed were
    /// judged: those whose declared phases have all ended now (after the
    /// last phase, every check not told before).
    PhaseEnded {
        /// The phase's name.
        phase: String,
        /// How it ended.
        ending: Ending,
        /// The results judged now, in report order; the report has the
        /// same ones.
        checks: Vec<CheckResult>,
    },
}

/// Receives a check's [`Progress`] (from the threads that run it).
#[derive(Clone)]
pub struct ProgressSink(std::sync::Arc<dyn Fn(Progress) + Send + Sync>);

impl ProgressSink {
    /// A sink calling `tell` with each step.
    pub fn new(tell: impl Fn(Progress) + Send + Sync + 'static) -> ProgressSink {
        ProgressSink(std::sync::Arc::new(tell))
    }

    fn tell(&self, progress: Progress) {
        (self.0)(progress);
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

impl CheckOptions {
    /// Options with a fresh random seed.
    pub fn new() -> CheckOptions {
        CheckOptions {
            seed: random_seed(),
            cancel: Cancel::new(),
            isolation: None,
            programs: None,
            progress: None,
        }
    }
}

/// How to isolate an untrusted submission: each build gets its own
/// directory holding only a copy of the submission, and both `rustc` and
/// the compiled program run in the sandbox with that directory as the only
/// writable place.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The probed sandbox to apply.
    pub sandbox: Sandbox,
    /// Limits of the compile step.
    pub compile_limits: sandbox::Limits,
    /// Limits of each run phase.
    pub run_limits: sandbox::Limits,
}

impl Isolation {
    /// What this machine supports, with the sandbox's default limits.
    pub fn probe() -> Isolation {
        Isolation {
            sandbox: Sandbox::probe().clone(),
            compile_limits: sandbox::Limits::for_compile(),
            run_limits: sandbox::Limits::for_run(),
        }
    }

    /// The protections active for a run step (compile steps get the same,
    /// except perhaps the mount namespace).
    pub fn protections(&self) -> Protections {
        self.sandbox.protections()
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions::new()
    }
}

/// A seed that fits in JSON numbers exactly and is short to type.
pub fn random_seed() -> u64 {
    fastrand::u64(..1 << 48)
}

/// What a check run came to.
#[derive(Debug, Clone)]
pub enum Checked {
    /// It ran to a verdict.
    Done(Report),
    /// It was cancelled before a verdict.
    Cancelled,
}

/// How long a compile may take before it is killed.
const COMPILE_LIMIT: Duration = Duration::from_secs(120);
/// Bytes kept of a child's stdout and of its stderr each.
const OUTPUT_CAP: usize = 1 << 20;

/// Checks `file` as a solution of `exercise`: [`build`], then [`Program::run`].
pub fn check(
    exercise: &'static Exercise,
    file: &Path,
    options: &CheckOptions,
) -> Result<Checked, EngineError> {
    let built = match &options.isolation {
        Some(isolation) => build_isolated(exercise, file, isolation, &options.cancel)?,
        None => build_with(
            exercise,
            file,
            None,
            &options.cancel,
            options.programs.as_ref(),
        )?,
    };
    let tell = |progress| {
        if let Some(sink) = &options.progress {
            sink.tell(progress);
        }
    };
    match built {
        Built::Program(program) => {
            tell(Progress::Compiled(Box::new(compiled_ok())));
            program.run(options)
        }
        Built::Failed(mut report) => {
            if let Some(compile) = report.checks.first() {
                tell(Progress::Compiled(Box::new(compile.clone())));
            }
            report.seed = options.seed;
            Ok(Checked::Done(*report))
        }
        Built::Cancelled => Ok(Checked::Cancelled),
    }
}

/// A learner's file compiled together with the harness, ready to run.
#[derive(Debug)]
pub struct Program {
    exercise: &'static Exercise,
    binary: PathBuf,
    display: String,
    timings: Timings,
    isolation: Option<Box<Isolation>>,
    protections: Option<Protections>,
    /// Whether it is a program kept from an earlier compile.
    reused: bool,
    // Holds the binary; removed when the program is dropped (and no
    // program cache keeps it).
    _work: std::sync::Arc<tempfile::TempDir>,
}

/// What building a learner's file came to.
#[derive(Debug)]
pub enum Built {
    /// It compiled.
    Program(Program),
    /// It did not compile: the report says why (seed 0 until run).
    Failed(Box<Report>),
    /// The build was cancelled.
    Cancelled,
}

/// Compiles `file` as a solution of `exercise`.
pub fn build(
    exercise: &'static Exercise,
    file: &Path,
    cancel: &Cancel,
) -> Result<Built, EngineError> {
    build_with(exercise, file, None, cancel, None)
}

/// Compiles `file` as a solution of `exercise` in isolation: a copy of the
/// file in a fresh directory, `rustc` in the sandbox; the program built
/// runs in the sandbox too. Reports carry the protections that were active.
pub fn build_isolated(
    exercise: &'static Exercise,
    file: &Path,
    isolation: &Isolation,
    cancel: &Cancel,
) -> Result<Built, EngineError> {
    build_with(exercise, file, Some(isolation), cancel, None)
}

fn build_with(
    exercise: &'static Exercise,
    file: &Path,
    isolation: Option<&Isolation>,
    cancel: &Cancel,
    programs: Option<&programs::ProgramCache>,
) -> Result<Built, EngineError> {
    let file = std::fs::canonicalize(file).map_err(|source| EngineError::MissingFile {
        path: file.to_path_buf(),
        source,
    })?;
    std::fs::File::open(&file).map_err(|source| EngineError::MissingFile {
        path: file.clone(),
        source,
    })?;
    let started = Instant::now();
    // The compiler this process found, else the one the last check here
    // used if its libraries are ready: asking rustc costs as much as
    // compiling a type error, so that question runs beside the compile.
    let guess = match Compiler::known() {
        Some(_) => None,
        None => match Compiler::remembered() {
            // Nothing that picks the toolchain changed: no need to ask.
            Some((compiler, true)) => {
                Compiler::settle(compiler);
                None
            }
            Some((compiler, false)) => {
                toolchain::ready(&compiler, exercise.drivers).map(|ready| (compiler, ready))
            }
            None => None,
        },
    };
    let build = |compiler, prebuilt, pack| Build {
        exercise,
        file: &file,
        isolation,
        programs,
        libraries: Libraries {
            prebuilt,
            pack,
            compiler,
            incremental: None,
        },
        prepared: started.elapsed(),
    };
    let Some((compiler, (prebuilt, pack))) = guess else {
        // A check asked for while the cache is being built (the tutor's
        // background build, `threadlings prepare`) waits for that build.
        let compiler = Compiler::current();
        let libraries = toolchain::prebuilt_for(compiler, cancel).and_then(|(prebuilt, _)| {
            toolchain::pack_library_or_build(&prebuilt, exercise.drivers, cancel)
                .map(|(pack, _)| (prebuilt, pack))
        });
        let (prebuilt, pack) = match libraries {
            Ok(found) => found,
            Err(toolchain::ToolchainError::Cancelled) => return Ok(Built::Cancelled),
            Err(err) => return Err(err.into()),
        };
        return build(compiler, &prebuilt, &pack).run(cancel);
    };
    let build = build(&compiler, &prebuilt, &pack);
    // The probe's thread is joined before the scope ends.
    let (built, version) = std::thread::scope(|scope| {
        let probe = scope.spawn(|| Compiler::version(cancel));
        let built = build.run(cancel);
        (built, probe.join().unwrap_or_default())
    });
    if version.is_empty() || version == compiler.version {
        Compiler::settle(compiler);
        return built;
    }
    // The toolchain changed since the last check here: what was built
    // with the old one is not this check's verdict.
    drop(built);
    let actual = Compiler::probe(cancel);
    actual.remember();
    Compiler::settle(actual);
    build_with(exercise, &file, isolation, cancel, programs)
}

/// One build of a learner's file, its libraries found.
struct Build<'a> {
    exercise: &'static Exercise,
    /// The learner's file, canonical.
    file: &'a Path,
    isolation: Option<&'a Isolation>,
    programs: Option<&'a programs::ProgramCache>,
    libraries: Libraries<'a>,
    /// How long finding the libraries took.
    prepared: Duration,
}

impl Build<'_> {
    fn run(self, cancel: &Cancel) -> Result<Built, EngineError> {
        let Build {
            exercise,
            file,
            isolation,
            ..
        } = self;
        let mut timings = Timings {
            prepare_ms: self.prepared.as_millis() as u64,
            ..Timings::default()
        };
        let display = file.display().to_string();

        // The same content, compiled by the same tool: run what was built.
        let programs = self.programs.filter(|_| isolation.is_none());
        let key = programs.and_then(|_| self.key());
        if let (Some(programs), Some(key)) = (programs, key)
            && let Some(found) = programs.get(key)
        {
            return Ok(Built::Program(Program {
                exercise,
                binary: found.binary,
                display,
                timings,
                isolation: None,
                protections: None,
                reused: true,
                _work: found.work,
            }));
        }
        let incremental = match isolation {
            None => programs::incremental_dir(&self.libraries.prebuilt.root, exercise.id, file),
            // Each submission is new to a grader, and its sandbox writes
            // nowhere but the submission's directory.
            Some(_) => None,
        };

        let work = match programs {
            Some(programs) => programs.work_dir(),
            None => tempfile::Builder::new().prefix("threadlings-").tempdir(),
        };
        let work = std::sync::Arc::new(work.map_err(|source| EngineError::Io {
            what: "cannot create a working directory".into(),
            source,
        })?);
        let mut protections = None;
        let source = match isolation {
            None => file.to_path_buf(),
            Some(_) => {
                // Only a copy of the submission is reachable from the sandbox.
                let name = file.file_name().map_or_else(
                    || std::ffi::OsString::from("solution.rs"),
                    |n| n.to_os_string(),
                );
                // In a folder of its own, so rustc can name it by its real path
                // (`--remap-path-prefix`): messages match `threadlings check`'s.
                let dir = work.path().join("src");
                std::fs::create_dir(&dir).map_err(|source| EngineError::Io {
                    what: "cannot create a working directory".into(),
                    source,
                })?;
                let copy = dir.join(name);
                copy_readable(file, &copy)?;
                copy
            }
        };
        let started = Instant::now();
        let compiled = compile::compile(
            exercise,
            &source,
            Libraries {
                incremental: incremental.as_deref(),
                ..self.libraries.clone()
            },
            work.path(),
            isolation.map(|i| (i, &mut protections)),
            file.parent(),
            cancel,
        )?;
        timings.compile_ms = started.elapsed().as_millis() as u64;
        Ok(match compiled {
            Compiled::Binary {
                binary,
                dep_info,
                glue,
            } => {
                // Kept only if the file still holds what was hashed: an edit
                // during the compile may or may not be in this binary.
                if let (Some(programs), Some(key)) = (programs, key)
                    && self.key() == Some(key)
                    && let Ok(text) = std::fs::read_to_string(&dep_info)
                {
                    let inputs = programs::Inputs::from_dep_info(&text, work.path(), &glue);
                    programs.put(key, &binary, &inputs);
                }
                Built::Program(Program {
                    exercise,
                    binary,
                    display,
                    timings,
                    isolation: isolation.cloned().map(Box::new),
                    protections,
                    reused: false,
                    _work: work,
                })
            }
            Compiled::Cancelled => Built::Cancelled,
            Compiled::Failed(_) | Compiled::Refused(_) => {
                let compile = match compiled {
                    Compiled::Refused(why) => CheckResult::fail(CheckId::COMPILE, why),
                    Compiled::Failed(diagnostics) => CheckResult::fail(
                        CheckId::COMPILE,
                        "the file does not compile against the exercise's API (rustc's messages below)",
                    )
                    .with_detail(diagnostics),
                    _ => unreachable!("matched above"),
                };
                let mut checks = vec![compile];
                checks.extend(exercise.check_ids().skip(1).map(|id| {
                    CheckResult::not_checked(id, "not checked: the file does not compile")
                }));
                let mut report = Report::new(exercise.id, &display, 0, checks);
                report.timings = timings;
                report.protections = protections;
                Built::Failed(Box::new(report))
            }
        })
    }

    /// The key of the file's current content built this way: everything
    /// the build uses besides the files rustc lists as read (kept with the
    /// program and checked on reuse).
    fn key(&self) -> Option<programs::ProgramKey> {
        let content = std::fs::read(self.file).ok()?;
        let Libraries { prebuilt, pack, .. } = &self.libraries;
        let build = format!(
            "{}\n{}\n{:?} {}\n{:?}\n{}",
            prebuilt.root.display(),
            pack.display(),
            compile::FLAGS,
            compile::EMIT,
            self.exercise.forbid,
            self.exercise.glue_program(self.file)
        );
        Some(programs::ProgramKey::new(
            self.exercise.id,
            self.file,
            &content,
            &build,
        ))
    }
}

fn compiled_ok() -> CheckResult {
    CheckResult::pass(CheckId::COMPILE, "the file compiles against the API")
}
