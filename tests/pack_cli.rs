//! `threadlings pack new` and `threadlings pack check` through the real
//! binary: a new pack in a temporary directory, validated, and its
//! exercise checked and graded with `--pack`. Exit status 0 sound, 1 a
//! problem in the pack, 2 a usage error or a failure of the tool.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn threadlings(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(args)
        // Inside the project: `pack check` resolves lesson links against
        // its course.
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn pack_new_writes_a_pack_and_refuses_to_overwrite_one() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("course");
    let made = threadlings(&["pack", "new", "rate-limiter", "--dir", path(&dir)]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    assert!(text(&made.stdout).contains("threadlings pack check"));
    for rel in [
        "pack.toml",
        "rate-limiter/exercise.toml",
        "rate-limiter/starter.rs",
        "rate-limiter/solution.rs",
        "rate-limiter/driver.rs",
        "rate-limiter/glue.rs",
        "rate-limiter/judge.rs",
        "rate-limiter/corpus/correct/std_mpsc.rs",
        "rate-limiter/corpus/buggy/adds_one.rs",
    ] {
        assert!(dir.join(rel).is_file(), "pack new wrote no {rel}");
    }
    let toml = std::fs::read_to_string(dir.join("rate-limiter/exercise.toml")).unwrap();
    assert!(
        toml.contains(r#"file = "exercises/rate_limiter.rs""#),
        "{toml}"
    );

    // Again into the same directory: refused, and the teacher's edit kept.
    std::fs::write(dir.join("rate-limiter/starter.rs"), "// mine").unwrap();
    let again = threadlings(&["pack", "new", "rate-limiter", "--dir", path(&dir)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    let kept = std::fs::read_to_string(dir.join("rate-limiter/starter.rs")).unwrap();
    assert_eq!(kept, "// mine");

    let bad = threadlings(&[
        "pack",
        "new",
        "Rate_Limiter",
        "--dir",
        path(&scratch.path().join("x")),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("is not an exercise id"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn pack_check_names_what_is_wrong_and_exits_1() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("course");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"c\"\ntitle = \"C\"\nexercises = [\"missing\"]\n",
    )
    .unwrap();
    let out = threadlings(&["pack", "check", path(&dir), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["passed"], false);
    let finding = &json["findings"][0];
    assert_eq!(finding["item"], "definition");
    assert_eq!(finding["passed"], false);
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("`missing` has no folder"), "{message}");
}

#[test]
fn pack_check_of_no_directory_exits_2() {
    let out = threadlings(&["pack", "check", "/nonexistent/threadlings-pack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a directory"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

/// The issue's proof: a pack made by `pack new` passes `pack check`, and
/// its exercise's reference solution passes `check --pack` and earns every
/// point in `grade --pack`, while a buggy corpus file loses some.
#[test]
fn a_new_pack_passes_pack_check_and_checks_and_grades_with_pack() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("course");
    let made = threadlings(&["pack", "new", "rate-limiter", "--dir", path(&dir)]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));

    let checked = threadlings(&["pack", "check", path(&dir), "--format", "json"]);
    let json: Value = serde_json::from_slice(&checked.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&checked.stdout), text(&checked.stderr)));
    assert_eq!(checked.status.code(), Some(0), "{json:#}");
    assert_eq!(json["passed"], true, "{json:#}");
    let items: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["item"].as_str().unwrap())
        .collect();
    for item in ["definition", "hints", "lesson", "starter", "reference"] {
        assert!(items.contains(&item), "no {item} in {items:?}");
    }
    assert_eq!(items.iter().filter(|i| i.starts_with("corpus/")).count(), 5);

    let solution = dir.join("rate-limiter/solution.rs");
    let pack = path(&dir);
    let check = threadlings(&[
        "check",
        "rate-limiter",
        "--pack",
        pack,
        "--file",
        path(&solution),
        "--format",
        "json",
    ]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(report["exercise"], "rate-limiter");
    assert_eq!(report["passed"], true);

    let class = scratch.path().join("class");
    for (student, file) in [
        ("alice", solution.clone()),
        ("bob", dir.join("rate-limiter/corpus/buggy/adds_one.rs")),
    ] {
        std::fs::create_dir_all(class.join(student)).unwrap();
        std::fs::copy(file, class.join(student).join("rate_limiter.rs")).unwrap();
    }
    let graded = threadlings(&[
        "grade",
        "--pack",
        pack,
        "--exercise",
        "rate-limiter",
        path(&class),
        "--format",
        "json",
    ]);
    let batch: Value = serde_json::from_slice(&graded.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&graded.stdout), text(&graded.stderr)));
    let score = |name: &str| {
        let students = batch["students"].as_array().unwrap();
        let s = students.iter().find(|s| s["student"] == name).unwrap();
        s["score"].as_f64().unwrap()
    };
    assert_eq!(
        score("alice"),
        batch["max_score"].as_f64().unwrap(),
        "{batch:#}"
    );
    assert!(score("bob") < score("alice"), "{batch:#}");
}
