//! The shared judgements on hand-made observations: each rule, and what
//! happens when the run was cut short.

use super::*;
use crate::engine::report::Status;

fn run(phase: &'static str, records: Vec<Record>, ending: Ending) -> PhaseRun {
    PhaseRun {
        phase,
        records,
        ending,
        stderr_tail: String::new(),
    }
}

fn finished(phase: &'static str, mut records: Vec<Record>) -> PhaseRun {
    records.push(Record::Done);
    run(phase, records, Ending::Exited(0))
}

fn cpu(ticks: u64, runnable: u64) -> Record {
    Record::Cpu {
        window_ms: 300,
        ticks,
        runnable,
        samples: 60,
    }
}

#[test]
fn hang_names_the_call_the_thread_and_the_time() {
    let hung = run(
        "load",
        vec![Record::Hang {
            thread: "client thread 2".into(),
            call: "get()".into(),
            millis: 2012,
        }],
        Ending::Exited(0),
    );
    let result = hang(&[hung]);
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .message
            .starts_with("get() on client thread 2 has been blocked for 2012 ms")
    );
}

#[test]
fn hang_is_not_a_pass_when_a_run_died_first() {
    let crashed = run("load", vec![], Ending::Signalled(libc::SIGSEGV));
    let fine = finished("single", vec![]);
    let result = hang(&[fine.clone(), crashed]);
    assert_eq!(result.status, Status::NotChecked, "{}", result.message);
    assert!(result.message.contains("SIGSEGV"));
    assert!(hang(&[fine]).passed);
}

#[test]
fn a_phase_over_its_time_limit_is_a_hang() {
    let slow = run("load", vec![], Ending::TimedOut);
    assert_eq!(hang(&[slow]).status, Status::Failed);
}

#[test]
fn panic_reports_the_first_panic_with_its_place() {
    let panicked = finished(
        "single",
        vec![Record::Panic {
            thread: "(unnamed thread)".into(),
            location: "counter.rs:19:33".into(),
            message: "attempt to subtract with overflow".into(),
        }],
    );
    let result = panic(&[panicked]);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(
        result.message,
        "a thread your code started panicked at counter.rs:19:33: attempt to subtract with overflow"
    );
}

#[test]
fn dying_without_the_final_record_is_a_failure_with_the_reason() {
    let exited = run("load", vec![], Ending::Exited(0));
    assert!(panic(&[exited]).message.contains("std::process::exit"));
    let aborted = run("load", vec![], Ending::Signalled(libc::SIGABRT));
    assert!(panic(&[aborted]).message.contains("SIGABRT"));
    let flood = run("load", vec![], Ending::OutputFlood);
    assert_eq!(panic(&[flood]).status, Status::Failed);
    assert!(panic(&[finished("load", vec![])]).passed);
}

#[test]
fn busy_loop_by_scheduler_state_or_by_cpu() {
    // Blocked: asleep at every sample, no CPU.
    assert!(busy_loop(&finished("idle", vec![cpu(0, 0)])).passed);
    // Spinning on a loaded machine: little CPU, but runnable at every sample.
    assert_eq!(
        busy_loop(&finished("idle", vec![cpu(1, 60)])).status,
        Status::Failed
    );
    // Spinning with the core to itself: CPU shows it even if sampling missed.
    assert_eq!(
        busy_loop(&finished("idle", vec![cpu(25, 10)])).status,
        Status::Failed
    );
    // No measurement at all: not checked, never a pass.
    let died = run("idle", vec![], Ending::Signalled(libc::SIGKILL));
    assert_eq!(busy_loop(&died).status, Status::NotChecked);
}

#[test]
fn leaks_need_a_measurement_and_fail_on_any_survivor() {
    let leak = |count| Record::Leak {
        place: "single".into(),
        count,
        names: "unnamed".into(),
    };
    assert!(leaked_workers(&[finished("single", vec![leak(0)])]).passed);
    let leaked = leaked_workers(&[
        finished("single", vec![leak(0)]),
        finished("load", vec![leak(1)]),
    ]);
    assert_eq!(leaked.status, Status::Failed);
    assert!(leaked.message.contains("1 thread(s) (unnamed)"));
    let hung = run("single", vec![], Ending::TimedOut);
    assert_eq!(leaked_workers(&[hung]).status, Status::NotChecked);
}

#[test]
fn owner_thread_wants_a_spawned_thread() {
    let none = finished(
        "single",
        vec![Record::Threads {
            count: 0,
            names: String::new(),
        }],
    );
    let label = |o: &crate::engine::protocol::OpRecord| o.input.clone();
    assert_eq!(owner_thread(&none, |_| true, label).status, Status::Failed);
    let one = finished(
        "single",
        vec![Record::Threads {
            count: 1,
            names: "unnamed".into(),
        }],
    );
    assert!(owner_thread(&one, |_| true, label).passed);
}
