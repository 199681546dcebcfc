//! Command-line parsing and the `check`, `grade` and `list` verbs.

mod grade;
mod pack;
mod render;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlings::engine::{self, CheckOptions, Checked};
#[cfg(feature = "tui")]
use threadlings::tui;
use threadlings::{course, exercise};

/// A terminal tutor for concurrency in Rust: one thread owns the state,
/// every other thread talks to it over channels.
#[derive(Debug, Parser)]
#[command(name = "threadlings", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Verb>,
    /// Do not watch exercise files: check only when `r` is pressed.
    #[arg(long)]
    manual_run: bool,
    /// Open this lesson or exercise at once (an id such as `counter`).
    #[arg(long, value_name = "ID")]
    open: Option<String>,
    /// Draw the first frame, print how long it took and exit (measuring).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    /// Panic after the first frame (tests the terminal is restored).
    #[arg(long, hide = true)]
    panic_after_first_frame: bool,
    /// Also use the exercise pack in DIR (repeatable; packs listed in the
    /// project's threadlings.toml are used too).
    #[arg(long, global = true, value_name = "DIR")]
    pack: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Compile an exercise file and check it on real threads under load.
    Check(CheckArgs),
    /// Grade a directory of submissions, each isolated in a sandbox.
    Grade(Box<grade::GradeArgs>),
    /// Build the check harness and the exercise drivers into the cache
    /// now, so the first check does not wait for them (run once in a
    /// container image or after a fresh clone; instant when done already);
    /// inside a project, also compile its exercise files as their checks
    /// would.
    Prepare {
        /// Build only what checks link against, not the project's exercise
        /// files (grading: submissions are compiled sandboxed, from
        /// scratch).
        #[arg(long)]
        harness_only: bool,
    },
    /// List the exercises.
    List,
    /// Make or validate an exercise pack (see docs/packs.md).
    Pack {
        /// `new` or `check`.
        #[command(subcommand)]
        verb: pack::PackVerb,
    },
    /// Print a shell completion script (e.g. `threadlings completions bash
    /// > ~/.local/share/bash-completion/completions/threadlings`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Test hook: save progress in a loop forever (for kill tests).
    #[cfg(feature = "tui")]
    #[command(name = "__progress-save-loop", hide = true)]
    ProgressSaveLoop {
        /// Directory to save in.
        dir: PathBuf,
    },
}

/// How `check` prints its verdict.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// One line per check, for people.
    Text,
    /// Exactly one JSON object on stdout, for scripts.
    Json,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The exercise to check (see `threadlings list`).
    #[arg(required = true)]
    exercise: Option<String>,
    /// The file to check [default: the exercise's file under exercises/].
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Workload seed, to replay the same calls (thread timing still varies).
    #[arg(long)]
    seed: Option<u64>,
    /// List the exercises instead of checking one.
    // Exclusive: alone it needs no EXERCISE, so the help can show EXERCISE
    // as required (it is, for every other use).
    #[arg(long, exclusive = true)]
    list: bool,
}

/// Parses the command line and runs it. Exit status: 0 all checks passed,
/// 1 a check failed, 2 a usage error or a failure of the tool itself.
pub fn main() -> ExitCode {
    let process_start = std::time::Instant::now();
    let mut cli = Cli::parse();
    if uses_exercises(cli.command.as_ref())
        && let Err(err) = install_packs(&cli.pack)
    {
        eprintln!("threadlings: {err:#}");
        return ExitCode::from(2);
    }
    let result = match cli.command.take() {
        Some(Verb::Check(args)) if args.list => list(),
        Some(Verb::Check(args)) => check(args),
        Some(Verb::Grade(args)) => grade::run(*args),
        Some(Verb::Prepare { harness_only }) => prepare(harness_only),
        Some(Verb::List) => list(),
        Some(Verb::Pack { verb }) => pack::run(verb),
        Some(Verb::Completions { shell }) => {
            completions(shell);
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "tui")]
        Some(Verb::ProgressSaveLoop { dir }) => save_loop(&dir),
        None => tutor(cli, process_start),
    };
    result.unwrap_or_else(|err| {
        eprintln!("threadlings: {err:#}");
        ExitCode::from(2)
    })
}

