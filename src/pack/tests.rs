//! `lost-messages` failures of each exercise carry the accounting of what
//! was sent and what was applied, built from hand-made observations.

use crate::engine::judge::PhaseRun;
use crate::engine::protocol::{OpRecord, Record};
use crate::engine::report::{Accounting, CheckId, Fate, Status};
use crate::engine::supervisor::Ending;
use crate::exercise::find;

fn op(thread: usize, call: u64, input: &str, output: &str) -> Record {
    Record::Op(OpRecord {
        trial: 0,
        thread,
        call,
        ret: Some(call + 1),
        input: input.into(),
        output: Some(output.into()),
    })
}

fn finished(phase: &str, mut records: Vec<Record>) -> PhaseRun {
    records.push(Record::Done);
    PhaseRun {
        phase: phase.to_string(),
        records,
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    }
}

/// The `lost-messages` result of exercise `id` when its load phase
/// recorded `load` (the other phases recorded nothing).
fn lost_messages(id: &str, load: Vec<Record>) -> crate::engine::report::CheckResult {
    let exercise = find(id).unwrap();
    let runs: Vec<PhaseRun> = exercise
        .phases
        .iter()
        .map(|&phase| {
            finished(
                phase,
                if phase == "load" {
                    load.clone()
                } else {
                    Vec::new()
                },
            )
        })
        .collect();
    let checks = exercise.judge(runs).expect("the judge keeps to its checks");
    let check = checks
        .into_iter()
        .find(|c| c.id == CheckId::LOST_MESSAGES)
        .unwrap();
    assert_eq!(check.status, Status::Failed, "{check:?}");
    check
}

fn accounting(check: &crate::engine::report::CheckResult) -> &Accounting {
    check
        .accounting
        .as_ref()
        .expect("a lost-messages failure carries its accounting")
}

