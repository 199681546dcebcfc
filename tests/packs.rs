//! A teacher's pack, end to end: a real pack directory (a copy of the
//! built-in counter under a new id, `tally`) used with `--pack DIR` and
//! through a project's `threadlings.toml`, by `check`, `list` and `grade`,
//! without rebuilding threadlings; and bad packs refused with a clear
//! message and exit status 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn threadlings(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `root/course`: a pack with one exercise, `tally`, copied from the
/// built-in counter (its corpus left behind); and `root/project` whose
/// exercise file holds the reference solution.
fn teacher_pack(root: &Path) -> (PathBuf, PathBuf) {
    let course = root.join("course");
    let tally = course.join("tally");
    copy_dir(&repo("pack/counter"), &tally);
    std::fs::remove_dir_all(tally.join("corpus")).unwrap();
    let toml = std::fs::read_to_string(tally.join("exercise.toml")).unwrap();
    let toml = toml
        .replace("id = \"counter\"", "id = \"tally\"")
        .replace("exercises/counter.rs", "exercises/tally.rs");
    std::fs::write(tally.join("exercise.toml"), toml).unwrap();
    std::fs::write(
        course.join("pack.toml"),
        "[pack]\nname = \"course\"\ntitle = \"A teacher's course\"\nexercises = [\"tally\"]\n",
    )
    .unwrap();
    let project = root.join("project");
    std::fs::create_dir_all(project.join("exercises")).unwrap();
    std::fs::copy(
        repo("pack/counter/solution.rs"),
        project.join("exercises/tally.rs"),
    )
    .unwrap();
    (course, project)
}

#[test]
fn a_teachers_pack_is_checked_listed_and_graded_without_rebuilding_the_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let (course, project) = teacher_pack(tmp.path());
    let course = course.to_str().unwrap();

    let out = threadlings(
        &project,
        &["check", "tally", "--pack", course, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["exercise"], "tally");
    assert_eq!(report["passed"], true);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "compile");
    assert_eq!(ids.len(), 9, "{ids:?}");

    // A buggy file fails the check its bug breaks (an overflow panics).
    let buggy = repo("pack/counter/corpus/buggy/unsigned_count.rs");
    let out = threadlings(
        &project,
        &[
            "check",
            "tally",
            "--pack",
            course,
            "--file",
            buggy.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("FAIL  panic"), "{}", text(&out));

    let out = threadlings(&project, &["list", "--pack", course]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("tally"), "{}", text(&out));
    assert!(text(&out).contains("counter"), "{}", text(&out));

    // Listed in the project's threadlings.toml, relative to the project.
    std::fs::write(
        project.join("threadlings.toml"),
        "packs = [\"../course\"]\n",
    )
    .unwrap();
    let out = threadlings(&project, &["list"]);
    assert!(text(&out).contains("exercises/tally.rs"), "{}", text(&out));

    let subs = tmp.path().join("subs");
    std::fs::create_dir_all(subs.join("alice")).unwrap();
    std::fs::copy(
        repo("pack/counter/solution.rs"),
        subs.join("alice/tally.rs"),
    )
    .unwrap();
    let out = threadlings(
        &project,
        &[
            "grade",
            subs.to_str().unwrap(),
            "--exercise",
            "tally",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("\"alice\""), "{}", text(&out));
}

/// Runs `check tally --pack` on the pack after `spoil`, expecting exit 2
/// and a message holding every one of `expect`.
fn refused(spoil: impl FnOnce(&Path), expect: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let (course, project) = teacher_pack(tmp.path());
    spoil(&course);
    let out = threadlings(
        &project,
        &["check", "tally", "--pack", course.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    for part in expect {
        assert!(shown.contains(part), "{part:?} not in:\n{shown}");
    }
    assert!(!shown.contains("panicked"), "{shown}");
}

#[test]
fn bad_packs_are_refused_with_a_clear_message_and_exit_2() {
    refused(
        |course| std::fs::remove_file(course.join("pack.toml")).unwrap(),
        &["cannot read", "pack.toml"],
    );
    refused(
        |course| {
            let path = course.join("tally/exercise.toml");
            let toml = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, toml.replace("id = \"tally\"", "id = \"tallies\"")).unwrap();
        },
        &["exercise.toml", "differs from the folder's name"],
    );
    // Declared but never returned by the judge: caught when the pack loads.
    refused(
        |course| {
            let path = course.join("tally/exercise.toml");
            let mut toml = std::fs::read_to_string(&path).unwrap();
            toml.push_str("\n[[check]]\nid = \"made-up\"\ndescription = \"never judged\"\n");
            std::fs::write(&path, toml).unwrap();
        },
        &["exercise `tally`", "did not return the declared `made-up`"],
    );
    refused(
        |course| {
            let path = course.join("tally/judge.rs");
            let judge = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{judge}\nfn broken() -> u8 {{ \"no\" }}\n")).unwrap();
        },
        &["does not compile", "tally/judge.rs"],
    );
}
