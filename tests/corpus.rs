//! Known-buggy and known-correct solutions, checked by the real engine.
//!
//! Each buggy file names, in a `//! expect: <check-id>` line, the check it
//! must fail. Many of these bugs are races: they show only when threads
//! interleave a certain way, so any one run may miss them, and more so on a
//! loaded machine. A test that can fail while the tool works is a defect,
//! so a buggy file must be caught at least once in [`BUGGY_RUNS`] runs
//! (stopping at the first catch), a bound chosen from measured rates (see
//! there). Each correct file must pass every check on every one of ten runs:
//! a false alarm on correct code is a defect of the tool, not of the test.
//! Runs reuse one compiled program; seeds are printed on failure.

mod common;

use std::path::{Path, PathBuf};
use threadlings::engine::report::{Report, Status};
use threadlings::engine::{self, Built, CheckOptions, Checked, Program};
use threadlings::exercise;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(rel)
}

fn build(ex: &'static exercise::Exercise, rel: &str) -> Program {
    match engine::build(ex, &corpus(rel), &Default::default()).expect("engine works") {
        Built::Program(p) => p,
        Built::Failed(report) => panic!("{rel} does not compile:\n{}", common::describe(&report)),
        Built::Cancelled => unreachable!(),
    }
}

fn run_once(program: &Program) -> Report {
    match program.run(&CheckOptions::new()).expect("engine works") {
        Checked::Done(report) => report,
        Checked::Cancelled => unreachable!(),
    }
}

fn runs(exercise_id: &str, rel: &str, times: usize) -> Vec<Report> {
    let ex = exercise::find(exercise_id).expect("exercise exists");
    let program = build(ex, rel);
    (0..times).map(|_| run_once(&program)).collect()
}

fn expected_failure(rel: &str) -> String {
    let text = std::fs::read_to_string(corpus(rel)).expect("corpus file");
    text.lines()
        .find_map(|l| l.strip_prefix("//! expect: "))
        .unwrap_or_else(|| panic!("{rel} has no `//! expect:` line"))
        .trim()
        .to_string()
}

/// How many runs a buggy file gets to be caught in.
///
/// A test fails falsely only if every run misses, with probability
/// (1 - p)^BUGGY_RUNS for a per-run catch rate p. The narrowest race,
/// `closed_flag_set_before_stop`, was caught in 16 of 16 runs (`cargo bench
/// --bench corpus_rates -- --only closed_flag_set_before_stop`) on the
/// 2-core machine with four `yes > /dev/null` beside it and other engineers'
/// builds and tests (load average 40-86, about 20 s a run): p >= 0.65 with
/// 99.9 % confidence. The old "3 of 3" failed 3 of 6 times at load 4,
/// which puts p near 0.8 then (0.8^3 = 0.5). Taking p = 0.3, far below
/// both, 40 runs give 0.7^40 = 6.4e-7 < 1e-6. The loop stops at the first
/// catch, so a file caught at rate p costs 1/p runs on average: one for a
/// deterministic bug (a hang, a panic, a thread that never stops).
const BUGGY_RUNS: usize = 40;

/// Asserts that the expected check fails (not merely "not checked") in at
/// least one of [`BUGGY_RUNS`] runs, and that a run that catches it fails
/// the report as a whole.
pub fn assert_buggy(exercise_id: &str, rel: &str) {
    let expect = expected_failure(rel);
    let ex = exercise::find(exercise_id).expect("exercise exists");
    let program = build(ex, rel);
    let mut seeds = Vec::new();
    for _ in 0..BUGGY_RUNS {
        let report = run_once(&program);
        let check = report
            .checks
            .iter()
            .find(|c| c.id.as_str() == expect)
            .unwrap_or_else(|| panic!("{rel}: no check {expect}"));
        if check.status == Status::Failed {
            assert!(!report.passed, "{}", common::describe(&report));
            return;
        }
        seeds.push(report.seed);
    }
    panic!("{rel} was never failed on {expect} in {BUGGY_RUNS} runs (seeds {seeds:?})");
}

/// Asserts that every check passes on each run.
pub fn assert_correct(exercise_id: &str, rel: &str, times: usize) {
    for report in runs(exercise_id, rel, times) {
        assert!(
            report.passed,
            "{rel} is correct but was failed (seed {}):\n{}",
            report.seed,
            common::describe(&report)
        );
    }
}

macro_rules! buggy {
    ($($name:ident: $exercise:literal, $file:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_buggy($exercise, $file);
        }
    )*};
}

macro_rules! correct {
    ($($name:ident: $exercise:literal, $file:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_correct($exercise, $file, 10);
        }
    )*};
}

