//! `threadlings pack new` and `threadlings pack check`: making and
//! validating exercise packs (see docs/packs.md).

use super::{Format, out};
use anyhow::Context;
use clap::Subcommand;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlings::pack::check::{Finding, PackCheck, PackCheckOptions, check_pack};
use threadlings::pack::scaffold;

/// What to do with a pack.
#[derive(Debug, Subcommand)]
pub enum PackVerb {
    /// Make a pack with one small working exercise to start from.
    New {
        /// The new exercise's id, kebab-case (`rate-limiter`).
        id: String,
        /// The pack's directory, which must not exist or be empty
        /// [default: ID-pack].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Validate a pack: the starters compile and fail, the reference
    /// solutions pass 10 of 10, every corpus file gets its expected verdict,
    /// hints and lesson links resolve.
    Check {
        /// The pack's directory (the one holding pack.toml).
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Runs a `pack` verb. Exit status: 0 the pack is sound (or was made),
/// 1 a check of the pack failed, 2 a usage error or a failure of the tool.
pub fn run(verb: PackVerb) -> anyhow::Result<ExitCode> {
    match verb {
        PackVerb::New { id, dir } => new(&id, dir),
        PackVerb::Check { dir, format } => check(dir, format),
    }
}

fn new(id: &str, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from(format!("{id}-pack")));
    let written = scaffold::create(&dir, id)?;
    out(&format!(
        "made the pack {} with the exercise `{id}` ({} files)\n\
         next: threadlings pack check {}\n",
        dir.display(),
        written.len(),
        dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn check(dir: PathBuf, format: Format) -> anyhow::Result<ExitCode> {
    if matches!(format, Format::Text) && std::io::stderr().is_terminal() {
        eprintln!(
            "checking the pack {} (compiling, then running every solution on real threads)...",
            dir.display()
        );
    }
    let checked = check_pack(&dir, &PackCheckOptions::default())
        .with_context(|| format!("could not check the pack {}", dir.display()))?;
    match format {
        Format::Json => out(&format!(
            "{}\n",
            serde_json::to_string(&checked).expect("findings always serialise")
        )),
        Format::Text => out(&text(&checked)),
    }
    Ok(if checked.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One line per finding, then the verdict.
fn text(checked: &PackCheck) -> String {
    let mut text = format!("pack {}\n", checked.pack);
    let whose = |f: &Finding| f.exercise.clone().unwrap_or_else(|| "(pack)".into());
    let wide = |width: fn(&Finding) -> usize| checked.findings.iter().map(width).max();
    let id_width = wide(|f| f.exercise.as_ref().map_or(6, String::len)).unwrap_or(0);
    let item_width = wide(|f| f.item.len()).unwrap_or(0);
    for f in &checked.findings {
        let mark = if f.passed { "pass" } else { "FAIL" };
        text += &format!(
            "  {mark}  {:<id_width$}  {:<item_width$}  ",
            whose(f),
            f.item
        );
        // A compiler's message runs over lines: keep them under the item.
        text += &f.message.replace('\n', "\n        ");
        text.push('\n');
    }
    let passed = checked.findings.iter().filter(|f| f.passed).count();
    text += &if checked.passed {
        "the pack is sound\n".to_string()
    } else {
        format!("{passed} of {} items passed\n", checked.findings.len())
    };
    text
}