/// Whether `verb` looks exercises up, and so needs the packs loaded
/// (`pack new` and `pack check` make and load packs themselves).
fn uses_exercises(verb: Option<&Verb>) -> bool {
    match verb {
        Some(Verb::Completions { .. } | Verb::Pack { .. }) => false,
        #[cfg(feature = "tui")]
        Some(Verb::ProgressSaveLoop { .. }) => false,
        _ => true,
    }
}

/// Loads the packs given with `--pack` and those the project's
/// threadlings.toml lists, beside the built-in exercises.
fn install_packs(given: &[PathBuf]) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = course::project_root(&cwd).unwrap_or(cwd);
    let mut dirs = given.to_vec();
    dirs.extend(threadlings::pack::configured(&root)?);
    if dirs.is_empty() {
        return Ok(());
    }
    let packs = threadlings::pack::load_all(&dirs)?;
    exercise::install(packs).map_err(anyhow::Error::msg)
}

/// Opens the full-screen tutor in the project directory.
#[cfg(feature = "tui")]
fn tutor(cli: Cli, process_start: std::time::Instant) -> anyhow::Result<ExitCode> {
    let Cli {
        manual_run,
        open,
        exit_after_first_frame,
        panic_after_first_frame,
        ..
    } = cli;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let Some(root) = course::project_root(&cwd) else {
        bail!(
            "{} is not inside a threadlings project (no ancestor holds both exercises/ and lessons/); cd into the project and run `threadlings` again",
            cwd.display()
        );
    };
    if !std::io::stdout().is_terminal() {
        bail!("the tutor needs a terminal; for scripts use `threadlings check EXERCISE`");
    }
    let app = tui::load_app(&root, manual_run);
    if let Some(id) = &open
        && app.step_index(id).is_none()
    {
        bail!("there is no lesson or exercise called {id:?}");
    }
    let options = tui::runtime::RunOptions {
        manual_run,
        open,
        exit_after_first_frame,
        panic_after_first_frame,
        process_start: Some(process_start),
    };
    let first_frame = tui::runtime::run(&root, app, &options)?;
    if exit_after_first_frame {
        eprintln!("first frame after {} ms", first_frame.as_millis());
    }
    Ok(ExitCode::SUCCESS)
}

/// Without the tutor compiled in, says so: the other verbs still work.
#[cfg(not(feature = "tui"))]
fn tutor(_cli: Cli, _process_start: std::time::Instant) -> anyhow::Result<ExitCode> {
    bail!(
        "this threadlings was built without the tutor (the cargo feature `tui` was off): \
         `threadlings check EXERCISE`, `list` and `grade` work; for the tutor, install it \
         with its default features"
    );
}

