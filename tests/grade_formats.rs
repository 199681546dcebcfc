//! The grading formats against their published field lists, the weights
//! file, submission discovery and the CLI's usage errors. No compiling here:
//! the batches are made up.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use threadlings::engine::report::{CheckId, CheckResult, Report};
use threadlings::exercise;
use threadlings::grade::format::{Format, render};
use threadlings::grade::{Graded, NotGraded, Submission, Weights, discover};
use threadlings::sandbox::Protections;

fn counter() -> &'static threadlings::engine::exercise::Exercise {
    exercise::find("counter").unwrap()
}

fn report(failing: &[CheckId]) -> Report {
    let checks = counter()
        .check_ids()
        .map(|id| {
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

fn sub(student: &str, file: &str) -> Submission {
    Submission {
        student: student.into(),
        entry: PathBuf::from(file),
        inner: None,
        shown: file.into(),
        refused: None,
    }
}

fn graded(student: &str, failing: &[CheckId]) -> Graded {
    let w = Weights::default_for(counter());
    let r = report(failing);
    Graded {
        submission: sub(student, &format!("/subs/{student}.rs")),
        score: w.score(&r),
        outcome: Ok(r),
        duration: Duration::from_millis(1500),
    }
}

fn batch() -> Vec<Graded> {
    vec![
        graded("alice", &[]),
        graded("bob, jr", &[CheckId::HANG, CheckId::PANIC]),
        Graded {
            submission: sub("carol", "/subs/carol/counter.rs"),
            outcome: Err(NotGraded::Tool("the tool broke".into())),
            score: 0.0,
            duration: Duration::from_millis(3),
        },
    ]
}

#[test]
fn default_weights_sum_to_100_with_compile_free() {
    let w = Weights::default_for(counter());
    assert_eq!(w.of(CheckId::COMPILE), 0.0);
    assert!((w.max() - 100.0).abs() < 1e-9);
    assert_eq!(w.score(&report(&[])), 100.0);
    assert_eq!(w.score(&report(&[CheckId::HANG])), 87.5);
}

#[test]
fn weights_file_overrides_and_rejects_unknown_ids() {
    let w = Weights::parse(counter(), "[weights]\nlinearizable = 20\ncompile = 5\n").unwrap();
    assert_eq!(w.of(CheckId::LINEARIZABLE), 20.0);
    assert_eq!(w.of(CheckId::COMPILE), 5.0);
    assert_eq!(w.of(CheckId::HANG), 12.5);
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
    let one = vec![graded("bob", &[CheckId::HANG])];
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
        "student,verdict,score,compile,owner-thread,correctness,linearizable,lost-messages,leaked-workers,hang,busy-loop,panic,error"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "alice,passed,100,pass,pass,pass,pass,pass,pass,pass,pass,pass,"
    );
    assert_eq!(
        lines[2],
        "\"bob, jr\",failed,75,pass,pass,pass,pass,pass,pass,fail,pass,fail,"
    );
    assert!(lines[3].starts_with("carol,error,0,not-checked"));
    assert!(lines[3].ends_with(",not graded: tool error: the tool broke"));
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
    assert_eq!(
        students[2]["error"],
        "not graded: tool error: the tool broke"
    );
    assert_eq!(students[2]["error_kind"], "tool");
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
    assert_eq!(names, ["README.md", "ann", "ben", "cat"]);
    assert!(subs[0].refused.as_ref().unwrap().contains("neither"));
    assert!(subs[1..].iter().all(|s| s.refused.is_none()));
    assert!(subs[2].file().ends_with("ben/counter.rs"));
    assert!(subs[3].file().ends_with("cat/mine.rs"));
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

fn compile_failure(student: &str) -> Graded {
    let w = Weights::default_for(counter());
    let mut checks = vec![
        CheckResult::fail(
            CheckId::COMPILE,
            "does not compile (rustc's messages below)",
        )
        .with_detail("error[E0425]: cannot find value `x`\n --> alice.rs:3:5"),
    ];
    checks.extend(
        counter()
            .check_ids()
            .skip(1)
            .map(|id| CheckResult::not_checked(id, "not checked")),
    );
    let r = Report::new("counter", "x.rs", 0, checks);
    Graded {
        submission: sub(student, &format!("/subs/{student}.rs")),
        score: w.score(&r),
        outcome: Ok(r),
        duration: Duration::from_millis(2),
    }
}

#[test]
fn a_file_that_does_not_compile_scores_0_not_minus_0() {
    let w = Weights::default_for(counter());
    let batch = vec![compile_failure("zed")];
    assert!(batch[0].score.is_sign_positive());
    let json = render(Format::Json, counter(), &batch, &w).unwrap();
    assert!(!json.contains("-0"), "{json}");
    let csv = render(Format::Csv, counter(), &batch, &w).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().starts_with("zed,failed,0,"),
        "{csv}"
    );
    let text = render(Format::Text, counter(), &batch, &w).unwrap();
    assert!(!text.contains("-0"), "{text}");
    // The compile row's promised messages are there.
    assert!(
        text.contains("error[E0425]: cannot find value `x`"),
        "{text}"
    );
    assert!(text.contains("--> alice.rs:3:5"), "{text}");
}

#[test]
fn csv_defuses_formulas_in_every_cell() {
    let w = Weights::default_for(counter());
    let mut batch = vec![
        graded("=HYPERLINK(\"http://x\")", &[]),
        graded("+1", &[]),
        graded("-2", &[]),
        graded("@SUM(A1)", &[]),
    ];
    batch.push(Graded {
        submission: sub("dave", "/subs/dave.rs"),
        outcome: Err(NotGraded::Refused("=cmd|' /C calc'!A0".into())),
        score: 0.0,
        duration: Duration::ZERO,
    });
    let csv = render(Format::Csv, counter(), &batch, &w).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[1].starts_with("\"'=HYPERLINK(\"\"http://x\"\")\",passed,"),
        "{csv}"
    );
    assert!(lines[2].starts_with("'+1,"), "{csv}");
    assert!(lines[3].starts_with("'-2,"), "{csv}");
    assert!(lines[4].starts_with("'@SUM(A1),"), "{csv}");
    assert!(
        lines[5].ends_with(",not graded: =cmd|' /C calc'!A0"),
        "{csv}"
    );
    for line in &lines[1..] {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell} in {line}");
        }
    }
}

