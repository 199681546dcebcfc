//! `threadlings grade`: a classroom's submissions, graded in one batch, and
//! `threadlings grade merge`: shares of a class graded apart, joined.

mod output;

use anyhow::{Context, bail};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use output::Outputs;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlings::engine::Isolation;
use threadlings::exercise;
use threadlings::grade::format::Part;
use threadlings::grade::{self, Event, Format, GradeOptions, Graded, Weights};

/// How `grade` writes the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GradeFormat {
    /// One JSON object: per student verdict, score, checks, durations, protections.
    Json,
    /// JUnit XML (one testsuite per student), for GitLab and Jenkins.
    Junit,
    /// Gradescope's results.json, for a single submission.
    Gradescope,
    /// A spreadsheet: student,verdict,score,<check ids...>,error.
    Csv,
    /// A readable table.
    Text,
}

impl GradeFormat {
    fn format(self) -> Format {
        match self {
            GradeFormat::Json => Format::Json,
            GradeFormat::Junit => Format::Junit,
            GradeFormat::Gradescope => Format::Gradescope,
            GradeFormat::Csv => Format::Csv,
            GradeFormat::Text => Format::Text,
        }
    }
}

/// Where and how reports are written (shared by `grade` and `grade merge`).
#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Output formats, comma-separated (`json,junit,csv`); several need
    /// --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "text")]
    format: Vec<GradeFormat>,
    /// Write the report to FILE instead of stdout (checked before grading,
    /// written atomically).
    #[arg(long, value_name = "FILE", conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Write each format to DIR/report.json, report.xml (junit), report.csv,
    /// report.txt or results.json (gradescope); DIR is created if missing.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

/// `grade DIR --exercise ID ...`, or `grade merge PART.json...`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct GradeArgs {
    /// `merge`: join the JSON reports of `grade --partition`.
    #[command(subcommand)]
    command: Option<GradeCommand>,
    /// The submissions: <student>.rs files or <student>/ folders.
    #[arg(required = true)]
    dir: Option<PathBuf>,
    /// The exercise every submission solves (see `threadlings list`).
    #[arg(long, required = true)]
    exercise: Option<String>,
    /// Submissions checked at once [default: the number of cores]; capped,
    /// with a message, by descriptors and memory.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// The workload seed of every check (replayable with `check --seed`)
    /// [default: a fresh seed per submission, printed in the reports].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Grade only share K of N of the sorted entries (entries K-1, K-1+N,
    /// K-1+2N, ...); join the shares' JSON reports with `grade merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    partition: Option<(usize, usize)>,
    /// A TOML file with per-check weights: `[weights] linearizable = 20`.
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, clap::Subcommand)]
enum GradeCommand {
    /// Join the JSON reports of `grade --partition k/n` (every share
    /// 1/n..n/n once) into one report in any format.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
struct MergeArgs {
    /// The shares' JSON reports.
    #[arg(required = true, value_name = "PART.json")]
    parts: Vec<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
}

fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("{s:?} is not K/N with 1 <= K <= N (e.g. 2/5)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Exit status: 0 when every entry was graded, whatever the scores; 1 when
/// the reports are written but some entry is not graded (refused or a
/// tool error); 2 on usage errors or when no report could be written.
pub fn run(args: GradeArgs) -> anyhow::Result<ExitCode> {
    if let Some(GradeCommand::Merge(merge)) = args.command {
        return run_merge(merge);
    }
    let (Some(dir), Some(exercise_id)) = (args.dir, args.exercise) else {
        bail!("grade needs DIR and --exercise (or `grade merge PART.json...`)");
    };
    let Some(exercise) = exercise::find(&exercise_id) else {
        bail!(
            "there is no exercise called {exercise_id:?}; the exercises are: {}",
            exercise::ids().join(", ")
        );
    };
    let weights = match &args.weights {
        Some(path) => Weights::load(exercise, path)?,
        None => Weights::default_for(exercise),
    };
    let all = grade::discover(&dir, exercise)?;
    let entries = all.len();
    let (submissions, part) = match args.partition {
        Some((k, n)) => (grade::partition(all, k, n), Some(Part { k, n, entries })),
        None => (all, None),
    };
    let formats: Vec<Format> = args.out.format.iter().map(|f| f.format()).collect();
    if formats.contains(&Format::Gradescope) && submissions.len() != 1 {
        bail!(
            "the gradescope format describes one submission, but {} holds {} entries; \
             Gradescope grades one submission per container (see docs/grading.md)",
            dir.display(),
            submissions.len()
        );
    }
    if args.jobs == Some(0) {
        bail!("--jobs must be at least 1");
    }
    // Before any grading: a report that cannot be written is found now.
    let outputs = Outputs::prepare(&formats, args.out.output, args.out.output_dir)?;
    let requested = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let plan = grade::budget::plan(requested);
    if let Some(why) = &plan.capped {
        eprintln!("{why}");
    }
    let options = GradeOptions {
        jobs: plan.jobs,
        isolation: Some(Isolation::probe()),
        weights: weights.clone(),
        seed: args.seed,
    };
    // Fails early (not once per student) if the harness cannot be built.
    threadlings::engine::toolchain::prebuilt()?;
    if let Some(p) = part {
        eprintln!(
            "share {}/{}: {} of the {} entries of {}",
            p.k,
            p.n,
            submissions.len(),
            p.entries,
            dir.display()
        );
    }

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(submissions.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
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
    eprint!("{}", grade::format::summary(exercise, &graded));
    finish(exercise, &graded, &weights, part, outputs)
}

fn run_merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let formats: Vec<Format> = args.out.format.iter().map(|f| f.format()).collect();
    let mut parts = Vec::new();
    for path in &args.parts {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the report {}", path.display()))?;
        parts.push((path.display().to_string(), text));
    }
    let merged = grade::merge::merge(&parts)?;
    if formats.contains(&Format::Gradescope) && merged.graded.len() != 1 {
        bail!(
            "the gradescope format describes one submission, but the shares hold {}",
            merged.graded.len()
        );
    }
    let outputs = Outputs::prepare(&formats, args.out.output, args.out.output_dir)?;
    eprint!(
        "{}",
        grade::format::summary(merged.exercise, &merged.graded)
    );
    finish(
        merged.exercise,
        &merged.graded,
        &merged.weights,
        None,
        outputs,
    )
}

fn finish(
    exercise: &threadlings::engine::exercise::Exercise,
    graded: &[Graded],
    weights: &Weights,
    part: Option<Part>,
    outputs: Outputs,
) -> anyhow::Result<ExitCode> {
    let mut rendered = Vec::new();
    for &format in outputs.formats() {
        let text = grade::format::render_part(format, exercise, graded, weights, part)?;
        rendered.push((format, text));
    }
    outputs.write(rendered)?;
    let not_graded = graded.iter().filter(|g| g.outcome.is_err()).count();
    if not_graded > 0 {
        eprintln!(
            "{not_graded} of {} entries not graded (see the report); exit status 1",
            graded.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