/// Saves ever-growing progress forever, so a test can kill it mid-save.
#[cfg(feature = "tui")]
fn save_loop(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let path = tui::progress::Progress::path(dir);
    let mut progress = tui::progress::Progress::default();
    for i in 0u64.. {
        progress.done.insert(format!("step-{i}"));
        progress
            .hints
            .insert(format!("exercise-{}", i % 7), (i % 4) as u32);
        progress.save(&path)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the completion script for `shell` to stdout.
fn completions(shell: clap_complete::Shell) {
    use clap::CommandFactory;
    let full = Cli::command();
    // Some generators list hidden verbs too (the test hooks): complete only
    // what `--help` shows.
    let mut visible = clap::Command::new("threadlings")
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().filter(|a| !a.is_hide_set()).cloned())
        .subcommands(full.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut visible, "threadlings", &mut script);
    out(&String::from_utf8_lossy(&script));
}

/// Exit status 0 when everything is ready; a build that fails is the
/// tool's failure (2), with the compiler's messages. Inside a project, the
/// learner's exercise files are then compiled as their checks would: a
/// file that does not compile yet is not a failure.
fn prepare(harness_only: bool) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let tell = std::io::stderr().is_terminal();
    let prepared = engine::toolchain::prepare(exercise::all(), &Default::default(), |what| {
        if tell {
            eprintln!("preparing {what}...");
        }
    })
    .context("could not prepare the checker")?;
    for step in &prepared {
        let secs = step.took.as_secs_f64();
        out(&if step.built {
            format!("built {} in {secs:.1} s\n", step.what)
        } else {
            format!("{}: already built ({secs:.2} s)\n", step.what)
        });
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let project = course::project_root(&cwd).filter(|_| !harness_only);
    if let Some(root) = project {
        let programs = engine::programs::ProgramCache::new();
        for exercise in exercise::all() {
            let file = root.join(exercise.file);
            if !file.is_file() {
                continue;
            }
            if tell {
                eprintln!("compiling {}...", exercise.file);
            }
            let step = std::time::Instant::now();
            let ahead = engine::compile_ahead(exercise, &file, &programs, &Default::default())
                .with_context(|| format!("could not compile {}", file.display()))?;
            let secs = step.elapsed().as_secs_f64();
            out(&match ahead {
                engine::Ahead::Compiled => format!(
                    "compiled {} in {secs:.1} s: its first check starts from rustc's kept state\n",
                    exercise.file
                ),
                engine::Ahead::AlreadyCompiled => {
                    format!("{}: compiled already ({secs:.2} s)\n", exercise.file)
                }
                engine::Ahead::DoesNotCompile => format!(
                    "{} does not compile yet ({secs:.1} s): its first check compiles it\n",
                    exercise.file
                ),
                engine::Ahead::Cancelled => bail!("preparing was cancelled"),
            });
        }
    }
    out(&format!(
        "ready in {:.1} s: checks start without building\n",
        started.elapsed().as_secs_f64()
    ));
    Ok(ExitCode::SUCCESS)
}

fn list() -> anyhow::Result<ExitCode> {
    for ex in exercise::all() {
        out(&format!("{:<20} {}\n", ex.id, ex.file));
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let id = args.exercise.unwrap_or_default();
    let Some(exercise) = exercise::find(&id) else {
        bail!(
            "there is no exercise called {id:?}; the exercises are: {}",
            exercise::ids().join(", ")
        );
    };
    let given = args.file.is_some();
    let file = args.file.unwrap_or_else(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        course::project_root(&cwd)
            .unwrap_or(cwd)
            .join(exercise.file)
    });
    if file.is_dir() {
        bail!(
            "{} is a directory; --file takes the exercise's .rs file",
            file.display()
        );
    }
    if !file.is_file() {
        if given {
            bail!("there is no file {}", file.display());
        }
        bail!(
            "cannot find {}: run this inside the threadlings project (the directory holding exercises/ and lessons/), or pass --file PATH",
            file.display()
        );
    }
    // Checking unchanged content again runs the program compiled then.
    let mut options = CheckOptions {
        programs: Some(engine::programs::ProgramCache::new()),
        ..CheckOptions::new()
    };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if matches!(args.format, Format::Text) && std::io::stderr().is_terminal() {
        eprintln!(
            "checking {} (compiling, then running on real threads)...",
            file.display()
        );
        // Each step as it happens; the verdict follows on stdout.
        let phases = exercise.phases.len();
        let ended = std::sync::atomic::AtomicUsize::new(0);
        options.progress = Some(engine::ProgressSink::new(move |progress| match progress {
            engine::Progress::Compiled(c) if c.passed => {
                eprintln!("compiled; running {phases} phases on real threads...");
            }
            engine::Progress::Compiled(_) => eprintln!("does not compile"),
            engine::Progress::PhaseEnded { phase, checks, .. } => {
                let n = ended.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                eprintln!("  phase {phase} ran ({n} of {phases})");
                // Each check the moment the phases it reads are judged.
                for check in checks {
                    let mark = match check.status {
                        engine::report::Status::Passed => "pass",
                        engine::report::Status::Failed => "FAIL",
                        engine::report::Status::NotChecked => "----",
                    };
                    eprintln!("    {mark} {}", check.id);
                }
            }
        }));
    }
    let checked = engine::check(exercise, &file, &options)
        .with_context(|| format!("could not check {}", file.display()))?;
    let Checked::Done(report) = checked else {
        bail!("the check was cancelled");
    };
    match args.format {
        Format::Json => out(&format!("{}\n", report.to_json())),
        Format::Text => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            out(&render::report(&report, color));
        }
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes to stdout. A reader that went away (`threadlings list | head`)
/// is not an error worth a panic: the rest is simply not written, and the
/// exit status still tells the verdict.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
