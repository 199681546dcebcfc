//! The shared judgements on hand-made observations: each rule, and what
//! happens when the run was cut short.

use crate::checks::*;
use crate::idle::*;
use crate::protocol::*;
use crate::report::Status;
use crate::run::*;

fn run(phase: &'static str, records: Vec<Record>, ending: Ending) -> PhaseRun {
    PhaseRun {
        phase: phase.into(),
        records,
        ending,
        stderr_tail: String::new(),
    }
}

fn finished(phase: &'static str, mut records: Vec<Record>) -> PhaseRun {
    records.push(Record::Done);
    run(phase, records, Ending::Exited(0))
}

/// An idle window of `window_ms` over one thread, awake at its close with
/// `(CPU ms, runnable ms)`, or quiet (`None`).
fn cpu(window_ms: u64, awake: Option<(u64, u64)>) -> Record {
    Record::Cpu {
        when: "after a read".into(),
        window_us: window_ms * 1000,
        threads: 1,
        used_us: awake.map_or(15, |a| a.0 * 1000),
        awake: awake.map(|(ran, runnable)| AwakeThread {
            ran_us: ran * 1000,
            runnable_us: runnable * 1000,
            name: "counter".into(),
        }),
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
            doing: None,
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
    // Still using CPU at the longest limit: slow or starved, not stuck.
    let working = run("load", vec![], Ending::StillWorking);
    let result = hang(&[working]);
    assert_eq!(result.status, Status::NotChecked);
    assert!(result.message.contains("too loaded"), "{}", result.message);
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
fn busy_loop_by_the_threads_own_cpu_time_and_run_delay() {
    let judge = |records| busy_loop(&finished("idle", records));
    // Asleep, on a quiet machine and on a loaded one: quiet at the close,
    // or woken briefly (and kept waiting for a core a while).
    assert!(judge(vec![cpu(6, None)]).passed);
    assert!(judge(vec![cpu(6, None), cpu(31, Some((0, 3)))]).passed);
    // Waking often but briefly (a tenth of the window on a CPU).
    assert!(judge(vec![cpu(30, Some((3, 4)))]).passed);
    // Spinning with a core to itself, or an eighth of a core: runnable all
    // along, and busy once it got 2 ms.
    assert_eq!(judge(vec![cpu(2, Some((2, 2)))]).status, Status::Failed);
    let failed = judge(vec![cpu(6, None), cpu(17, Some((2, 17)))]);
    assert_eq!(failed.status, Status::Failed);
    assert!(
        failed.message.starts_with(
            "while nobody called it (after a read), the worker spins instead of blocking: it \
             used 2.0 ms of CPU in 17.0 ms and was running or waiting for a core for 17.0 ms"
        ),
        "{}",
        failed.message
    );
    // Runnable but starved: what used to fail a correct solution under
    // load ("34 of 34 samples and used 0 ms of CPU") is too loaded to judge.
    let starved = judge(vec![cpu(6, None), cpu(3000, Some((1, 2900)))]);
    assert_eq!(starved.status, Status::NotChecked);
    assert!(
        starved.message.contains("too loaded"),
        "{}",
        starved.message
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
    assert!(
        leaked
            .message
            .starts_with("1 thread (unnamed) was still running"),
        "{}",
        leaked.message
    );
    let passed = leaked_workers(&[finished("single", vec![leak(0)])]);
    assert!(
        passed.message.ends_with("(1 shutdown)"),
        "{}",
        passed.message
    );
    let passed = leaked_workers(&[finished("single", vec![leak(0), leak(0)])]);
    assert!(
        passed.message.ends_with("(2 shutdowns)"),
        "{}",
        passed.message
    );
    let hung = run("single", vec![], Ending::TimedOut);
    assert_eq!(leaked_workers(&[hung]).status, Status::NotChecked);
}

#[test]
fn counts_are_pluralised_and_the_idle_worker_is_only_named_when_there_is_one() {
    assert_eq!(count_of(1usize, "thread"), "1 thread");
    assert_eq!(count_of(0usize, "thread"), "0 threads");
    assert_eq!(count_of(2u64, "call"), "2 calls");
    let idle = |threads| {
        let mut record = cpu(6, None);
        if let Record::Cpu { threads: t, .. } = &mut record {
            *t = threads;
        }
        busy_loop(&finished("idle", vec![record])).message
    };
    let none = idle(0);
    assert!(none.starts_with("start() spawned no thread"), "{none}");
    assert!(!none.contains("worker"), "{none}");
    assert!(idle(1).starts_with("the idle worker slept"));
    assert!(idle(3).starts_with("the 3 threads start() spawned slept"));
    let labels = |n: usize| {
        let calls: Vec<String> = (0..n).map(|i| format!("c{i}()")).collect();
        after_calls(n, &calls, String::clone)
    };
    assert_eq!(labels(0), "on one thread, as the first call");
    assert_eq!(labels(1), "on one thread, after 1 call (c0())");
    assert_eq!(
        labels(2),
        "on one thread, after 2 calls (the last ones: c0(), c1())"
    );
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
    let label = |o: &crate::protocol::OpRecord| o.input.clone();
    assert_eq!(owner_thread(&none, |_| true, label).status, Status::Failed);
    let one = finished(
        "single",
        vec![Record::Threads {
            count: 1,
            names: "unnamed".into(),
        }],
    );
    let one = owner_thread(&one, |_| true, label);
    assert!(one.passed);
    assert_eq!(one.message, "start() spawned 1 thread (unnamed)");
}
