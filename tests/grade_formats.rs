//! The grading formats against their published field lists, the weights
//! file, submission discovery and the CLI's usage errors. No compiling here:
//! the batches are made up.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use threadlings::engine::report::{CheckId, CheckResult, Report};
use threadlings::exercise;
use threadlings::grade::format::{Format, render};
use threadlings::grade::{Graded, Submission, Weights, discover};
use threadlings::sandbox::Protections;

fn counter() -> &'static exercise::Exercise {
    exercise::find("counter").unwrap()
}

fn report(failing: &[CheckId]) -> Report {
    let checks = counter()
        .checks
        .iter()
        .map(|&id| {
            if failing.contains(&id) {
                CheckResult::fail(id, format!("{id} broke, \"quoted\" <angle> & co"))
                    .with_detail("line one\nline two")
            } else {
                CheckResult::pass(id, "fine")
            }
        })
        .collect();
    let mut r = Report::new("counter", "x.rs", 7, checks);
    r.protections = Some(Protections {
        landlock_fs: true,
        rlimits: true,
        landlock_abi: 4,
        ..Protections::default()
    });
    r
}

fn graded(student: &str, failing: &[CheckId]) -> Graded {
    let w = Weights::default_for(counter());
    let r = report(failing);
    Graded {
        submission: Submission {
            student: student.into(),
            file: PathBuf::from(format!("/subs/{student}.rs")),
        },
        score: w.score(&r),
        outcome: Ok(r),
        duration: Duration::from_millis(1500),
    }
}

fn batch() -> Vec<Graded> {
    vec![
        graded("alice", &[]),
        graded("bob, jr", &[CheckId::Hang, CheckId::Panic]),
        Graded {
            submission: Submission {
                student: "carol".into(),
                file: PathBuf::from("/subs/carol/counter.rs"),
            },
            outcome: Err("the tool broke".into()),
            score: 0.0,
            duration: Duration::from_millis(3),
        },
    ]
}

#[test]
fn default_weights_sum_to_100_with_compile_free() {
    let w = Weights::default_for(counter());
    assert_eq!(w.of(CheckId::Compile), 0.0);
    assert!((w.max() - 100.0).abs() < 1e-9);
    assert_eq!(w.score(&report(&[])), 100.0);
    assert_eq!(w.score(&report(&[CheckId::Hang])), 87.5);
}

#[test]
fn weights_file_overrides_and_rejects_unknown_ids() {
    let w = Weights::parse(counter(), "[weights]\nlinearizable = 20\ncompile = 5\n").unwrap();
    assert_eq!(w.of(CheckId::Linearizable), 20.0);
    assert_eq!(w.of(CheckId::Compile), 5.0);
    assert_eq!(w.of(CheckId::Hang), 12.5);
    let err = Weights::parse(counter(), "[weights]\nlinearisable = 20\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown check \"linearisable\""), "{err}");
    assert!(err.contains("linearizable"), "{err}");
    assert!(Weights::parse(counter(), "[weights]\nhang = -1\n").is_err());
    assert!(Weights::parse(counter(), "[weight]\nhang = 1\n").is_err());
}

#[test]
fn gradescope_has_exactly_the_documented_keys() {
    let one = vec![graded("bob", &[CheckId::Hang])];
    let w = Weights::default_for(counter());
    let text = render(Format::Gradescope, counter(), &one, &w).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["execution_time", "output", "score", "tests"]);
    assert!(v["score"].is_number());
    assert!(v["execution_time"].is_u64());
    assert!(v["output"].as_str().unwrap().contains("landlock-fs"));
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), counter().checks.len());
    for t in tests {
        let mut keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "max_score",
                "name",
                "output",
                "score",
                "status",
                "visibility"
            ]
        );
        assert!(t["name"].is_string() && t["output"].is_string());
        assert!(t["score"].is_number() && t["max_score"].is_number());
        assert!(["passed", "failed"].contains(&t["status"].as_str().unwrap()));
        assert!(
            ["visible", "hidden", "after_due_date", "after_published"]
                .contains(&t["visibility"].as_str().unwrap())
        );
    }
    let hang = tests.iter().find(|t| t["name"] == "hang").unwrap();
    assert_eq!(hang["status"], "failed");
    assert_eq!(hang["score"], 0.0);
    assert_eq!(hang["max_score"], 12.5);
    assert_eq!(v["score"], 87.5);
    // Several students: a clear error.
    let err = render(Format::Gradescope, counter(), &batch(), &w).unwrap_err();
    assert!(err.to_string().contains("one submission"), "{err}");
}

