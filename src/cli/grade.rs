//! `threadlings grade`: a classroom's submissions, graded in one batch.

use anyhow::bail;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use threadlings::engine::Isolation;
use threadlings::exercise;
use threadlings::grade::{self, Event, Format, GradeOptions, Weights};

/// How `grade` writes the batch.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum GradeFormat {
    /// One JSON object: per student verdict, score, checks, durations, protections.
    Json,
    /// JUnit XML (one testsuite per student), for GitLab and Jenkins.
    Junit,
    /// Gradescope's results.json, for a single submission.
    Gradescope,
    /// A spreadsheet: student,score,<check ids...>.
    Csv,
    /// A readable table.
    Text,
}

#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    /// The submissions: <student>.rs files or <student>/ folders.
    dir: PathBuf,
    /// The exercise every submission solves (see `threadlings list`).
    #[arg(long)]
    exercise: String,
    /// Submissions checked at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GradeFormat::Text)]
    format: GradeFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A TOML file with per-check weights: `[weights] linearizable = 20`.
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
}

/// Exit status: 0 when the batch completed, whatever the scores; 2 on
/// usage or tool errors.
pub fn run(args: GradeArgs) -> anyhow::Result<ExitCode> {
    let Some(exercise) = exercise::find(&args.exercise) else {
        bail!(
            "there is no exercise called {:?}; the exercises are: {}",
            args.exercise,
            exercise::ids().join(", ")
        );
    };
    let weights = match &args.weights {
        Some(path) => Weights::load(exercise, path)?,
        None => Weights::default_for(exercise),
    };
    let format = match args.format {
        GradeFormat::Json => Format::Json,
        GradeFormat::Junit => Format::Junit,
        GradeFormat::Gradescope => Format::Gradescope,
        GradeFormat::Csv => Format::Csv,
        GradeFormat::Text => Format::Text,
    };
    let submissions = grade::discover(&args.dir, exercise)?;
    if format == Format::Gradescope && submissions.len() != 1 {
        bail!(
            "the gradescope format describes one submission, but {} holds {}; \
             Gradescope grades one submission per container (see docs/grading.md)",
            args.dir.display(),
            submissions.len()
        );
    }
    if args.jobs == Some(0) {
        bail!("--jobs must be at least 1");
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let options = GradeOptions {
        jobs,
        isolation: Some(Isolation::probe()),
        weights: weights.clone(),
        seed: None,
    };
    // Fails early (not once per student) if the harness cannot be built.
    threadlings::engine::toolchain::prebuilt()?;

    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(submissions.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let progress = |event: Event<'_>| {
        if let (Some(bar), Event::Finished(g)) = (&bar, event) {
            bar.inc(1);
            bar.set_message(format!("{}: {}", g.submission.student, g.verdict()));
        }
    };
    let graded = grade::grade(exercise, &submissions, &options, &progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let rendered = grade::format::render(format, exercise, &graded, &weights)?;
    eprint!("{}", grade::format::summary(exercise, &graded));
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(rendered.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
