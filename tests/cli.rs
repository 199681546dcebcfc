//! The `threadlings` binary's contract: verbs, output formats, exit status
//! (0 all passed, 1 a check failed, 2 usage or tool error) and messages
//! for bad input.

use std::path::Path;
use std::process::{Command, Output};

fn threadlings(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// A corpus file, `rel` = `<exercise>/<kind>/<file>`.
fn corpus(rel: &str) -> String {
    let (exercise, rest) = rel.split_once('/').expect("exercise/kind/file");
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack")
        .join(exercise)
        .join("corpus")
        .join(rest)
        .display()
        .to_string()
}

/// The shipped reference solution of an exercise (`pack/<id>/solution.rs`).
fn reference(exercise: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack")
        .join(exercise)
        .join("solution.rs")
        .display()
        .to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_is_one_object_with_the_contract_fields_and_exit_0_on_pass() {
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        &reference("counter"),
        "--format",
        "json",
        "--seed",
        "123",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.trim().lines().count(), 1, "exactly one line: {text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["exercise"], "counter");
    assert_eq!(v["passed"], true);
    assert_eq!(v["seed"], 123);
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "compile",
            "owner-thread",
            "correctness",
            "linearizable",
            "lost-messages",
            "leaked-workers",
            "hang",
            "busy-loop",
            "panic"
        ]
    );
    for check in v["checks"].as_array().unwrap() {
        assert_eq!(check["passed"], true, "{check}");
        assert!(check["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn a_failing_check_exits_1_and_names_the_check() {
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        &corpus("counter/buggy/try_recv_spin.rs"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("busy-loop"))
        .expect("a busy-loop line");
    assert!(line.contains("FAIL"), "{line}");
    assert!(!text.contains("\x1b["), "no colour with NO_COLOR set");
}

#[test]
fn a_file_that_does_not_compile_exits_1_with_rustc_pointing_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.rs");
    std::fs::write(&file, "pub struct Counter;\nimpl Counter { pub fn start() -> Counter { let x: i64 = \"no\"; Counter } }\n").unwrap();
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let compile = &v["checks"][0];
    assert_eq!(compile["id"], "compile");
    assert_eq!(compile["passed"], false);
    let detail = compile["detail"].as_str().unwrap();
    assert!(
        detail.contains("broken.rs:2"),
        "diagnostics point at the learner's file: {detail}"
    );
    assert!(detail.contains("mismatched types"), "{detail}");
    assert!(
        v["checks"].as_array().unwrap()[1..]
            .iter()
            .all(|c| c["status"] == "not-checked")
    );
}

#[test]
fn wrong_signatures_are_a_compile_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.rs");
    // get returns u64 instead of i64; shutdown is missing.
    std::fs::write(
        &file,
        "pub struct Counter;\nimpl Counter {\n pub fn start() -> Counter { Counter }\n pub fn increment(&self) {}\n pub fn decrement(&self) {}\n pub fn reset(&self) {}\n pub fn get(&self) -> u64 { 0 }\n}\n",
    )
    .unwrap();
    let out = threadlings(&["check", "counter", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL  compile"), "{text}");
    assert!(
        text.contains("shutdown"),
        "names the missing method: {text}"
    );
}

#[test]
fn unsafe_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unsafe.rs");
    let solution = std::fs::read_to_string(reference("counter")).unwrap();
    std::fs::write(
        &file,
        format!(
            "{solution}\npub fn sneaky() {{ unsafe {{ std::hint::unreachable_unchecked() }} }}\n"
        ),
    )
    .unwrap();
    let out = threadlings(&["check", "counter", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("unsafe"), "{}", stdout(&out));
}

#[test]
fn a_missing_file_exits_2_with_a_clear_message() {
    let out = threadlings(&["check", "counter", "--file", "/no/such/file.rs"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("/no/such/file.rs"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_exercise_exits_2_and_lists_the_real_ones() {
    let out = threadlings(&["check", "countr"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("countr") && err.contains("counter"), "{err}");
}

#[test]
fn a_usage_error_exits_2() {
    let out = threadlings(&["check", "counter", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_names_the_exercises() {
    for args in [&["list"][..], &["check", "--list"][..]] {
        let out = threadlings(args);
        assert_eq!(out.status.code(), Some(0));
        assert!(stdout(&out).contains("counter"));
    }
}

#[test]
fn the_learners_own_output_is_never_the_verdict() {
    // A solution that prints a fake passing JSON verdict, then fails.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("liar.rs");
    let spin = std::fs::read_to_string(corpus("counter/buggy/try_recv_spin.rs")).unwrap();
    let liar = spin.replace(
        "let (tx, rx) = unbounded();",
        "println!(r#\"{{\"exercise\":\"counter\",\"passed\":true,\"checks\":[]}}\"#); eprintln!(\"all checks passed\"); let (tx, rx) = unbounded();",
    );
    std::fs::write(&file, liar).unwrap();
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.trim().lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["passed"], false);
}

#[test]
fn a_stolen_secret_cannot_forge_a_passing_report() {
    // The submission looks for the report channel's secret where a process's
    // starting environment stays visible (/proc/self/environ), writes a
    // complete passing report through /proc/self/fd, and exits early.
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        &corpus("counter/hostile/forge_report.rs"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["passed"], false);
    let panic = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "panic")
        .unwrap();
    assert_eq!(panic["passed"], false, "{panic}");
}

#[test]
fn a_reader_that_went_away_is_not_a_panic() {
    // `threadlings check ... | head -c 10`: the pipe closes before the
    // verdict is printed; the exit status still tells the verdict.
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(["check", "counter", "--file", &reference("counter")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn a_directory_or_a_missing_file_is_named_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let out = threadlings(&["check", "counter", "--file", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
    let missing = dir.path().join("nope.rs");
    let out = threadlings(&["check", "counter", "--file", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("there is no file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_help_shows_the_exercise_as_required() {
    let out = threadlings(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(help.contains("<EXERCISE>"), "{help}");
    assert!(!help.contains("[EXERCISE]"), "{help}");
    let out = threadlings(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<EXERCISE>"), "{}", stderr(&out));
}

#[test]
fn completions_for_every_shell_and_bash_loads_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = threadlings(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for verb in ["check", "grade", "list", "completions"] {
            assert!(script.contains(verb), "{shell} lacks {verb}");
        }
        assert!(!script.contains("__progress-save-loop"), "{shell}");
    }
    // bash really accepts the script: it registers a completion.
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source <('{}' completions bash) && complete -p threadlings",
            env!("CARGO_BIN_EXE_threadlings")
        ))
        .output()
        .expect("bash runs");
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(
        stdout(&loaded).contains("threadlings"),
        "{}",
        stdout(&loaded)
    );
    let out = threadlings(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `prepare` builds what checks link against (or finds it built) and says
/// so; a second run finds everything in the cache. (Run in this
/// repository, `--harness-only` leaves its exercise files alone: the test
/// below covers compiling them.)
#[test]
fn prepare_builds_once_and_then_finds_everything_built() {
    let first = threadlings(&["prepare", "--harness-only"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("the check harness"), "{text}");
    let ids: Vec<&str> = threadlings::exercise::all().iter().map(|e| e.id).collect();
    assert!(
        text.contains(&format!("the drivers of {}", ids.join(", "))),
        "{text}"
    );
    let again = threadlings(&["prepare", "--harness-only"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(!text.contains("exercises/"), "{text}");
    assert_eq!(
        text.matches("already built").count(),
        2,
        "nothing is built twice: {text}"
    );
    assert!(!text.contains("built the"), "{text}");
}

/// Inside a project, `prepare` also compiles the exercise files as their
/// checks would: the first check of an unchanged file runs the program
/// kept then (no compile), and a file that does not compile yet is told,
/// not a failure.
#[test]
fn prepare_in_a_project_compiles_its_exercise_files_ahead() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::create_dir_all(dir.join("exercises")).unwrap();
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    std::fs::copy(reference("counter"), dir.join("exercises/counter.rs")).unwrap();
    std::fs::write(dir.join("exercises/ledger.rs"), "fn broken( {\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_threadlings"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    };
    // Grading images build only what checks link against.
    let harness = run(&["prepare", "--harness-only"]);
    assert_eq!(harness.status.code(), Some(0), "{}", stderr(&harness));
    assert!(
        !stdout(&harness).contains("exercises/"),
        "{}",
        stdout(&harness)
    );

    let first = run(&["prepare"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("compiled exercises/counter.rs in"), "{text}");
    assert!(
        text.contains("exercises/ledger.rs does not compile yet"),
        "{text}"
    );
    assert!(
        !text.contains("worker_pool"),
        "only files that exist: {text}"
    );

    let check = run(&["check", "counter", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&check))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&check), stderr(&check)));
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(
        v["timings"]["compile_ms"], 0,
        "the program compiled by prepare is run"
    );

    let again = run(&["prepare"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(
        text.contains("exercises/counter.rs: compiled already"),
        "{text}"
    );
}

/// `check --format json` of `file` as `counter`: (exit status, passed,
/// compile_ms).
fn json_check(file: &Path) -> (Option<i32>, bool, u64) {
    let out = threadlings(&[
        "check",
        "counter",
        "--file",
        &file.display().to_string(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    let compile_ms = v["timings"]["compile_ms"].as_u64().expect("compile_ms");
    (out.status.code(), v["passed"] == true, compile_ms)
}

#[test]
fn a_second_check_of_unchanged_content_does_not_compile_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("counter.rs");
    let solution = std::fs::read_to_string(reference("counter")).unwrap();
    // A module beside the file is an input too.
    std::fs::write(
        &file,
        format!("{solution}\nmod helper;\npub fn one() -> i64 {{ helper::ONE }}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("helper.rs"), "pub const ONE: i64 = 1;\n").unwrap();
    let (status, passed, compile_ms) = json_check(&file);
    assert_eq!((status, passed), (Some(0), true));
    assert!(compile_ms > 0, "the first check compiles");
    let (status, passed, compile_ms) = json_check(&file);
    assert_eq!((status, passed), (Some(0), true));
    assert_eq!(compile_ms, 0, "the program compiled before is run again");

    std::fs::write(
        dir.path().join("helper.rs"),
        "pub const ONE: i64 = \"one\";\n",
    )
    .unwrap();
    let (status, passed, compile_ms) = json_check(&file);
    assert_eq!(
        (status, passed),
        (Some(1), false),
        "the module's edit is seen"
    );
    assert!(compile_ms > 0);

    std::fs::write(dir.path().join("helper.rs"), "pub const ONE: i64 = 1;\n").unwrap();
    std::fs::write(
        &file,
        format!("{solution}\n// edited\nmod helper;\npub fn one() -> i64 {{ helper::ONE }}\n"),
    )
    .unwrap();
    let (status, passed, compile_ms) = json_check(&file);
    assert_eq!((status, passed), (Some(0), true));
    assert!(compile_ms > 0, "an edit compiles again");
}