#[test]
fn junit_parses_with_a_suite_per_student_and_failures() {
    let w = Weights::default_for(counter());
    let xml = render(Format::Junit, counter(), &batch(), &w).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob, jr", "carol"]);
    let cases = |i: usize| -> Vec<roxmltree::Node> {
        suites[i]
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect()
    };
    assert_eq!(cases(0).len(), counter().checks.len());
    assert!(
        cases(0)
            .iter()
            .all(|c| c.children().all(|n| !n.is_element()))
    );
    let bob = cases(1);
    let failed: Vec<_> = bob
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["hang", "panic"]);
    let failure = bob
        .iter()
        .find(|c| c.attribute("name") == Some("hang"))
        .unwrap()
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("hang broke, \"quoted\" <angle> & co")
    );
    assert_eq!(suites[1].attribute("failures"), Some("2"));
    assert_eq!(suites[1].attribute("tests"), Some("9"));
    // The tool error is an <error>.
    assert!(cases(2)[0].children().any(|n| n.has_tag_name("error")));
}

#[test]
fn csv_has_the_header_and_a_row_per_student() {
    let w = Weights::default_for(counter());
    let text = render(Format::Csv, counter(), &batch(), &w).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "student,score,compile,owner-thread,correctness,linearizable,lost-messages,leaked-workers,hang,busy-loop,panic"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "alice,100,pass,pass,pass,pass,pass,pass,pass,pass,pass"
    );
    assert_eq!(
        lines[2],
        "\"bob, jr\",75,pass,pass,pass,pass,pass,pass,fail,pass,fail"
    );
    assert!(lines[3].starts_with("carol,0,not-checked"));
}

#[test]
fn json_and_text_carry_scores_and_protections() {
    let w = Weights::default_for(counter());
    let text = render(Format::Json, counter(), &batch(), &w).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["exercise"], "counter");
    assert_eq!(v["protections"]["landlock_fs"], true);
    let students = v["students"].as_array().unwrap();
    assert_eq!(students.len(), 3);
    assert_eq!(students[1]["verdict"], "failed");
    assert_eq!(students[1]["score"], 75.0);
    assert_eq!(students[1]["duration_ms"], 1500);
    assert_eq!(students[1]["checks"][6]["id"], "hang");
    assert_eq!(students[1]["checks"][6]["status"], "failed");
    assert!(students[1]["checks"][6]["message"].is_string());
    assert_eq!(students[2]["verdict"], "error");
    assert_eq!(students[2]["error"], "the tool broke");
    let table = render(Format::Text, counter(), &batch(), &w).unwrap();
    assert!(table.contains("landlock-fs"), "{table}");
    assert!(table.contains("bob, jr"), "{table}");
}

#[test]
fn discovery_takes_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("ann.rs"), "").unwrap();
    std::fs::create_dir(p.join("ben")).unwrap();
    std::fs::write(p.join("ben/counter.rs"), "").unwrap();
    std::fs::write(p.join("ben/notes.rs"), "").unwrap();
    std::fs::create_dir(p.join("cat")).unwrap();
    std::fs::write(p.join("cat/mine.rs"), "").unwrap();
    std::fs::write(p.join("README.md"), "").unwrap();
    let subs = discover(p, counter()).unwrap();
    let names: Vec<_> = subs.iter().map(|s| s.student.as_str()).collect();
    assert_eq!(names, ["ann", "ben", "cat"]);
    assert!(subs[1].file.ends_with("ben/counter.rs"));
    assert!(subs[2].file.ends_with("cat/mine.rs"));
    let empty = tempfile::tempdir().unwrap();
    assert!(discover(empty.path(), counter()).is_err());
}

#[test]
fn cli_usage_errors_exit_2() {
    let bin = env!("CARGO_BIN_EXE_threadlings");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "").unwrap();
    std::fs::write(dir.path().join("b.rs"), "").unwrap();
    let weights = dir.path().join("w.toml");
    std::fs::write(&weights, "[weights]\nnope = 3\n").unwrap();
    let run = |args: &[&str]| Command::new(bin).args(args).output().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&[
        "grade",
        d,
        "--exercise",
        "counter",
        "--format",
        "gradescope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one submission"));
    assert!(out.stdout.is_empty());
    let out = run(&[
        "grade",
        d,
        "--exercise",
        "counter",
        "--weights",
        weights.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown check \"nope\""));
    let out = run(&["grade", d, "--exercise", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
}