#[test]
fn counter_counts_per_thread_and_in_total() {
    let check = lost_messages(
        "counter",
        vec![
            op(0, 1, "inc", "returned"),
            op(0, 3, "inc", "returned"),
            op(1, 2, "inc", "returned"),
            op(1, 4, "dec", "returned"),
            op(2, 9, "shutdown", "1"),
            Record::Final {
                trial: 0,
                kind: "mixed".into(),
                expected: Some("2".into()),
                value: "1".into(),
            },
        ],
    );
    let a = accounting(&check);
    assert_eq!(a.place, "trial 0 (mixed)");
    let rows: Vec<(&str, &str, Option<&str>, bool)> = a
        .tallies
        .iter()
        .map(|t| {
            (
                t.label.as_str(),
                t.sent.as_str(),
                t.applied.as_deref(),
                t.wrong,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("thread 0", "2 inc, 0 dec", None, false),
            ("thread 1", "1 inc, 1 dec", None, false),
            ("total", "3 inc, 1 dec = +2", Some("+1"), true),
        ]
    );
    // The text form is the detail the CLI prints.
    let detail = check.detail.as_deref().unwrap();
    assert!(
        detail.contains("total     3 inc, 1 dec = +2  +1  ✗"),
        "{detail}"
    );
    let json = serde_json::to_value(&check).unwrap();
    assert_eq!(json["accounting"]["tallies"][2]["wrong"], true);
}

#[test]
fn ledger_compares_every_account_and_the_total() {
    let check = lost_messages(
        "ledger",
        vec![Record::Final {
            trial: 4,
            kind: "transfers".into(),
            expected: Some("1=50,2=50".into()),
            value: "1=50,2=40".into(),
        }],
    );
    let a = accounting(&check);
    assert_eq!(a.place, "trial 4 (transfers)");
    let wrong: Vec<&str> = a
        .tallies
        .iter()
        .filter(|t| t.wrong)
        .map(|t| t.label.as_str())
        .collect();
    assert_eq!(wrong, vec!["account 2", "total"]);
    assert_eq!(a.tallies[1].sent, "50");
    assert_eq!(a.tallies[1].applied.as_deref(), Some("40"));
}

#[test]
fn graceful_shutdown_names_the_commands_accepted_after_shutdown() {
    let check = lost_messages(
        "graceful-shutdown",
        vec![
            op(0, 1, "submit create 1", "ok"),
            op(0, 3, "submit pay 1", "ok"),
            op(1, 5, "shutdown", "returned"),
            op(0, 7, "submit ship 1", "ok"),
            Record::Final {
                trial: 0,
                kind: "summary".into(),
                expected: None,
                value: "2 0 1:paid".into(),
            },
        ],
    );
    let a = accounting(&check);
    assert_eq!(a.place, "trial 0");
    let total = a.tallies.iter().find(|t| t.label == "total").unwrap();
    assert_eq!(total.sent, "3 accepted");
    assert!(total.wrong);
    assert_eq!(a.tallies[0].label, "thread 0");
    assert_eq!(a.tallies[0].sent, "3 accepted");
    assert_eq!(a.messages.len(), 1, "{a:?}");
    let lost = &a.messages[0];
    assert_eq!((lost.thread, lost.seq, lost.fate), (0, 3, Fate::Lost));
    assert_eq!(lost.call, "submit(Ship(1))");
    assert!(
        check
            .detail
            .unwrap()
            .contains("lost: thread 0's call 3, submit(Ship(1))")
    );
}

/// Every built-in exercise's judge reports exactly the checks its
/// exercise.toml declares: the load-time verification passes.
#[test]
fn every_builtin_judge_reports_its_declared_checks() {
    for exercise in crate::exercise::all() {
        exercise
            .verify_judge()
            .unwrap_or_else(|e| panic!("{}: {e}", exercise.id));
    }
}

/// A judge that returns a check its exercise does not declare (or leaves
/// one out) is caught at load time, with the exercise and the id named.
#[test]
fn a_judge_that_strays_from_its_declared_checks_is_refused() {
    use crate::engine::exercise::{Exercise, Judge};
    use crate::engine::judge::{CheckResult, Runs};
    fn extra(runs: &Runs) -> Vec<CheckResult> {
        let mut results: Vec<CheckResult> = runs
            .checks()
            .iter()
            .map(|&id| CheckResult::pass(id, "fine"))
            .collect();
        results.push(CheckResult::pass(
            CheckId::new("made-up").unwrap(),
            "not declared",
        ));
        results
    }
    fn missing(runs: &Runs) -> Vec<CheckResult> {
        runs.checks()[..2]
            .iter()
            .map(|&id| CheckResult::pass(id, "fine"))
            .collect()
    }
    fn swapped(runs: &Runs) -> Vec<CheckResult> {
        runs.checks()
            .iter()
            .rev()
            .map(|&id| CheckResult::pass(id, "fine"))
            .collect()
    }
    let counter = find("counter").unwrap();
    let with = |judge| Exercise {
        id: "counter",
        title: counter.title,
        file: counter.file,
        starter: counter.starter,
        reference: counter.reference,
        text: counter.text.clone(),
        checks: counter.checks.clone(),
        phases: counter.phases.clone(),
        forbid: counter.forbid.clone(),
        forbid_why: counter.forbid_why,
        glue: counter.glue,
        judge: Judge::BuiltIn(judge),
        drivers: counter.drivers,
    };
    let err = with(extra).verify_judge().unwrap_err().to_string();
    assert!(err.starts_with("exercise `counter`"), "{err}");
    assert!(err.contains("`made-up`, which is not declared"), "{err}");
    let err = with(missing).verify_judge().unwrap_err().to_string();
    assert!(
        err.contains("did not return the declared `linearizable`"),
        "{err}"
    );
    let err = with(swapped).verify_judge().unwrap_err().to_string();
    assert!(
        err.contains("returned `panic` where `owner-thread` was declared"),
        "{err}"
    );
}

/// The registry is derived from `pack/pack.toml`: its order, and every
/// folder's id and learner file.
#[test]
fn the_builtin_registry_follows_pack_toml() {
    let manifest = super::parse_manifest(
        std::path::Path::new("pack.toml"),
        crate::exercise::builtin::PACK_TOML,
    )
    .unwrap();
    let ids: Vec<&str> = crate::exercise::all().iter().map(|e| e.id).collect();
    assert_eq!(ids, manifest.exercises);
    assert!(ids.len() >= 6, "{ids:?}");
    let graceful = find("graceful-shutdown").unwrap();
    assert_eq!(graceful.file, "exercises/graceful_shutdown.rs");
    assert_eq!(graceful.checks.last().unwrap().id.as_str(), "shutdown");
}

/// `forbid` in exercise.toml reaches the engine, and a forbid list without
/// the reason the learner will read is refused at load time.
#[test]
fn forbidden_paths_come_from_exercise_toml_with_their_reason() {
    let buffer = find("bounded-buffer").unwrap();
    assert_eq!(buffer.forbid, ["crossbeam_channel", "std::sync::mpsc"]);
    assert!(
        buffer.forbid_why.contains("Condvar"),
        "{}",
        buffer.forbid_why
    );
    assert!(find("counter").unwrap().forbid.is_empty());
    let without_why: String = builtin_toml("bounded-buffer")
        .lines()
        .filter(|l| !l.starts_with("forbid_why"))
        .collect::<Vec<_>>()
        .join("\n");
    let err = load_error("bounded-buffer", without_why, None);
    assert!(err.contains("gives no `forbid_why`"), "{err}");
}

/// A malformed `quiz.toml` fails the exercise's load, naming the file and
/// the line.
#[test]
fn a_malformed_exercise_quiz_is_refused_with_its_line() {
    let err = load_error(
        "worker-pool",
        builtin_toml("worker-pool").into(),
        Some("[[question]]\nquestion = \"q\"\nreason = \"r\"\n".into()),
    );
    assert!(err.starts_with("pack/worker-pool/quiz.toml:1:"), "{err}");
    assert!(err.contains("`accepted`"), "{err}");
}

/// A check's `phases` reach the engine (absent: every phase), and a check
/// that names a phase the exercise does not run is refused at load time.
#[test]
fn per_check_phases_come_from_exercise_toml_and_must_be_run() {
    let counter = find("counter").unwrap();
    let phases = |id: CheckId| counter.phases_of(counter.check(id).unwrap()).to_vec();
    assert_eq!(phases(CheckId::BUSY_LOOP), ["idle"]);
    assert_eq!(phases(CheckId::OWNER_THREAD), ["single"]);
    assert_eq!(phases(CheckId::PANIC), counter.phases);
    let misnamed =
        builtin_toml("counter").replacen("phases = [\"idle\"]", "phases = [\"idel\"]", 1);
    let err = load_error("counter", misnamed, None);
    assert!(
        err.contains(
            "the check `busy-loop` reads the phase \"idel\", which `phases` does not list"
        ),
        "{err}"
    );
}

/// The built-in `exercise.toml` of the exercise in `folder`.
fn builtin_toml(folder: &str) -> &'static str {
    crate::exercise::builtin::EXERCISES
        .iter()
        .find(|e| e.folder == folder)
        .unwrap()
        .exercise_toml
}

/// Why the built-in exercise in `folder` fails to load with `exercise_toml`
/// and `quiz` in place of its own (its drivers and judge unchanged).
fn load_error(folder: &str, exercise_toml: String, quiz: Option<String>) -> String {
    let builtin = crate::exercise::builtin::EXERCISES
        .iter()
        .find(|e| e.folder == folder)
        .unwrap();
    let files = super::ExerciseFiles {
        folder: folder.into(),
        exercise_toml,
        starter: String::new(),
        solution: String::new(),
        driver: String::new(),
        glue: String::new(),
        quiz,
        dir: None,
    };
    super::parse_exercise(
        files,
        crate::engine::exercise::Judge::BuiltIn(builtin.judge),
        find(folder).unwrap().drivers,
    )
    .unwrap_err()
    .to_string()
}