/// The attributes the Jenkins JUnit schema (xunit-plugin's junit-10.xsd,
/// the schema Jenkins validates against) allows per element, the required
/// ones first, and the elements allowed inside.
fn jenkins_schema(
    tag: &str,
) -> Option<(
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
)> {
    Some(match tag {
        "testsuites" => (
            &[],
            &["name", "time", "tests", "failures", "errors"],
            &["testsuite"],
        ),
        "testsuite" => (
            &["name", "tests", "failures", "errors"],
            &[
                "group",
                "time",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
                "file",
                "log",
                "url",
            ],
            &[
                "testsuite",
                "properties",
                "testcase",
                "system-out",
                "system-err",
            ],
        ),
        "properties" => (&[], &[], &["property"]),
        "property" => (&["name", "value"], &[], &[]),
        "testcase" => (
            &["name"],
            &["time", "classname", "group"],
            &["skipped", "error", "failure", "system-out", "system-err"],
        ),
        "failure" | "error" | "skipped" => (&[], &["type", "message"], &[]),
        _ => return None,
    })
}

fn check_against_schema(node: roxmltree::Node, problems: &mut Vec<String>) {
    let tag = node.tag_name().name();
    let Some((required, optional, children)) = jenkins_schema(tag) else {
        problems.push(format!("<{tag}> is not in the schema"));
        return;
    };
    for a in node.attributes() {
        if !required.contains(&a.name()) && !optional.contains(&a.name()) {
            problems.push(format!("<{tag}> has attribute {}", a.name()));
        }
        if a.name() == "time" && !a.value().chars().all(|c| c.is_ascii_digit() || c == '.') {
            problems.push(format!("<{tag}> time {:?}", a.value()));
        }
    }
    for r in required {
        if node.attribute(*r).is_none() {
            problems.push(format!("<{tag}> lacks {r}"));
        }
    }
    for child in node.children().filter(|n| n.is_element()) {
        if !children.contains(&child.tag_name().name()) {
            problems.push(format!("<{tag}> holds <{}>", child.tag_name().name()));
        }
        check_against_schema(child, problems);
    }
}

