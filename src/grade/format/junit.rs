//! JUnit XML as the Jenkins JUnit schema allows it: a `<testsuite>` per
//! student with its score in `<properties>` (each name once, as
//! xunitparser requires), a `<testcase>` per check, and an `<error>` case
//! for a student who is not graded. Written by hand because the schema has
//! no `skipped` attribute on `<testsuites>`, which serialisers add.

use super::describe_protections;
use crate::engine::exercise::Exercise;
use crate::engine::report::Status;
use crate::grade::batch::Graded;
use crate::grade::score::{Weights, round2};
use std::fmt::Write as _;

/// Text for an attribute or element: markup escaped, and characters XML
/// 1.0 cannot hold at all (most control characters) written as `\u{..}`.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Jenkins reads `a.b.c` in a classname as package `a.b`, class `c`: the
/// exercise is the package, and a dot in a student's name is written `%2E`
/// (and `%` as `%25`, so that names stay distinct).
fn classname(exercise: &str, student: &str) -> String {
    format!(
        "{exercise}.{}",
        student.replace('%', "%25").replace('.', "%2E")
    )
}

fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The batch as JUnit XML.
pub(super) fn render(exercise: &Exercise, graded: &[Graded], weights: &Weights) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    let mut total = std::time::Duration::ZERO;
    for g in graded {
        total += g.duration;
        let student = &g.submission.student;
        let class = xml(&classname(exercise.id, student));
        let mut cases = String::new();
        let (mut t, mut f, mut e) = (0, 0, 0);
        match &g.outcome {
            Ok(r) => {
                for c in &r.checks {
                    t += 1;
                    let _ = write!(
                        cases,
                        "    <testcase name=\"{}\" classname=\"{class}\"",
                        c.id.as_str()
                    );
                    if c.status == Status::Passed {
                        cases.push_str("/>\n");
                        continue;
                    }
                    f += 1;
                    let kind = match c.status {
                        Status::Failed => "failed",
                        _ => "not-checked",
                    };
                    let _ = write!(
                        cases,
                        ">\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>\n",
                        xml(&c.message),
                        xml(c.detail.as_deref().unwrap_or(""))
                    );
                }
            }
            Err(why) => {
                t += 1;
                e += 1;
                let kind = match why.kind() {
                    "tool" => "tool-error",
                    _ => "not-graded",
                };
                let _ = write!(
                    cases,
                    "    <testcase name=\"grade\" classname=\"{class}\">\n      \
                     <error message=\"{}\" type=\"{kind}\">{}</error>\n    </testcase>\n",
                    xml(&why.to_string()),
                    xml(why.reason())
                );
            }
        }
        tests += t;
        failures += f;
        errors += e;
        let mut props = vec![
            ("student", student.clone()),
            ("file", g.submission.shown.clone()),
            ("verdict", g.verdict().to_string()),
            ("score", g.score.to_string()),
            ("max_score", round2(weights.max()).to_string()),
        ];
        if let Ok(r) = &g.outcome {
            props.push(("seed", r.seed.to_string()));
            props.push(("protections", describe_protections(r.protections)));
        }
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\" skipped=\"0\" time=\"{}\">\n    <properties>\n",
            xml(student),
            seconds(g.duration)
        );
        for (name, value) in props {
            let _ = writeln!(
                suites,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(&value)
            );
        }
        suites.push_str("    </properties>\n");
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"threadlings-grade {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">\n{suites}</testsuites>\n",
        xml(exercise.id),
        seconds(total)
    )
}
