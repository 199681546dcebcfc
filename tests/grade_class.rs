//! `threadlings grade` run the way a course runs it: real submissions,
//! real grading through the binary, every format read back. The class
//! mixes correct, buggy, refused and hostile entries.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pack/counter/corpus")
        .join(rel)
}

fn threadlings(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(args)
        .output()
        .unwrap()
}

/// `threadlings grade DIR --exercise counter` and `extra`.
fn grade(dir: &Path, extra: &[&OsStr]) -> Output {
    let mut args = vec![
        os("grade"),
        dir.as_os_str(),
        os("--exercise"),
        os("counter"),
    ];
    args.extend_from_slice(extra);
    threadlings(&args)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn copy(from: &str, to: &Path) {
    std::fs::copy(corpus(from), to).unwrap();
}

/// The class: graded entries and entries that must be refused, by name.
fn class(dir: &Path) {
    copy("correct/std_mpsc.rs", &dir.join("ann.rs"));
    copy("buggy/unsigned_count.rs", &dir.join("Dave.RS"));
    // Non-UTF-8 names that a lossy conversion would merge.
    copy(
        "correct/zero_capacity.rs",
        &dir.join(OsStr::from_bytes(b"bj\xe4rn.rs")),
    );
    copy(
        "correct/zero_capacity.rs",
        &dir.join(OsStr::from_bytes(b"bj\xf6rn.rs")),
    );
    // A folder with the file, one with only the wrong files.
    std::fs::create_dir(dir.join("cy")).unwrap();
    copy("correct/std_mpsc.rs", &dir.join("cy/counter.rs"));
    std::fs::create_dir_all(dir.join("ed/src")).unwrap();
    copy("correct/std_mpsc.rs", &dir.join("ed/src/counter.rs"));
    copy("correct/std_mpsc.rs", &dir.join("ed/counter.rs.txt"));
    // Two entries of one student.
    copy("correct/std_mpsc.rs", &dir.join("flo.rs"));
    std::fs::create_dir(dir.join("flo")).unwrap();
    copy("correct/std_mpsc.rs", &dir.join("flo/counter.rs"));
    // Links, out of DIR and dangling, as a file and inside a folder.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("eve.rs")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.rs", dir.join("gil.rs")).unwrap();
    std::fs::create_dir(dir.join("hal")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("hal/counter.rs")).unwrap();
    let outside = dir.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    copy("correct/std_mpsc.rs", &outside.join("counter.rs"));
    std::os::unix::fs::symlink(&outside, dir.join("ivy")).unwrap();
}

/// Student -> (verdict, reason it must mention when not graded).
const EXPECTED: &[(&str, &str, &str)] = &[
    ("Dave", "failed", ""),
    ("ann", "passed", ""),
    ("bj\\xe4rn", "passed", ""),
    ("bj\\xf6rn", "passed", ""),
    ("cy", "passed", ""),
    ("ed", "error", "holds no counter.rs"),
    ("eve", "error", "symbolic link"),
    ("flo", "error", "flo.rs and flo/ both name the student flo"),
    ("flo", "error", "flo.rs and flo/ both name the student flo"),
    ("gil", "error", "symbolic link"),
    ("hal", "error", "symbolic link"),
    ("ivy", "error", "symbolic link"),
];

#[test]
fn every_entry_appears_once_in_every_format_and_links_are_never_followed() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    class(&dir);
    let out = root.path().join("out");
    let run = grade(
        &dir,
        &[
            os("--format"),
            os("json,junit,csv,text"),
            os("--output-dir"),
            out.as_os_str(),
            os("--seed"),
            os("4242"),
            os("--jobs"),
            os("2"),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Refused entries make the batch's exit status 1; the reports exist.
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();

    let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    let students = json["students"].as_array().unwrap();
    let rows: Vec<(&str, &str)> = students
        .iter()
        .map(|s| {
            (
                s["student"].as_str().unwrap(),
                s["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    let want: Vec<(&str, &str)> = EXPECTED.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(rows, want, "{stderr}");
    for (s, (_, _, why)) in students.iter().zip(EXPECTED) {
        let error = s["error"].as_str().unwrap_or("");
        assert!(error.contains(why), "{}: {error}", s["student"]);
        if !why.is_empty() {
            assert!(error.starts_with("not graded: "), "{error}");
            assert_eq!(s["error_kind"], "submission");
        } else {
            // --seed reaches every graded submission.
            assert_eq!(s["seed"], 4242);
        }
    }
    // Nothing of what the links point to was read.
    let everything = [
        read("report.json"),
        read("report.xml"),
        read("report.csv"),
        read("report.txt"),
    ]
    .concat();
    assert!(!everything.contains("root:x:0:0"), "a link was followed");

    // JUnit: a suite per entry, errors where not graded.
    let xml = read("report.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<(&str, bool)> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|s| {
            (
                s.attribute("name").unwrap(),
                s.descendants().any(|n| n.has_tag_name("error")),
            )
        })
        .collect();
    let want: Vec<(&str, bool)> = EXPECTED.iter().map(|e| (e.0, e.1 == "error")).collect();
    assert_eq!(suites, want);

    // CSV and text: a row per entry, with the same verdicts.
    let csv = read("report.csv");
    let csv_rows: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut cells = l.split(',');
            (
                cells.next().unwrap().to_string(),
                cells.next().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|e| (e.0.to_string(), e.1.to_string()))
        .collect();
    assert_eq!(csv_rows, want);
    let text = read("report.txt");
    for (student, verdict, why) in EXPECTED {
        assert!(
            text.lines()
                .any(|l| l.starts_with(student) && l.contains(verdict)),
            "{student} {verdict} in\n{text}"
        );
        assert!(text.contains(why), "{why} in\n{text}");
    }
    // The escaped names round-trip: the same student in every format.
    assert!(xml.contains("bj\\xe4rn") && csv.contains("bj\\xf6rn"));
}

#[test]
fn a_hard_link_the_sandbox_cannot_read_is_refused_not_echoed() {
    // Only root can read a file the sandbox's uid cannot; others skip.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: the sandbox reads as this user, nothing to refuse");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    let secret = root.path().join("secret");
    std::fs::write(&secret, "root:SECRET-HASH:0:0\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::hard_link(&secret, dir.join("eve.rs")).unwrap();
    let run = grade(&dir, &[os("--format"), os("json")]);
    let json = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{json}");
    assert!(!json.contains("SECRET-HASH"), "{json}");
    assert!(json.contains("not readable by the sandbox"), "{json}");
}

#[test]
fn a_report_that_cannot_be_written_is_found_before_grading() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    copy("correct/std_mpsc.rs", &dir.join("ann.rs"));
    let target = root.path().join("missing/dir/report.xml");
    let started = std::time::Instant::now();
    let run = grade(
        &dir,
        &[
            os("--format"),
            os("junit"),
            os("--output"),
            target.as_os_str(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    // No summary: nothing was graded.
    assert!(!stderr.contains("passed every check"), "{stderr}");
    eprintln!("refused in {:?}", started.elapsed());
    // Several formats to one file: refused too.
    let run = grade(
        &dir,
        &[
            os("--format"),
            os("json,csv"),
            os("--output"),
            root.path().join("r").as_os_str(),
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--output-dir"));
    // Written atomically: only the report is left, no temporary file.
    let target = root.path().join("report.xml");
    let run = grade(
        &dir,
        &[
            os("--format"),
            os("junit"),
            os("--output"),
            target.as_os_str(),
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    roxmltree::Document::parse(&std::fs::read_to_string(&target).unwrap()).unwrap();
    let left: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn a_tool_fault_is_a_tool_error_and_the_exit_status_says_so() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    copy("correct/std_mpsc.rs", &dir.join("ann.rs"));
    // No temporary directory: the tool cannot take the submission in.
    let run = Command::new(env!("CARGO_BIN_EXE_threadlings"))
        .args(["grade", dir.to_str().unwrap(), "--exercise", "counter"])
        .args(["--format", "json"])
        .env("TMPDIR", root.path().join("no-such-tmp"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let ann = &json["students"][0];
    assert_eq!(ann["verdict"], "error", "{ann}");
    assert_eq!(ann["error_kind"], "tool", "{ann}");
    assert!(
        ann["error"]
            .as_str()
            .unwrap()
            .starts_with("not graded: tool error: "),
        "{ann}"
    );
    assert!(ann["checks"].as_array().unwrap().is_empty());
}

#[test]
fn a_link_swapped_in_after_listing_is_not_followed() {
    use threadlings::grade::{self, GradeOptions, Submission, Weights};
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("subs");
    std::fs::create_dir_all(dir.join("bo")).unwrap();
    // Listed as a file and a folder; links by the time they are opened.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("al.rs")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("bo/counter.rs")).unwrap();
    let outside = root.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    copy("correct/std_mpsc.rs", &outside.join("counter.rs"));
    std::os::unix::fs::symlink(&outside, dir.join("cy")).unwrap();
    let listed = |student: &str, entry: &str, inner: Option<&str>| Submission {
        student: student.into(),
        entry: dir.join(entry),
        inner: inner.map(Into::into),
        shown: entry.into(),
        refused: None,
    };
    let subs = [
        listed("al", "al.rs", None),
        listed("bo", "bo", Some("counter.rs")),
        listed("cy", "cy", Some("counter.rs")),
    ];
    let ex = threadlings::exercise::find("counter").unwrap();
    let options = GradeOptions {
        jobs: 1,
        isolation: None,
        weights: Weights::default_for(ex),
        seed: Some(1),
    };
    let graded = grade::grade(ex, &subs, &options, &|_| {});
    for g in &graded {
        let why = g.outcome.as_ref().expect_err("refused").to_string();
        assert!(
            why.contains("symbolic link"),
            "{}: {why}",
            g.submission.student
        );
        assert!(!why.contains("root:x:0:0"));
    }
}
