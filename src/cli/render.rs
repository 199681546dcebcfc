//! Reports drawn for a person at a terminal: the text form of `check`.
//! The engine hands over data ([`Report`]); colour and layout live here.

use std::fmt::Write as _;
use threadlings::engine::report::{Report, Status};

/// One line per check, the detail under each that did not pass, and the
/// verdict with the seed that replays the workload. `color` paints the
/// marks and the verdict with ANSI colours (for a terminal that wants them).
pub fn report(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", report.exercise, report.file);
    for check in &report.checks {
        let mark = match check.status {
            Status::Passed => paint("32", "pass"),
            Status::Failed => paint("31;1", "FAIL"),
            Status::NotChecked => paint("33", "----"),
        };
        let _ = writeln!(out, "  {mark}  {:<15} {}", check.id.as_str(), check.message);
        if check.status != Status::Passed
            && let Some(detail) = &check.detail
        {
            for line in detail.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
    }
    let passed = report.checks.iter().filter(|c| c.passed).count();
    let verdict = if report.passed {
        paint("32;1", "all checks passed")
    } else {
        paint(
            "31;1",
            &format!("{passed} of {} checks passed", report.checks.len()),
        )
    };
    let _ = writeln!(
        out,
        "{verdict} (seed {}; replay the workload with --seed {}; thread timing differs run to run)",
        report.seed, report.seed
    );
    out
}

#[cfg(test)]
mod tests {
    use super::report;
    use threadlings::engine::report::{CheckId, CheckResult, Report};

    fn failing() -> Report {
        Report::new(
            "counter",
            "exercises/counter.rs",
            7,
            vec![
                CheckResult::pass(CheckId::COMPILE, "it compiles"),
                CheckResult::fail(CheckId::HANG, "get() never returned")
                    .with_detail("line one\nline two"),
            ],
        )
    }

    #[test]
    fn plain_text_has_no_escapes_and_shows_the_detail_of_failures() {
        let text = report(&failing(), false);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("  pass  compile"), "{text}");
        assert!(
            text.contains("  FAIL  hang            get() never returned"),
            "{text}"
        );
        assert!(
            text.contains("\n        line one\n        line two\n"),
            "{text}"
        );
        assert!(text.contains("1 of 2 checks passed (seed 7;"), "{text}");
    }

    #[test]
    fn color_paints_only_the_marks_and_the_verdict() {
        let text = report(&failing(), true);
        assert!(text.contains("\x1b[31;1mFAIL\x1b[0m"), "{text}");
        assert!(text.contains("\x1b[32mpass\x1b[0m"), "{text}");
        assert!(
            text.contains("\x1b[31;1m1 of 2 checks passed\x1b[0m"),
            "{text}"
        );
        assert_eq!(text.matches('\x1b').count(), 6, "{text}");
    }
}
