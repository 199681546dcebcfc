//! Command-line parsing and the `check`, `grade` and `list` verbs.

mod grade;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threadlings::engine::{self, CheckOptions, Checked};
use threadlings::exercise;

/// A terminal tutor for concurrency in Rust: one thread owns the state,
/// every other thread talks to it over channels.
#[derive(Debug, Parser)]
#[command(name = "threadlings", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Verb>,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Compile an exercise file and check it on real threads under load.
    Check(CheckArgs),
    /// Grade a directory of submissions, each isolated in a sandbox.
    Grade(grade::GradeArgs),
    /// List the exercises.
    List,
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
    #[arg(required_unless_present = "list")]
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
    #[arg(long)]
    list: bool,
}

/// Parses the command line and runs it. Exit status: 0 all checks passed,
/// 1 a check failed, 2 a usage error or a failure of the tool itself.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Verb::Check(args)) if args.list => list(),
        Some(Verb::Check(args)) => check(args),
        Some(Verb::Grade(args)) => grade::run(args),
        Some(Verb::List) => list(),
        None => {
            eprintln!(
                "threadlings: the interactive tutor is not built yet; try `threadlings check counter`"
            );
            Ok(ExitCode::from(2))
        }
    };
    result.unwrap_or_else(|err| {
        eprintln!("threadlings: {err:#}");
        ExitCode::from(2)
    })
}

fn list() -> anyhow::Result<ExitCode> {
    for ex in exercise::all() {
        println!("{:<20} {}", ex.id, ex.file);
    }
    Ok(ExitCode::SUCCESS)
}

/// The project directory: the nearest ancestor of the current directory
/// that holds `exercises/`, or the current directory itself.
fn project_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|dir| dir.join("exercises").is_dir())
        .map_or(cwd.clone(), Path::to_path_buf)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let id = args.exercise.unwrap_or_default();
    let Some(exercise) = exercise::find(&id) else {
        bail!(
            "there is no exercise called {id:?}; the exercises are: {}",
            exercise::ids().join(", ")
        );
    };
    let file = args
        .file
        .unwrap_or_else(|| project_root().join(exercise.file));
    if !file.is_file() {
        bail!(
            "cannot find the file to check, {}: run this inside the threadlings project, or pass --file PATH",
            file.display()
        );
    }
    let mut options = CheckOptions::new();
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if matches!(args.format, Format::Text) && std::io::stderr().is_terminal() {
        eprintln!(
            "checking {} (compiling, then running on real threads)...",
            file.display()
        );
    }
    let checked = engine::check(exercise, &file, &options)
        .with_context(|| format!("could not check {}", file.display()))?;
    let Checked::Done(report) = checked else {
        bail!("the check was cancelled");
    };
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            print!("{}", report.to_text(color));
        }
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
