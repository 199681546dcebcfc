//! The judgements on hand-made records: what each check concludes from
//! the facts the driver reports.

use super::{cancellation, first_error, groups, limit};
use threadlings_judge::{Ending, PhaseRun, Record, Status};

fn fact(line: &str) -> Record {
    let mut fields = line.split(' ').map(String::from);
    let name = fields.next().expect("a name");
    Record::Fact {
        name,
        fields: fields.collect(),
    }
}

fn run(phase: &'static str, lines: &[&str]) -> PhaseRun {
    let mut records: Vec<Record> = lines.iter().map(|l| fact(l)).collect();
    records.push(Record::Done);
    PhaseRun {
        phase: phase.into(),
        records,
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    }
}

#[test]
fn three_overlapping_intervals_break_a_limit_of_two_and_touching_ones_do_not() {
    // Tasks 0 and 1 overlap; 2 starts after 0 ended: two at once at most.
    let fine = run(
        "single",
        &[
            "group 0 0 2 3 0 20 ok:1,2,3",
            "task 0 0 quick 1 5 0 0 ok:1",
            "task 0 1 quick 2 8 0 0 ok:2",
            "task 0 2 quick 6 9 0 0 ok:3",
            "meet 0 0 0",
        ],
    );
    let g = groups(&fine);
    assert_eq!(
        limit::limit(&[(&fine, &g)]).status,
        Status::Passed,
        "{:?}",
        limit::limit(&[(&fine, &g)])
    );
    // Task 2 starts before 0 and 1 end: three at once.
    let over = run(
        "single",
        &[
            "group 0 0 2 3 0 20 ok:1,2,3",
            "task 0 0 quick 1 5 0 0 ok:1",
            "task 0 1 quick 2 8 0 0 ok:2",
            "task 0 2 quick 3 9 0 0 ok:3",
        ],
    );
    let g = groups(&over);
    let result = limit::limit(&[(&over, &g)]);
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .message
            .contains("3 tasks were running at once (tasks 0, 1, 2")
    );
}

#[test]
fn a_meeting_given_up_on_a_starved_machine_is_not_a_verdict() {
    let starved = run(
        "single",
        &[
            "group 0 0 2 2 0 9 ok:1,2",
            "task 0 0 meet 1 4 0 0 ok:1",
            "task 0 1 meet 5 8 0 0 ok:2",
            "meet 0 1 1",
        ],
    );
    let g = groups(&starved);
    assert_eq!(limit::limit(&[(&starved, &g)]).status, Status::NotChecked);
    let serial = run(
        "single",
        &[
            "group 0 0 2 2 0 9 ok:1,2",
            "task 0 0 meet 1 4 0 0 ok:1",
            "task 0 1 meet 5 8 0 0 ok:2",
            "meet 0 1 0",
        ],
    );
    let g = groups(&serial);
    assert_eq!(limit::limit(&[(&serial, &g)]).status, Status::Failed);
}

#[test]
fn the_error_returned_must_not_come_from_a_task_that_saw_the_cancel() {
    let lines = |returned: &str| {
        vec![
            format!("group 0 0 2 2 0 30 {returned}"),
            // Task 1 failed first; task 0 failed later, seeing the cancel.
            "task 0 0 fail 1 20 0 1 err:task-0-failed".to_string(),
            "task 0 1 fail 2 5 0 0 err:task-1-failed".to_string(),
        ]
    };
    let check = |returned: &str| {
        let owned = lines(returned);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        let r = run("single", &refs);
        let g = groups(&r);
        first_error::first_error(&[(&r, &g)]).status
    };
    assert_eq!(check("failed:1:task-1-failed"), Status::Passed);
    assert_eq!(check("failed:0:task-0-failed"), Status::Failed);
}

#[test]
fn overlapping_failures_may_either_be_first() {
    for returned in ["failed:0:a", "failed:1:b"] {
        let group = format!("group 0 0 2 2 0 30 {returned}");
        let r = run(
            "single",
            &[
                &group,
                "task 0 0 fail 1 5 0 0 err:a",
                "task 0 1 fail 2 6 0 0 err:b",
            ],
        );
        let g = groups(&r);
        assert_eq!(first_error::first_error(&[(&r, &g)]).status, Status::Passed);
    }
}

/// A failing group whose task 1 saw the cancel `fair` µs after the failure
/// (and `wall` µs on the clock).
fn woken(id: usize, wall: u64, fair: u64) -> Vec<String> {
    vec![
        format!("group {id} 0 2 2 0 30 failed:0:x"),
        format!("task {id} 0 fail 1 5 0 0 err:x"),
        format!("task {id} 1 wait 2 9 0 1 err:cancelled"),
        format!("wake {id} 1 wait {wall} {fair} 1"),
    ]
}

fn wakes(samples: &[(u64, u64)]) -> Status {
    let lines: Vec<String> = samples
        .iter()
        .enumerate()
        .flat_map(|(id, &(wall, fair))| woken(id, wall, fair))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let r = run("single", &refs);
    let g = groups(&r);
    cancellation::cancellation(&[(&r, &g)]).status
}

#[test]
fn a_slow_wake_up_on_a_loaded_machine_is_not_late_but_a_sleeping_wait_is() {
    // 40 ms on the clock, all of it waiting for a CPU: prompt.
    assert_eq!(
        wakes(&[(40_000, 200), (35_000, 150), (60_000, 900)]),
        Status::Passed
    );
    // One slow sample among many: not a verdict.
    assert_eq!(
        wakes(&[(20_000, 15_000), (100, 100), (90, 90), (80, 80)]),
        Status::Passed
    );
    // wait() slept its whole 300 ms timeout, every time.
    assert_eq!(
        wakes(&[(300_000, 299_000), (301_000, 300_000), (90, 90)]),
        Status::Failed
    );
}

#[test]
fn a_group_without_failures_must_never_see_a_cancel() {
    let r = run(
        "load",
        &[
            "group 0 1 2 2 0 9 ok:1,2",
            "task 0 0 wait 1 4 0 1 ok:1",
            "task 0 1 quick 5 8 0 0 ok:2",
        ],
    );
    let g = groups(&r);
    let result = cancellation::cancellation(&[(&r, &g)]);
    assert_eq!(result.status, Status::Failed);
    assert!(
        result.message.contains("needs a token of its own"),
        "{}",
        result.message
    );
}

#[test]
fn a_wait_that_sleeps_on_is_late_even_when_polling_sees_the_cancel_at_once() {
    let mut lines = Vec::new();
    for id in 0..4 {
        lines.extend(
            woken(id, 100, 100)
                .into_iter()
                .map(|l| l.replace(" wait ", " poll ")),
        );
    }
    for id in 4..6 {
        lines.extend(woken(id, 300_000, 299_000));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let r = run("single", &refs);
    let g = groups(&r);
    let result = cancellation::cancellation(&[(&r, &g)]);
    assert_eq!(result.status, Status::Failed, "{}", result.message);
    assert!(
        result.message.contains("in wait() took more than 10 ms"),
        "{}",
        result.message
    );
}