buggy! {
    counter_stop_before_drain: "counter", "counter/buggy/stop_before_drain.rs";
    counter_holds_own_sender: "counter", "counter/buggy/holds_own_sender.rs";
    counter_returns_before_exit: "counter", "counter/buggy/returns_before_exit.rs";
    counter_separate_read_channel: "counter", "counter/buggy/separate_read_channel.rs";
    counter_try_recv_spin: "counter", "counter/buggy/try_recv_spin.rs";
    counter_mutex_no_worker: "counter", "counter/buggy/mutex_no_worker.rs";
    counter_get_on_next_command: "counter", "counter/buggy/get_on_next_command.rs";
    counter_get_spins_for_a_reply: "counter", "counter/buggy/get_spins_for_a_reply.rs";
    counter_unsigned_count: "counter", "counter/buggy/unsigned_count.rs";
    counter_try_send_drops: "counter", "counter/buggy/try_send_drops.rs";
    counter_thread_per_iteration: "counter", "counter/buggy/thread_per_iteration.rs";
    counter_spin_while_pending: "counter", "counter/buggy/spin_while_pending.rs";
    ledger_check_then_debit: "ledger", "ledger/buggy/check_then_debit.rs";
    ledger_transfer_two_messages: "ledger", "ledger/buggy/transfer_two_messages.rs";
    ledger_sharded_workers: "ledger", "ledger/buggy/sharded_workers.rs";
    ledger_no_reply_on_refusal: "ledger", "ledger/buggy/no_reply_on_refusal.rs";
    ledger_overdraft_panics: "ledger", "ledger/buggy/overdraft_panics.rs";
    ledger_worker_never_stopped: "ledger", "ledger/buggy/worker_never_stopped.rs";
    ledger_try_recv_spin: "ledger", "ledger/buggy/try_recv_spin.rs";
    ledger_self_transfer: "ledger", "ledger/buggy/self_transfer.rs";
    graceful_stop_channel_at_once: "graceful-shutdown", "graceful-shutdown/buggy/stop_channel_at_once.rs";
    graceful_drain_while_open: "graceful-shutdown", "graceful-shutdown/buggy/drain_while_open.rs";
    graceful_closed_flag_check_then_send: "graceful-shutdown", "graceful-shutdown/buggy/closed_flag_check_then_send.rs";
    graceful_closed_flag_set_before_stop: "graceful-shutdown", "graceful-shutdown/buggy/closed_flag_set_before_stop.rs";
    graceful_waits_for_handles: "graceful-shutdown", "graceful-shutdown/buggy/waits_for_handles.rs";
    graceful_status_lane: "graceful-shutdown", "graceful-shutdown/buggy/status_lane.rs";
    graceful_unwrap_send_after_stop: "graceful-shutdown", "graceful-shutdown/buggy/unwrap_send_after_stop.rs";
    graceful_leaked_ticker: "graceful-shutdown", "graceful-shutdown/buggy/leaked_ticker.rs";
    graceful_ship_before_pay: "graceful-shutdown", "graceful-shutdown/buggy/ship_before_pay.rs";
}

correct! {
    counter_reference: "counter", "../../solutions/counter.rs";
    counter_zero_capacity: "counter", "counter/correct/zero_capacity.rs";
    counter_std_mpsc: "counter", "counter/correct/std_mpsc.rs";
    counter_stop_channel_drains: "counter", "counter/correct/stop_channel_drains.rs";
    ledger_reference: "ledger", "../../solutions/ledger.rs";
    ledger_zero_capacity: "ledger", "ledger/correct/zero_capacity.rs";
    ledger_std_mpsc: "ledger", "ledger/correct/std_mpsc.rs";
    ledger_close_to_stop: "ledger", "ledger/correct/close_to_stop.rs";
    graceful_reference: "graceful-shutdown", "../../solutions/graceful_shutdown.rs";
    graceful_zero_capacity: "graceful-shutdown", "graceful-shutdown/correct/zero_capacity.rs";
    graceful_write_locked_gate: "graceful-shutdown", "graceful-shutdown/correct/write_locked_gate.rs";
    graceful_acked_submits: "graceful-shutdown", "graceful-shutdown/correct/acked_submits.rs";
}

/// The message of check `id` on one run of `rel`.
fn message(exercise_id: &str, rel: &str, id: &str) -> String {
    let report = runs(exercise_id, rel, 1).remove(0);
    let check = report.checks.iter().find(|c| c.id.as_str() == id).unwrap();
    assert_eq!(
        check.status,
        Status::Failed,
        "{}",
        common::describe(&report)
    );
    check.message.clone()
}

/// A hang says whether the stuck thread slept or spun, from its scheduler
/// state, and gives the hint for that kind of mistake.
#[test]
fn a_hang_tells_a_sleeping_thread_from_a_spinning_one() {
    let blocked = message("counter", "counter/buggy/get_on_next_command.rs", "hang");
    assert!(blocked.contains("has been blocked for"), "{blocked}");
    assert!(blocked.contains("the thread was asleep"), "{blocked}");
    assert!(blocked.contains("is a reply sent"), "{blocked}");
    let spinning = message("counter", "counter/buggy/get_spins_for_a_reply.rs", "hang");
    assert!(spinning.contains("has been running for"), "{spinning}");
    assert!(
        spinning.contains("busy on a CPU, not waiting"),
        "{spinning}"
    );
    assert!(spinning.contains("Block on recv() instead"), "{spinning}");
}

/// A worker that spawns a thread on every turn of its loop is stopped
/// early, with a verdict that says why, long before the 30 s phase limit.
/// (The bound here is generous, for a loaded machine; the usual time is in
/// the report of the change: about 1.5 s, compile included.)
#[test]
fn a_runaway_thread_spawner_is_stopped_with_a_clear_verdict() {
    let started = std::time::Instant::now();
    let message = message("counter", "counter/buggy/thread_per_iteration.rs", "panic");
    assert!(
        message.starts_with("your program started more than 64 threads"),
        "{message}"
    );
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(20),
        "stopping the spawner took {took:?}"
    );
}

/// Every file in the corpus is listed above, so none is silently skipped.
#[test]
fn every_corpus_file_is_tested() {
    let me = std::fs::read_to_string(file!()).unwrap();
    for kind in ["buggy", "correct"] {
        for ex in exercise::all() {
            let dir = corpus(&format!("{}/{kind}", ex.id));
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel = format!("{}/{kind}/{}", ex.id, entry.file_name().to_string_lossy());
                assert!(me.contains(&format!("\"{rel}\"")), "{rel} is not tested");
            }
        }
    }
}