#[test]
fn junit_fits_the_jenkins_schema_and_xunitparser() {
    let w = Weights::default_for(counter());
    let mut batch = batch();
    batch.push(graded("bob.smith", &[CheckId::HANG]));
    batch.push(graded("ctrl\u{1b}name", &[]));
    batch.push(compile_failure("zed"));
    let xml = render(Format::Junit, counter(), &batch, &w).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let mut problems = Vec::new();
    check_against_schema(doc.root_element(), &mut problems);
    assert!(problems.is_empty(), "{problems:#?}\n{xml}");
    for suite in doc.root_element().children().filter(|n| n.is_element()) {
        let name = suite.attribute("name").unwrap();
        // xunitparser keeps properties in a dict: a repeated name is lost.
        let props: Vec<(&str, &str)> = suite
            .descendants()
            .filter(|n| n.has_tag_name("property"))
            .map(|p| (p.attribute("name").unwrap(), p.attribute("value").unwrap()))
            .collect();
        let mut names: Vec<&str> = props.iter().map(|p| p.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), props.len(), "{name}: {props:?}");
        let prop = |k: &str| props.iter().find(|p| p.0 == k).map(|p| p.1);
        assert_eq!(prop("student"), Some(name));
        assert!(prop("score").is_some() && prop("max_score") == Some("100"));
        // Every case has a classname whose last dot separates the exercise.
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let class = case.attribute("classname").unwrap_or_default();
            assert_eq!(class.split('.').count(), 2, "{name}: {class}");
            assert!(class.starts_with("counter."), "{class}");
        }
    }
    let suite = |n: &str| {
        doc.root_element()
            .children()
            .find(|s| s.attribute("name") == Some(n))
            .unwrap()
    };
    let bob = suite("bob.smith");
    let case = bob.children().find(|n| n.has_tag_name("testcase")).unwrap();
    assert_eq!(case.attribute("classname"), Some("counter.bob%2Esmith"));
    let carol = suite("carol");
    let error = carol
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .unwrap();
    assert_eq!(error.attribute("type"), Some("tool-error"));
    assert_eq!(carol.attribute("errors"), Some("1"));
    assert_eq!(doc.root_element().attribute("skipped"), None);
    assert_eq!(
        suite("zed")
            .descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("score"))
            .unwrap()
            .attribute("value"),
        Some("0")
    );
    assert!(xml.contains("ctrl\\u{1b}name"), "{xml}");
}

#[test]
fn rustc_failing_for_its_own_reasons_is_a_tool_fault_not_a_compile_error() {
    use threadlings::grade::batch::tool_fault;
    let failed = |detail: &str| {
        let checks =
            vec![CheckResult::fail(CheckId::COMPILE, "does not compile").with_detail(detail)];
        Report::new("counter", "x.rs", 0, checks)
    };
    let emfile = failed(
        "error: couldn't create a temp dir: Too many open files (os error 24) at path \"/tmp/x\"\n\n",
    );
    assert!(tool_fault(&emfile).unwrap().contains("os error 24"));
    let unreadable =
        failed("error: couldn't read `/tmp/s/counter.rs`: Permission denied (os error 13)\n");
    assert!(tool_fault(&unreadable).is_some());
    // The student's own words, with a source location: a compile error.
    let student = failed(
        "error: Too many open files (os error 24)\n --> counter.rs:1:1\n  |\n1 | compile_error!(\"Too many open files (os error 24)\");\n",
    );
    assert_eq!(tool_fault(&student), None);
    let include = failed(
        "error: couldn't read `/etc/shadow`: Permission denied (os error 13)\n --> counter.rs:2:13\n",
    );
    assert_eq!(tool_fault(&include), None);
    assert_eq!(tool_fault(&report(&[])), None);
}

#[test]
fn escaped_names_are_printable_and_never_merge() {
    use std::os::unix::ffi::OsStrExt;
    use threadlings::grade::discover::escape;
    let os = |b: &[u8]| std::ffi::OsStr::from_bytes(b).to_os_string();
    let names = [
        os(b"bj\xe4rn"),
        os(b"bj\xf6rn"),
        os("björn".as_bytes()),
        os(b"bj\\xe4rn"),
        os(b"a\nb"),
        os(b"a\\u{a}b"),
    ];
    let escaped: Vec<String> = names.iter().map(|n| escape(n)).collect();
    assert_eq!(escaped[0], "bj\\xe4rn");
    assert_eq!(escaped[2], "björn");
    assert_eq!(escaped[3], "bj\\\\xe4rn");
    assert_eq!(escaped[4], "a\\u{a}b");
    let mut unique = escaped.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{escaped:?}");
    assert!(escaped.iter().all(|e| !e.chars().any(char::is_control)));
}
